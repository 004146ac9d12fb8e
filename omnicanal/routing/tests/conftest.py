from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="module")
def memory_database(django_db_blocker: Any) -> Iterator[None]:
    """Let the simulation open its own in-memory database; the test database is not needed
    (and not created) for tests that only simulate."""
    with django_db_blocker.unblock():
        yield


# The browser tests' page (Debian's Chromium through Playwright).
from omnicanal.web.tests.browser import playwright_page  # noqa: E402

__all__ = ["playwright_page"]
