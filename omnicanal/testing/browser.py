"""Playwright's sync API beside Django's ORM in one test.

Between two sync calls, Playwright leaves its event loop marked as running in the test's
thread. asgiref then stores Django's connections for that thread in a context variable instead
of the thread's own storage (it takes the thread for async code), so the ORM calls the test
makes inside the browser block open a second connection that pytest-django never sees. With
psycopg's pool that connection stays checked out: closing the pool at the end of the run does
not close it, and PostgreSQL refuses to drop the test database ("is being accessed by other
users"). Closing Django's connections before the loop stops returns it to the pool.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django import db


@contextmanager
def sync_playwright_for_django(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """`sync_playwright()`, with the test's ORM calls allowed inside and their connection
    closed on the way out."""
    from playwright.sync_api import sync_playwright

    # Django would refuse the test's own ORM calls while the loop is marked as running,
    # although they are plain synchronous code in the test's thread.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        try:
            yield playwright
        finally:
            db.connections.close_all()
