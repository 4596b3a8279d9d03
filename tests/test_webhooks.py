"""The webhook signature: Twilio's algorithm through its SDK, with the SDK's port variants."""

from __future__ import annotations

from hypothesis import assume, given
from hypothesis import strategies as st
from starlette.requests import Request

from service.settings import Settings
from service.webhooks import public_url, sign, signature_is_valid

TOKEN = "12345678901234567890123456789012"
FORM = {"From": "+14155550100", "Body": "We hugged", "MessageSid": "SM" + "1" * 32}
URL = "https://nudge.example.test/sms/inbound"


def test_sign_gives_the_signature_twilio_documents() -> None:
    """The example in Twilio's security documentation, as the SDK's own tests use it."""
    form = {
        "CallSid": "CA1234567890ABCDE",
        "Digits": "1234",
        "From": "+14158675309",
        "To": "+18005551212",
        "Caller": "+14158675309",
    }
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"

    assert sign("12345", url, form) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="


def test_a_signature_over_our_url_is_accepted() -> None:
    assert signature_is_valid(TOKEN, URL, FORM, sign(TOKEN, URL, FORM))


def test_twilio_s_port_variants_are_accepted_as_the_sdk_accepts_them() -> None:
    """Twilio may sign the URL with the default port spelled out (or without it)."""
    signed_with_port = sign(TOKEN, "https://nudge.example.test:443/sms/inbound", FORM)
    assert signature_is_valid(TOKEN, URL, FORM, signed_with_port)


def test_anything_else_is_refused() -> None:
    signature = sign(TOKEN, URL, FORM)
    assert not signature_is_valid(TOKEN, URL, {**FORM, "Body": "STOP"}, signature)
    assert not signature_is_valid("another-token", URL, FORM, signature)
    assert not signature_is_valid(TOKEN, URL + "?x=1", FORM, signature)
    assert not signature_is_valid(TOKEN, URL, FORM, None)
    assert not signature_is_valid(TOKEN, URL, FORM, "")
    assert not signature_is_valid(TOKEN, URL, FORM, "é" + signature[1:])  # not even ASCII
    assert not signature_is_valid("", URL, FORM, sign("", URL, FORM))


HOSTS = st.from_regex(r"[a-z0-9]{1,12}(\.[a-z]{2,6}){0,2}", fullmatch=True)
# The SDK parses the URL to try it with and without its port, and urlparse drops an empty
# ";" parameter: paths here stay clear of ";" as well as of "?" and "#".
PATH_TEXT = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="#?;"), max_size=30
)
URLS = st.builds(
    lambda scheme, host, port, path: f"{scheme}://{host}{port}/{path}",
    st.sampled_from(["http", "https"]),
    HOSTS,
    st.one_of(st.just(""), st.integers(1, 65535).map(lambda port: f":{port}")),
    PATH_TEXT,
)
FORMS = st.dictionaries(st.text(max_size=12), st.text(max_size=40), max_size=8)


@given(
    token=st.text(min_size=1, max_size=40),
    url=URLS,
    form=FORMS,
    extra=st.text(min_size=1),
    more_path=PATH_TEXT.filter(bool),
)
def test_a_signature_fits_its_own_url_and_form_only(
    token: str, url: str, form: dict[str, str], extra: str, more_path: str
) -> None:
    """Any token and form, non-ASCII and empty values included. A longer path, one more
    field, or a value longer by `extra` lengthens the signed text: the signature must not fit."""
    signature = sign(token, url, form)

    assert signature_is_valid(token, url, form, signature)
    assert not signature_is_valid(token, url + more_path, form, signature)
    assume(extra not in form)
    assert not signature_is_valid(token, url, {**form, extra: ""}, signature)
    for name in form:
        longer = {**form, name: form[name] + extra}
        assert not signature_is_valid(token, url, longer, signature)


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
