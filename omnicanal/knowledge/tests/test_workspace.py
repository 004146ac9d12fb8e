"""The knowledge base in the workspace: writing an article, its versions and their diff,
restoring one, the review workflow and who may do what, translations, files, Markdown and
what the help center shows of it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from omnicanal.accounts.models import User
from omnicanal.knowledge import actions
from omnicanal.knowledge.content import text_blocks
from omnicanal.knowledge.demo import load_help_center_demo
from omnicanal.knowledge.markdown import render_markdown
from omnicanal.knowledge.models import (
    Article,
    ArticleFile,
    ArticleStatus,
    ArticleVersion,
    BodyFormat,
    Category,
    Visibility,
)

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _fresh(db: Any, settings: Any, tmp_path: Any) -> None:
    cache.clear()
    settings.MEDIA_ROOT = tmp_path


def logged_in(user: User) -> Client:
    User.objects.filter(pk=user.pk).update(language="en")
    client = Client()
    client.force_login(user)
    return client


def form(title: str, body: str, **extra: Any) -> dict[str, Any]:
    return {"title": title, "body": body, "locale": "en", "visibility": "public",
            "category": "", "section": "", "owner": "", "review_by": "", **extra}


def write(client: Client, title: str, body: str, **extra: Any) -> Article:
    response = client.post("/knowledge/new/", form(title, body, **extra))
    assert response.status_code == 302, response.content.decode()[:2000]
    return Article.objects.get(title=title)


def test_anonymous_visitors_are_sent_to_the_login_page(client: Client) -> None:
    for path in ("/knowledge/", "/knowledge/new/", "/knowledge/categories/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


def test_write_edit_compare_and_restore(agent: User) -> None:
    client = logged_in(agent)
    article = write(client, "Gift cards", "Gift cards last **one year**.")
    assert article.status == ArticleStatus.DRAFT
    assert article.body_format == BodyFormat.MARKDOWN
    assert article.owner == agent

    response = client.post(f"/knowledge/{article.pk}/", form(
        "Gift cards", "Gift cards last **two years**.\n\nThey work online."))
    assert response.status_code == 302
    # A save that changes nothing of the text writes no version.
    client.post(f"/knowledge/{article.pk}/", form(
        "Gift cards", "Gift cards last **two years**.\n\nThey work online.", visibility="internal"))
    assert list(article.versions.values_list("number", flat=True)) == [2, 1]

    page = client.get(f"/knowledge/{article.pk}/versions/").content.decode()
    assert "v1" in page and "v2" in page
    diff = client.get(f"/knowledge/{article.pk}/versions/diff/?from=1&to=2").content.decode()
    assert '<li class="kb-line kb-line-deleted"><del>' in diff
    assert "Gift cards last **one year**." in diff
    assert "They work online." in diff.split("kb-line-inserted")[-1]

    response = client.post(f"/knowledge/{article.pk}/versions/1/restore/")
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.body == "Gift cards last **one year**."
    latest = article.versions.first()
    assert latest is not None and latest.number == 3
    assert "Restored from version 1" in latest.comment


def test_an_agent_submits_but_only_a_supervisor_publishes(agent: User, supervisor: User) -> None:
    client = logged_in(agent)
    article = write(client, "Opening hours", "We open at *nine*.")
    page = client.get(f"/knowledge/{article.pk}/").content.decode()
    assert "Submit for review" in page and "Approve and publish" not in page

    assert client.post(f"/knowledge/{article.pk}/status/", {"action": "publish"}).status_code == 403
    client.post(f"/knowledge/{article.pk}/status/", {"action": "submit"})
    article.refresh_from_db()
    assert article.status == ArticleStatus.IN_REVIEW
    assert client.post(f"/knowledge/{article.pk}/status/", {"action": "publish"}).status_code == 403

    boss = logged_in(supervisor)
    assert "Approve and publish" in boss.get(f"/knowledge/{article.pk}/").content.decode()
    boss.post(f"/knowledge/{article.pk}/status/", {"action": "publish"})
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED and article.published_at is not None
    assert Client().get("/help/en/opening-hours/").status_code == 200

    # Published: the agent can no longer change it, the supervisor can archive it.
    refused = client.post(f"/knowledge/{article.pk}/", form("Opening hours", "Changed"))
    assert refused.status_code == 422
    assert "Only a supervisor can change" in refused.content.decode()
    assert client.post(f"/knowledge/{article.pk}/status/", {"action": "archive"}).status_code == 403
    boss.post(f"/knowledge/{article.pk}/status/", {"action": "archive"})
    article.refresh_from_db()
    assert article.status == ArticleStatus.ARCHIVED
    assert Client().get("/help/en/opening-hours/").status_code == 404
    boss.post(f"/knowledge/{article.pk}/status/", {"action": "unarchive"})
    article.refresh_from_db()
    assert article.status == ArticleStatus.DRAFT


def test_an_internal_article_stays_off_the_help_center(supervisor: User) -> None:
    client = logged_in(supervisor)
    article = write(client, "Refund desk procedure", "Call **extension 42**.",
                    visibility="internal")
    client.post(f"/knowledge/{article.pk}/status/", {"action": "publish"})
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED
    assert Client().get(f"/help/en/{article.slug}/").status_code == 404
    assert "Refund desk procedure" not in Client().get("/help/en/").content.decode()
    assert "Refund desk" not in Client().get("/help/en/search/?q=extension").content.decode()
    assert article in Article.objects.for_agents()


def test_markdown_is_rendered_and_scripts_are_stripped(supervisor: User) -> None:
    client = logged_in(supervisor)
    body = ("## Steps\n\n1. Open **My account**\n2. Choose *Orders*\n\n"
            "<script>alert(1)</script>\n\n[bad](javascript:alert(2)) "
            "![pixel](http://tracker.example/p.gif) ![ok](https://cdn.example/ok.png)")
    article = write(client, "Markdown article", body)
    preview = client.post("/knowledge/preview/", {"body": body}).content.decode()
    assert "<strong>My account</strong>" in preview
    assert "<script>" not in preview and "javascript:" not in preview.replace(
        "[bad](javascript:alert(2))", "")
    client.post(f"/knowledge/{article.pk}/status/", {"action": "publish"})

    page = Client().get(f"/help/en/{article.slug}/").content.decode()
    assert '<h2 id="steps">Steps</h2>' in page
    assert "<li>Open <strong>My account</strong></li>" in page
    assert "<script>alert(1)" not in page
    assert 'src="http://tracker.example' not in page
    assert 'src="https://cdn.example/ok.png"' in page
    # The search reads the text, not the Markdown marks.
    assert "Open My account" in text_blocks(body, BodyFormat.MARKDOWN)
    assert any(hit.pk == article.pk for hit in actions.search_articles("en", "account"))


def test_markdown_headings_and_file_links(db: Any) -> None:
    html = render_markdown("# Title\n\n![a](/knowledge/files/3/a.png)", public=True)
    assert "<h2>Title</h2>" in html and 'src="/help/files/3/a.png"' in html


def test_translate_links_the_two_languages(agent: User, supervisor: User) -> None:
    client = logged_in(agent)
    article = write(client, "Lost parcel", "We open an investigation.")
    response = client.post(f"/knowledge/{article.pk}/translate/", {"locale": "fr"})
    french = Article.objects.get(locale="fr")
    assert response["Location"] == f"/knowledge/{french.pk}/"
    assert french.translation_group == article.translation_group
    assert french.status == ArticleStatus.DRAFT
    # Asking again opens the same translation.
    client.post(f"/knowledge/{article.pk}/translate/", {"locale": "fr"})
    assert Article.objects.filter(locale="fr").count() == 1
    page = client.get(f"/knowledge/{article.pk}/").content.decode()
    assert f'href="/knowledge/{french.pk}/" hreflang="fr"' in page
    assert "Translate into" not in page

    client.post(f"/knowledge/{french.pk}/", form("Colis perdu", "Nous ouvrons une enquête.",
                                                  locale="fr"))
    boss = logged_in(supervisor)
    for each in (article, french):
        boss.post(f"/knowledge/{each.pk}/status/", {"action": "publish"})
    french.refresh_from_db()
    page = Client().get(f"/help/en/{article.slug}/").content.decode()
    assert f'href="/help/fr/{french.slug}/"' in page


def test_files_are_checked_and_served(agent: User) -> None:
    client = logged_in(agent)
    article = write(client, "With a picture", "Look:")
    svg = SimpleUploadedFile("evil.svg", b"<svg><script>alert(1)</script></svg>",
                             content_type="image/svg+xml")
    refused = client.post(f"/knowledge/{article.pk}/files/", {"file": svg})
    assert refused.status_code == 422
    assert "SVG images are not accepted" in refused.content.decode()
    fake = SimpleUploadedFile("page.png", b"<html><script>x</script></html>",
                              content_type="image/png")
    refused = client.post(f"/knowledge/{article.pk}/files/", {"file": fake})
    assert "This type of file is not accepted" in refused.content.decode()
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (actions.MAX_FILE_BYTES + 1))
    refused = client.post(f"/knowledge/{article.pk}/files/", {"file": big})
    assert "The file is too large: at most 10 MB." in refused.content.decode()
    assert not ArticleFile.objects.exists()

    image = SimpleUploadedFile("photo 1.png", PNG, content_type="application/octet-stream")
    response = client.post(f"/knowledge/{article.pk}/files/", {"file": image},
                           HTTP_HX_REQUEST="true", HTTP_HX_TARGET="kb-files")
    stored = ArticleFile.objects.get()
    assert stored.content_type == "image/png"
    markdown = actions.file_markdown(stored)
    assert markdown == f"![photo 1.png](/knowledge/files/{stored.pk}/photo%201.png)"
    assert f'data-kb-insert="{markdown}"' in response.content.decode()

    served = client.get(f"/knowledge/files/{stored.pk}/photo 1.png")
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    # A draft's file is not public.
    assert Client().get(f"/help/files/{stored.pk}/photo 1.png").status_code == 404
    assert Client().get(f"/knowledge/files/{stored.pk}/photo 1.png").status_code == 302
    Article.objects.filter(pk=article.pk).update(status=ArticleStatus.PUBLISHED)
    assert Client().get(f"/help/files/{stored.pk}/photo 1.png").status_code == 200
    Article.objects.filter(pk=article.pk).update(visibility=Visibility.INTERNAL)
    assert Client().get(f"/help/files/{stored.pk}/photo 1.png").status_code == 404


def test_the_list_filters_and_counts(agent: User, supervisor: User) -> None:
    load_help_center_demo()
    client = logged_in(agent)
    write(client, "My own draft", "Draft text")
    page = client.get("/knowledge/").content.decode()
    assert "Delivery times and options" in page and "My own draft" in page
    published = Article.objects.filter(status=ArticleStatus.PUBLISHED).count()
    assert f'Published <span class="kb-chip-count">{published}</span>' in page

    drafts = client.get("/knowledge/?status=draft").content.decode()
    assert "My own draft" in drafts and "Track my order" not in drafts
    mine = client.get("/knowledge/?owner=me").content.decode()
    assert "My own draft" in mine and "Track my order" not in mine
    internal = client.get("/knowledge/?visibility=internal").content.decode()
    assert "Geste commercial" in internal and "Track my order" not in internal
    due = client.get("/knowledge/?review=due").content.decode()
    assert "Délais et modes de livraison" in due and "Track my order" not in due
    french = client.get("/knowledge/?locale=fr&q=remboursement").content.decode()
    assert "Quand suis-je remboursé" in french and "When will I be refunded" not in french
    fragment = client.get("/knowledge/?q=parcel", HTTP_HX_REQUEST="true",
                          HTTP_HX_TARGET="kb-results").content.decode()
    assert "<html" not in fragment and "Track my order" in fragment


def test_the_demo_links_translations(db: Any) -> None:
    load_help_center_demo()
    french = Article.objects.get(locale="fr", slug="suivre-ma-commande")
    english = Article.objects.get(locale="en", slug="track-my-order")
    assert french.translation_group == english.translation_group
    page = Client().get("/help/en/track-my-order/").content.decode()
    assert 'href="/help/fr/suivre-ma-commande/"' in page


def test_categories_are_managed_by_supervisors(agent: User, supervisor: User) -> None:
    client = logged_in(agent)
    assert client.post("/knowledge/categories/", {
        "operation": "add_category", "locale": "en", "name": "Payments"}).status_code == 403
    boss = logged_in(supervisor)
    boss.post("/knowledge/categories/", {"operation": "add_category", "locale": "en",
                                         "name": "Payments"})
    category = Category.objects.get(name="Payments")
    assert category.slug == "payments" and category.locale == "en"
    boss.post("/knowledge/categories/", {"operation": "add_section", "category": category.pk,
                                         "name": "Invoices"})
    page = boss.get("/knowledge/categories/").content.decode()
    assert "Payments" in page and "Invoices" in page
    article = write(boss, "Invoice copy", "Ask us.", category=category.pk,
                    section=category.sections.get().pk)
    assert article.section is not None and article.category == category
    refused = boss.post("/knowledge/new/", form("Mauvaise langue", "x", locale="fr",
                                                category=category.pk))
    assert refused.status_code == 422
    assert "This category is in the other language." in refused.content.decode()


def test_versions_are_kept_for_articles_written_before_them(supervisor: User) -> None:
    load_help_center_demo()
    article = Article.objects.get(locale="en", slug="change-my-password")
    assert not article.versions.exists()
    actions.update_article(supervisor, article.pk, actions.ArticleInput(
        title=article.title, body="New text", locale="en", body_format=BodyFormat.TEXT))
    numbers = list(ArticleVersion.objects.filter(article=article)
                   .values_list("number", "author"))
    assert numbers == [(2, supervisor.pk), (1, None)]


def test_every_agent_finds_the_knowledge_base_in_the_top_bar(agent: User) -> None:
    page = logged_in(agent).get("/knowledge/").content.decode()
    assert 'href="/knowledge/" title="Knowledge base" aria-current="page"' in page


def test_an_html_article_stays_html_when_edited(supervisor: User) -> None:
    load_help_center_demo()
    article = Article.objects.get(locale="en", slug="return-an-item")
    client = logged_in(supervisor)
    page = client.get(f"/knowledge/{article.pk}/").content.decode()
    assert 'name="body_format" value="html"' in page
    assert "<strong>30 days</strong>" in page.split('id="kb-preview"')[1]
    body = article.body.replace("30 days", "45 days")
    client.post(f"/knowledge/{article.pk}/", form(article.title, body, body_format="html",
                                                  category=article.category_id))
    article.refresh_from_db()
    assert article.body_format == BodyFormat.HTML
    assert "<strong>45 days</strong>" in Client().get("/help/en/return-an-item/").content.decode()
    preview = client.post("/knowledge/preview/", {"body": "<em>x</em>", "body_format": "html"})
    assert "<em>x</em>" in preview.content.decode()
