"""The dashboard's sign-in: a session cookie derived from the admin token, never the token.

The cookie holds when it was issued, a nonce, and an HMAC of both keyed with ADMIN_TOKEN, so it is
worthless without the token, expires on its own, and every session ends when the token changes.
The server keeps only the sessions signed out before they expired (revocation.py). Each form
carries a token derived the same way from the cookie, against cross-site posts.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac

COOKIE_NAME = "nudge_session"
LIFETIME = datetime.timedelta(hours=12)
CLOCK_SKEW = datetime.timedelta(minutes=5)
_PURPOSE = b"nudge-dashboard-session:"
_FORM_PURPOSE = b"nudge-dashboard-form:"


def _mac(admin_token: str, issued: int, nonce: str) -> str:
    return hmac.new(
        admin_token.encode(), _PURPOSE + f"{issued}.{nonce}".encode(), hashlib.sha256
    ).hexdigest()


def issue(admin_token: str, now: datetime.datetime, nonce: str) -> str:
    """`nonce` (random hex) tells apart two sessions issued in the same second, so signing
    out of one never ends the other."""
    issued = int(now.timestamp())
    return f"{issued}.{nonce}.{_mac(admin_token, issued, nonce)}"


def is_valid(cookie: str | None, admin_token: str | None, now: datetime.datetime) -> bool:
    if not cookie or not admin_token:
        return False
    issued_text, _, rest = cookie.partition(".")
    nonce, _, mac = rest.partition(".")
    if not (issued_text.isascii() and issued_text.isdigit()) or len(issued_text) > 12:
        return False
    issued = int(issued_text)
    if not hmac.compare_digest(mac.encode(), _mac(admin_token, issued, nonce).encode()):
        return False
    issued_at = datetime.datetime.fromtimestamp(issued, datetime.UTC)
    return issued_at - CLOCK_SKEW <= now < issued_at + LIFETIME


def form_token(admin_token: str, cookie: str) -> str:
    """What every form of a session carries, so a post made by another site (which cannot
    read our pages) is refused even where a browser sends the cookie along."""
    return hmac.new(
        admin_token.encode(), _FORM_PURPOSE + cookie.encode(), hashlib.sha256
    ).hexdigest()


def form_token_matches(token: str, admin_token: str | None, cookie: str | None) -> bool:
    if not admin_token or not cookie:
        return False
    return hmac.compare_digest(token.encode(), form_token(admin_token, cookie).encode())


def expires_at(cookie: str) -> datetime.datetime:
    """When a valid cookie stops being accepted by itself."""
    issued = int(cookie.partition(".")[0])
    return datetime.datetime.fromtimestamp(issued, datetime.UTC) + LIFETIME


def digest(cookie: str) -> str:
    """A session's name for what the server keeps (revocations, the audit log)."""
    return hashlib.sha256(cookie.encode()).hexdigest()


def actor(cookie: str | None) -> str:
    """Who did something, for the safety audit log: the session, never the cookie itself."""
    return f"dashboard session {digest(cookie or '')[:12]}"
