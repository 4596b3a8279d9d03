"""The session cookie: derived from the admin token, expiring, tamper-evident."""

from __future__ import annotations

import datetime

from service.dashboard import session
from service.deps import token_matches

NOW = datetime.datetime(2026, 3, 18, 12, 0, tzinfo=datetime.UTC)
TOKEN = "t" * 32


def test_a_fresh_cookie_is_valid_and_does_not_contain_the_token() -> None:
    cookie = session.issue(TOKEN, NOW, "00c0ffee")
    assert TOKEN not in cookie
    assert session.is_valid(cookie, TOKEN, NOW)
    assert session.is_valid(cookie, TOKEN, NOW + session.LIFETIME - datetime.timedelta(seconds=1))


def test_a_cookie_expires() -> None:
    cookie = session.issue(TOKEN, NOW, "00c0ffee")
    assert not session.is_valid(cookie, TOKEN, NOW + session.LIFETIME)
    assert not session.is_valid(cookie, TOKEN, NOW - datetime.timedelta(hours=1))


def test_a_cookie_is_bound_to_the_token() -> None:
    cookie = session.issue(TOKEN, NOW, "00c0ffee")
    assert not session.is_valid(cookie, "another-token", NOW)
    assert not session.is_valid(cookie, None, NOW)
    assert not session.is_valid(cookie, "", NOW)


def test_a_tampered_cookie_is_refused() -> None:
    issued, _, mac = session.issue(TOKEN, NOW, "00c0ffee").partition(".")
    later = str(int(issued) + 3600)
    # "\u00b2" (a superscript two) is a digit to str.isdigit() but not to int().
    odd = ("", "x.y", f"-1.{mac}", f"\u00b2.{mac}", f"\u0663.{mac}")
    for forged in (f"{later}.{mac}", f"{issued}.{mac[:-1]}0", issued, *odd):
        assert not session.is_valid(forged, TOKEN, NOW), forged
    assert not session.is_valid(None, TOKEN, NOW)


def test_token_matching() -> None:
    assert token_matches(TOKEN, TOKEN)
    assert not token_matches(TOKEN + "x", TOKEN)
    assert not token_matches("", TOKEN)
    assert not token_matches(TOKEN, None)


def test_sessions_issued_in_the_same_second_are_told_apart() -> None:
    one, other = session.issue(TOKEN, NOW, "00c0ffee"), session.issue(TOKEN, NOW, "0decade0")
    assert one != other and session.digest(one) != session.digest(other)
    assert session.is_valid(one, TOKEN, NOW) and session.is_valid(other, TOKEN, NOW)
    issued, _, mac = one.split(".")
    assert not session.is_valid(f"{issued}.0decade0.{mac}", TOKEN, NOW)
    assert session.expires_at(one) == NOW + session.LIFETIME
