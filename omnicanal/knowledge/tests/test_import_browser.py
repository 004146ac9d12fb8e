"""Knowledge → Import in a real browser: a supervisor uploads a CSV, watches the run reach
"done" and reads the report; screenshots of the form and of a finished report in French
and English."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from omnicanal.accounts.models import User
from omnicanal.knowledge import importing
from omnicanal.knowledge.models import ImportKind, ImportRun
from omnicanal.knowledge.tests import import_samples as samples
from omnicanal.testing.live_server import LiveServer
from omnicanal.testing.tasks import run_queued_tasks
from omnicanal.web.tests.browser import (
    BROWSER_MARKS,
    accessibility_problems,
    in_each_language,
    log_in,
)
from omnicanal.web.tests.test_browser_screenshots import check_page, english_strings

pytestmark = BROWSER_MARKS

OPTIONS = {"language": "auto", "category": "", "visibility": "public", "on_duplicate": "skip",
           "publish": False}


@pytest.fixture(autouse=True)
def _uploads_in_a_temporary_folder(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_supervisor_uploads_a_csv_and_watches_the_run_finish(
    asgi_live_server: LiveServer, playwright_page: Any, supervisor: User
) -> None:
    page = playwright_page
    server = asgi_live_server
    User.objects.filter(pk=supervisor.pk).update(language="en")
    log_in(page, server, "sup@example.com", "pw-sup-123")

    page.goto(f"{server.url}/knowledge/import/")
    assert page.get_by_label("Sitemap address").is_hidden()  # files are the default source
    page.set_input_files("input[name=uploads]", files=[{
        "name": "faq.csv", "mimeType": "text/csv", "buffer": samples.CSV_MIXED.encode(),
    }])
    page.get_by_label("Update it").check()
    page.get_by_role("button", name="Start the import").click()
    page.wait_for_url(re.compile(r"/knowledge/import/\d+/$"))
    progress = page.locator("#import-progress")
    assert progress.get_attribute("data-status") == "queued"

    run_queued_tasks()
    # The page asks again every second and shows the end by itself.
    page.wait_for_selector("#import-progress[data-status=done]")
    assert page.locator(".kb-import-tally-created dd").inner_text() == "3"
    assert page.locator(".kb-import-tally-failed dd").inner_text() == "2"
    report = page.locator("#import-report")
    assert report.get_by_text("How much is a week?").is_visible()
    assert report.get_by_text("The title is empty.").is_visible()
    assert report.get_by_text("Unknown language “de” (fr or en).").is_visible()

    page.get_by_role("link", name="Imports").click()
    assert page.locator("#import-runs").get_by_text("faq.csv").is_visible()


def _finished_run(user: User) -> ImportRun:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("Location/louer-un-velo-electrique.md", samples.MARKDOWN_FR)
        zipped.writestr("Retours/late-return.md", samples.MARKDOWN_EN_HEADING)
        zipped.writestr("Retours/vide.md", "---\ntitle: Brouillon vide\n---\n")
    files = [
        importing_upload("faq-location.html", samples.FAQ_DETAILS_FR.encode()),
        importing_upload("tarifs.csv", samples.CSV_MIXED.encode()),
        importing_upload("documentation.zip", archive.getvalue()),
    ]
    run = importing.start_import(user, kind=ImportKind.FILES, files=files, options=OPTIONS)
    run_queued_tasks()
    # A second run of the same page: its questions are there already.
    importing.start_import(user, kind=ImportKind.FILES,
                           files=[importing_upload("faq-location.html",
                                                   samples.FAQ_DETAILS_FR.encode())],
                           options=OPTIONS)
    run_queued_tasks()
    run.refresh_from_db()
    return run


def importing_upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def test_the_import_pages_in_french_and_english_look_right(
    asgi_live_server: LiveServer, playwright_page: Any, admin: User
) -> None:
    page = playwright_page
    server = asgi_live_server
    english = english_strings()
    run = _finished_run(admin)
    assert run.failed >= 2 and run.created >= 6
    problems: list[str] = []
    for language in in_each_language(page, server, admin, "pw-admin-123"):
        page.goto(f"{server.url}/knowledge/import/")
        page.wait_for_selector("#import-runs")
        problems += check_page(page, language, "knowledge-import-form", english)
        problems += accessibility_problems(page, f"knowledge-import-form ({language})")
        page.get_by_label("Sitemap", exact=False).first.check()
        assert page.locator("input[name=url]").is_visible()
        assert page.locator("input[name=uploads]").is_hidden()
        page.goto(f"{server.url}/knowledge/import/{run.pk}/")
        page.wait_for_selector("#import-report")
        problems += check_page(page, language, "knowledge-import-report", english)
        problems += accessibility_problems(page, f"knowledge-import-report ({language})")
    assert problems == []
