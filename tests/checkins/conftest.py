"""Check-in tests tick and read the dashboard: the dispatch and dashboard fixtures."""

from tests.dashboard.conftest import browser, signed_in  # noqa: F401  (fixtures, found by name)
from tests.dispatch.conftest import (  # noqa: F401
    auth_token_session,
    dispatcher,
    fake_twilio,
    fake_twilio_server,
    twilio_settings,
)
