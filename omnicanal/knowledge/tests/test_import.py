"""Importing articles: FAQ pages split into questions, a sitemap fetched from a real local
server, Markdown with front matter, CSV with a bad row, duplicates, the report, who may."""

from __future__ import annotations

import gzip
import io
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from omnicanal.accounts.models import User
from omnicanal.core.exceptions import InvalidInput
from omnicanal.knowledge import importing, importing_html
from omnicanal.knowledge.models import (
    Article,
    ArticleStatus,
    BodyFormat,
    Category,
    ImportKind,
    ImportRun,
    ImportStatus,
    Visibility,
)
from omnicanal.knowledge.tests import import_samples as samples
from omnicanal.testing.tasks import run_queued_tasks

DEFAULTS = {"language": "auto", "category": "", "visibility": "public", "on_duplicate": "skip",
            "publish": False}


@pytest.fixture(autouse=True)
def _uploads_in_a_temporary_folder(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(name: str, content: str | bytes) -> SimpleUploadedFile:
    data = content.encode() if isinstance(content, str) else content
    return SimpleUploadedFile(name, data)


def import_files(user: User, *files: SimpleUploadedFile, **options: Any) -> ImportRun:
    run = importing.start_import(user, kind=ImportKind.FILES, files=list(files),
                                 options={**DEFAULTS, **options})
    assert run.status == ImportStatus.QUEUED
    run_queued_tasks()
    run.refresh_from_db()
    return run


def outcomes(run: ImportRun) -> list[tuple[str, str]]:
    return [(row["outcome"], row["title"]) for row in run.report]


# ------------------------------------------------------------------ HTML


def test_a_faq_page_of_details_becomes_one_draft_per_question(supervisor: User) -> None:
    run = import_files(supervisor, upload("faq.html", samples.FAQ_DETAILS_FR))

    assert run.status == ImportStatus.DONE
    assert (run.total, run.done, run.created, run.failed) == (1, 1, 3, 0)
    articles = list(Article.objects.order_by("id"))
    assert [a.title for a in articles] == [
        "Comment réserver un vélo ?", "Puis-je annuler ma réservation ?",
        "Quels sont les moyens de paiement acceptés ?",
    ]
    assert {a.status for a in articles} == {ArticleStatus.DRAFT}
    assert {a.locale for a in articles} == {"fr"}
    assert {a.owner_id for a in articles} == {supervisor.pk}
    # The page's heading names the category of its questions; created once.
    assert {a.category.name for a in articles if a.category} == {
        "Questions fréquentes sur la location"}
    assert Category.objects.count() == 1
    cancel = articles[1]
    assert cancel.body_format == BodyFormat.HTML
    assert "<li>Moins de deux heures avant : 5 € retenus.</li>" in cancel.body
    assert "Puis-je annuler" not in cancel.body
    booking = articles[0]
    assert '<a href="https://velo-ville.example/reserver"' in booking.body
    assert "tracker" not in booking.body and "Mentions" not in booking.body


@pytest.mark.parametrize(("page", "titles", "language"), [
    (samples.FAQ_JSON_LD_EN, ["Do you rent child seats?", "Is a helmet included?"], "en"),
    (samples.FAQ_DEFINITIONS_EN,
     ["Can you deliver the bike to my hotel?", "When are deliveries made?"], "en"),
    (samples.FAQ_HEADINGS_FR,
     ["Que faire en cas de crevaison ?", "Suis-je assuré en cas de vol ?"], "fr"),
])
def test_other_faq_layouts_are_split_too(page: str, titles: list[str], language: str) -> None:
    articles = importing.html_drafts(page)
    assert [a.title for a in articles] == titles
    assert {a.language for a in articles} == {language}
    assert all(importing_html.plain_text(a.body) for a in articles)


def test_a_question_heading_keeps_every_paragraph_of_its_answer_and_no_more() -> None:
    theft = importing.html_drafts(samples.FAQ_HEADINGS_FR)[1]
    assert "antivol fourni" in theft.body and "franchise de 150 €" in theft.body
    assert "aide@velo-ville.example" not in theft.body


def test_an_ordinary_page_is_one_article_without_the_site_around_it(admin: User) -> None:
    run = import_files(admin, upload("hours.html", samples.ARTICLE_PAGE_EN))

    [article] = Article.objects.all()
    assert run.created == 1
    assert article.title == "Opening hours of our shops"
    assert article.locale == "en"
    body = article.body
    assert "<h1>" not in body and "Opening hours of our shops" not in body
    assert "<h2>Summer</h2>" in body
    assert "<td>Gare de Lyon</td>" in body and "<strong>every day</strong>" in body
    for gone in ("Home", "newsletter", "Subscribe", "onclick", "javascript:", "<footer"):
        assert gone not in body


# ------------------------------------------------------------------ Markdown, CSV, ZIP


def test_markdown_with_front_matter_and_with_a_first_heading(supervisor: User) -> None:
    run = import_files(supervisor, upload("electrique.md", samples.MARKDOWN_FR),
                       upload("late-return.md", samples.MARKDOWN_EN_HEADING))

    assert run.created == 2
    electric = Article.objects.get(title="Louer un vélo électrique")
    assert (electric.locale, electric.body_format) == ("fr", BodyFormat.MARKDOWN)
    assert electric.category is not None and electric.category.name == "Location"
    assert electric.body.startswith("Les vélos électriques se louent **à la demi-journée**")
    assert "title:" not in electric.body
    late = Article.objects.get(title="Returning a bike late")
    # No language said: the words tell English from French.
    assert late.locale == "en"
    assert not late.body.startswith("#")


def test_front_matter_values_may_be_quoted_and_other_keys_are_passed_over() -> None:
    draft = importing.markdown_draft(
        "---\ntitle: \"Retard : que faire ?\"\ntags:\n  - retard\nlanguage: fr # court\n"
        "visibility: internal\n---\nAppelez l'agence.\n"
    )
    assert (draft.title, draft.language, draft.visibility, draft.body) == (
        "Retard : que faire ?", "fr", "internal", "Appelez l'agence.")


def test_a_csv_imports_its_good_rows_and_reports_the_bad_ones(supervisor: User) -> None:
    run = import_files(supervisor, upload("faq.csv", samples.CSV_MIXED))

    assert run.status == ImportStatus.DONE
    assert (run.total, run.done) == (5, 5)
    assert (run.created, run.updated, run.skipped, run.failed) == (3, 0, 0, 2)
    failed = [row for row in run.report if row["outcome"] == "failed"]
    assert [(row["item"], row["line"]) for row in failed] == [("faq.csv", 4), ("faq.csv", 5)]
    assert failed[0]["reason"] == "The title is empty."
    assert failed[1]["values"] == {"value": "de"}
    week = Article.objects.get(title="How much is a week?")
    assert week.locale == "en" and week.category is not None
    assert week.category.name == "Prices"
    internal = Article.objects.get(title="Procédure vol (interne)")
    assert internal.visibility == Visibility.INTERNAL
    assert Article.objects.published().count() == 0


def test_a_zip_of_markdown_and_html_files_uses_its_folders_as_categories(admin: User) -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("Location/electrique.md", samples.MARKDOWN_FR)
        zipped.writestr("Retours/late-return.md", samples.MARKDOWN_EN_HEADING)
        zipped.writestr("Horaires/hours.html", samples.ARTICLE_PAGE_EN)
        zipped.writestr("__MACOSX/._hours.html", "junk")
        zipped.writestr("notes.txt", "not imported")
    run = import_files(admin, upload("docs.zip", archive.getvalue()))

    assert (run.total, run.created, run.failed) == (3, 3, 0)
    late = Article.objects.get(title="Returning a bike late")
    assert late.category is not None and late.category.name == "Retours"
    # The front matter's category wins over the folder's.
    electric = Article.objects.get(title="Louer un vélo électrique")
    assert electric.category is not None and electric.category.name == "Location"


# ------------------------------------------------------------------ duplicates, options


def test_importing_again_skips_what_is_there_or_updates_it(supervisor: User) -> None:
    first = import_files(supervisor, upload("faq.html", samples.FAQ_DETAILS_FR))
    assert first.created == 3

    again = import_files(supervisor, upload("faq.html", samples.FAQ_DETAILS_FR))
    assert (again.created, again.skipped, again.updated) == (0, 3, 0)
    assert Article.objects.count() == 3
    assert {row["reason"] for row in again.report} == {
        "An article with this title already exists."}

    changed = samples.FAQ_DETAILS_FR.replace("au plus tard la veille", "jusqu'à une heure avant")
    updated = import_files(supervisor, upload("faq.html", changed), on_duplicate="update")
    assert (updated.created, updated.updated, updated.skipped) == (0, 3, 0)
    booking = Article.objects.get(title="Comment réserver un vélo ?")
    assert "jusqu'à une heure avant" in booking.body
    assert Article.objects.count() == 3


def test_two_titles_with_the_same_slug_both_arrive(admin: User) -> None:
    csv_text = "title,body\nTarifs ?,Voir la grille.\nTarifs !,Voir la grille des prix.\n"
    run = import_files(admin, upload("tarifs.csv", csv_text))
    assert run.created == 2
    assert sorted(Article.objects.values_list("slug", flat=True)) == ["tarifs", "tarifs-2"]


def test_an_administrator_may_publish_at_once_a_supervisor_may_not(
    admin: User, supervisor: User
) -> None:
    run = import_files(admin, upload("m.md", samples.MARKDOWN_FR), publish=True)
    assert run.created == 1
    article = Article.objects.get()
    assert article.status == ArticleStatus.PUBLISHED and article.published_at is not None

    with pytest.raises(InvalidInput):
        importing.start_import(supervisor, kind=ImportKind.FILES,
                               files=[upload("m.md", samples.MARKDOWN_FR)],
                               options={**DEFAULTS, "publish": True})


def test_a_file_of_another_kind_is_refused_before_anything_is_queued(supervisor: User) -> None:
    with pytest.raises(InvalidInput):
        importing.start_import(supervisor, kind=ImportKind.FILES,
                               files=[upload("notes.pdf", b"%PDF-1.4")], options=DEFAULTS)
    assert ImportRun.objects.count() == 0


def test_a_run_is_not_run_twice(supervisor: User) -> None:
    run = import_files(supervisor, upload("faq.html", samples.FAQ_DETAILS_FR))
    again = importing.run_import(run.pk)
    assert again is not None and again.report == run.report
    assert Article.objects.count() == 3


# ------------------------------------------------------------------ sitemap


class _Site(BaseHTTPRequestHandler):
    pages: dict[str, tuple[str, str]] = {}

    def do_GET(self) -> None:
        found = self.pages.get(self.path)
        if found is None:
            self.send_response(404)
            self.end_headers()
            return
        content_type, body = found
        data = body.replace("{base}", f"http://127.0.0.1:{self.server.server_address[1]}")
        encoded = data.encode()
        if data.startswith("gzip:"):
            encoded = gzip.compress(data.removeprefix("gzip:").encode())
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(encoded)))
        self.end_headers()
        self.wfile.write(encoded)

    def log_message(self, *args: Any) -> None:
        pass


SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>{base}/faq/location</loc></url>
  <url><loc>{base}/aide/horaires</loc></url>
  <url><loc>{base}/aide/disparue</loc></url>
  <url><loc>https://elsewhere.example/faq</loc></url>
</urlset>"""

SITEMAP_INDEX = """<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>{base}/sitemap-pages.xml</loc></sitemap>
</sitemapindex>"""


@pytest.fixture
def site() -> Iterator[str]:
    _Site.pages = {
        "/sitemap.xml": ("application/xml", SITEMAP),
        "/sitemap-index.xml": ("application/xml", SITEMAP_INDEX),
        "/sitemap-pages.xml": ("application/xml", SITEMAP),
        "/sitemap.xml.gz": ("application/gzip", "gzip:" + SITEMAP),
        "/faq/location": ("text/html; charset=utf-8", samples.FAQ_DETAILS_FR),
        "/aide/horaires": ("text/html; charset=utf-8", samples.ARTICLE_PAGE_EN),
    }
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.mark.parametrize("sitemap", ["/sitemap.xml", "/sitemap-index.xml", "/sitemap.xml.gz"])
def test_a_sitemap_imports_its_pages_and_reports_the_missing_one(
    settings: Any, site: str, supervisor: User, sitemap: str
) -> None:
    settings.KNOWLEDGE_IMPORT_ALLOW_PRIVATE = True
    run = importing.start_import(supervisor, kind=ImportKind.SITEMAP, url=site + sitemap,
                                 options=DEFAULTS)
    run_queued_tasks()
    run.refresh_from_db()

    assert run.status == ImportStatus.DONE
    # Three pages of the site's own host; the other host's page is left out.
    assert (run.total, run.done) == (3, 3)
    assert (run.created, run.failed) == (4, 1)
    [failed] = [row for row in run.report if row["outcome"] == "failed"]
    assert failed["item"] == f"{site}/aide/disparue"
    assert failed["reason"] == "The server answered %(status)s."
    assert failed["values"] == {"status": "404"}
    assert Article.objects.filter(locale="fr").count() == 3
    assert Article.objects.get(locale="en").title == "Opening hours of our shops"
    # The page's relative links point at the site they came from, not at our help center.
    booking = Article.objects.get(title="Comment réserver un vélo ?")
    assert '<a href="https://velo-ville.example/reserver"' in booking.body
    hours = Article.objects.get(locale="en")
    assert f'<a href="{site}/aide/tarifs" rel="noopener noreferrer">our prices' in hours.body


def test_a_private_address_is_refused_by_default(settings: Any, site: str,
                                                 supervisor: User) -> None:
    settings.KNOWLEDGE_IMPORT_ALLOW_PRIVATE = False
    with pytest.raises(InvalidInput, match="private network"):
        importing.start_import(supervisor, kind=ImportKind.SITEMAP, url=f"{site}/sitemap.xml",
                               options=DEFAULTS)
    # Nor is a page the sitemap lists fetched once the setting has changed in between.
    settings.KNOWLEDGE_IMPORT_ALLOW_PRIVATE = True
    run = importing.start_import(supervisor, kind=ImportKind.SITEMAP,
                                 url=f"{site}/sitemap.xml", options=DEFAULTS)
    settings.KNOWLEDGE_IMPORT_ALLOW_PRIVATE = False
    run_queued_tasks()
    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED
    assert Article.objects.count() == 0
    assert "private network" in run.error


def test_a_sitemap_that_cannot_be_read_fails_the_run_and_says_why(
    settings: Any, site: str, supervisor: User
) -> None:
    settings.KNOWLEDGE_IMPORT_ALLOW_PRIVATE = True
    run = importing.start_import(supervisor, kind=ImportKind.SITEMAP,
                                 url=f"{site}/no-sitemap.xml", options=DEFAULTS)
    run_queued_tasks()
    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED
    assert [(row["item"], row["outcome"], row["values"]) for row in run.report] == [
        (f"{site}/no-sitemap.xml", "failed", {"status": "404"})]


def test_other_schemes_are_refused(supervisor: User) -> None:
    with pytest.raises(InvalidInput, match="http and https"):
        importing.start_import(supervisor, kind=ImportKind.SITEMAP,
                               url="file:///etc/passwd", options=DEFAULTS)


# ------------------------------------------------------------------ pages


def logged_in(user: User, password: str) -> Client:
    User.objects.filter(pk=user.pk).update(language="en")
    client = Client()
    assert client.login(username=user.email, password=password)
    return client


def test_an_agent_may_not_import(agent: User) -> None:
    client = logged_in(agent, "pw-bob-123")
    run = ImportRun.objects.create(kind=ImportKind.FILES, name="x.csv")
    assert client.get("/knowledge/import/").status_code == 403
    assert client.post("/knowledge/import/", {"kind": "files"}).status_code == 403
    assert client.get(f"/knowledge/import/{run.pk}/").status_code == 403
    assert client.get(f"/knowledge/import/{run.pk}/progress/").status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page() -> None:
    response = Client().get("/knowledge/import/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_an_administrator_is_offered_to_publish_at_once(admin: User) -> None:
    client = logged_in(admin, "pw-admin-123")
    assert b'name="publish"' in client.get("/knowledge/import/").content


def test_the_pages_start_a_run_show_its_progress_then_its_report(supervisor: User) -> None:
    client = logged_in(supervisor, "pw-sup-123")
    form = client.get("/knowledge/import/")
    assert form.status_code == 200
    assert b'name="publish"' not in form.content  # administrators only

    response = client.post("/knowledge/import/", {
        "kind": "files", "uploads": [upload("faq.csv", samples.CSV_MIXED)],
        "language": "auto", "category": "", "visibility": "public", "on_duplicate": "skip",
    })
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/knowledge/import/{run.pk}/"
    waiting = client.get(f"/knowledge/import/{run.pk}/").content.decode()
    assert "Queued" in waiting and 'hx-trigger="every 1s"' in waiting

    run_queued_tasks()
    done = client.get(f"/knowledge/import/{run.pk}/progress/").content.decode()
    assert "hx-trigger" not in done  # the polling stops
    assert "Done" in done
    assert "The title is empty." in done
    assert "Unknown language “de” (fr or en)." in done
    assert "How much is a week?" in done
    listing = client.get("/knowledge/import/").content.decode()
    assert "faq.csv" in listing


def test_the_form_says_what_is_missing(supervisor: User) -> None:
    client = logged_in(supervisor, "pw-sup-123")
    response = client.post("/knowledge/import/", {
        "kind": "sitemap", "url": "", "language": "auto", "visibility": "public",
        "on_duplicate": "skip",
    })
    assert response.status_code == 422
    assert "Write the sitemap&#x27;s address." in response.content.decode()
    assert ImportRun.objects.count() == 0
