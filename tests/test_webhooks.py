"""The webhook signature check: Twilio's algorithm, with the SDK's own port variants."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from starlette.requests import Request
from twilio.request_validator import RequestValidator

from service.settings import Settings
from service.webhooks import public_url, signature_is_valid, twilio_signature

TOKEN = "12345678901234567890123456789012"
FORM = {"From": "+14155550100", "Body": "We hugged", "MessageSid": "SM" + "1" * 32}


def test_a_signature_over_our_url_is_accepted() -> None:
    url = "https://nudge.example.test/sms/inbound"
    signature = RequestValidator(TOKEN).compute_signature(url, FORM)
    assert signature_is_valid(TOKEN, url, FORM, signature)


def test_twilio_s_port_variants_are_accepted_as_the_sdk_accepts_them() -> None:
    """Twilio may sign the URL with the default port spelled out (or without it)."""
    signed_with_port = RequestValidator(TOKEN).compute_signature(
        "https://nudge.example.test:443/sms/inbound", FORM
    )
    assert signature_is_valid(
        TOKEN, "https://nudge.example.test/sms/inbound", FORM, signed_with_port
    )


def test_anything_else_is_refused() -> None:
    url = "https://nudge.example.test/sms/inbound"
    signature = RequestValidator(TOKEN).compute_signature(url, FORM)
    assert not signature_is_valid(TOKEN, url, {**FORM, "Body": "STOP"}, signature)
    assert not signature_is_valid("another-token", url, FORM, signature)
    assert not signature_is_valid(TOKEN, url + "?x=1", FORM, signature)
    assert not signature_is_valid(TOKEN, url, FORM, None)
    assert not signature_is_valid(TOKEN, url, FORM, "")
    assert not signature_is_valid(TOKEN, url, FORM, "é" + signature[1:])  # not even ASCII
    assert not signature_is_valid("", url, FORM, signature)


@given(
    token=st.text(min_size=1, max_size=40),
    url=st.text(max_size=60),
    form=st.dictionaries(st.text(max_size=12), st.text(max_size=40), max_size=8),
)
def test_our_signature_is_the_sdk_s(token: str, url: str, form: dict[str, str]) -> None:
    """Any token, URL and form, non-ASCII and empty values included."""
    assert twilio_signature(token, url, form) == RequestValidator(token).compute_signature(
        url, form
    )


# What a request line can carry: the HTTP parser refuses control characters there, and a
# query string ends where a fragment ("#") would begin.
PATHS = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=30)
QUERIES = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="#"), max_size=30
)


@given(path=PATHS.map(lambda text: "/" + text), query=QUERIES.map(str.encode))
def test_the_public_url_spells_path_and_query_as_starlette_does(path: str, query: bytes) -> None:
    """public_url reads the scope directly; Starlette's Request.url is what it stands for."""
    scope = {
        "type": "http",
        "path": path,
        "query_string": query,
        "headers": [(b"host", b"internal:8000")],
        "scheme": "http",
        "server": ("internal", 8000),
    }
    url = Request(scope).url
    expected = "https://nudge.example.test" + url.path + ("?" + url.query if url.query else "")
    settings = Settings(public_base_url="https://nudge.example.test", _env_file=None)
    assert public_url(settings, Request(scope)) == expected
