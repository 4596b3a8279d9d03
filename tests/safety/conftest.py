"""The dashboard's https client, for the operator's side of the safety flow."""

from tests.dashboard.conftest import browser

__all__ = ["browser"]
