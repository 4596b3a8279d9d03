"""Couples tests tick too: the dispatch fixtures (the SDK and the local Twilio server)."""

from tests.dispatch.conftest import (  # noqa: F401  (fixtures, found by name)
    auth_token_session,
    dispatcher,
    fake_twilio,
    fake_twilio_server,
    twilio_settings,
)
