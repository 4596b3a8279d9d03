from __future__ import annotations

import pytest
from sqlalchemy import Engine

from tests.admin.factories import seed_programme
from tests.conftest import ADMIN_TOKEN

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def programme(engine: Engine) -> dict[str, int]:
    return seed_programme(engine)
