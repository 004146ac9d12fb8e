"""The knowledge base editor's costs: the Markdown preview (render + nh3 cleaning) by article
size, one editor save (the article, its search index and a new version), and the list page
with its status counts over many articles.

Usage (from the repository root; a fresh SQLite database in a temporary directory unless
DATABASE_URL names another):
    .venv/bin/python bench/kb_editor.py [--articles 2000] [--runs 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PARAGRAPH = (
    "## Returns\n\nYou have **30 days** to send an item back. See [the form](https://example.com)"
    " and _keep the label_.\n\n- Print the label\n- Drop the parcel\n\n| Item | Days |\n"
    "|---|---|\n| Shoes | 30 |\n\n"
)


def timed(function, runs: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("OMNICANAL_DATA_DIR", tempfile.mkdtemp(prefix="bench-kb-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnicanal.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from omnicanal.accounts.models import Role, User
    from omnicanal.knowledge import actions
    from omnicanal.knowledge.markdown import render_markdown
    from omnicanal.knowledge.models import Article, ArticleStatus, BodyFormat

    call_command("migrate", verbosity=0)
    print(f"{connection.vendor}; {args.runs} runs each; median / p95 in ms")
    for size in (2_000, 20_000, 200_000):
        text = (PARAGRAPH * (size // len(PARAGRAPH) + 1))[:size]
        median, p95 = timed(lambda text=text: render_markdown(text), args.runs)
        print(f"preview of {size // 1000:>3} KB of Markdown: {median:7.1f} / {p95:7.1f}")

    agent = User.objects.filter(email="bench-kb@example.com").first() or \
        User.objects.create_user("bench-kb@example.com", "x", role=Role.SUPERVISOR)
    existing = Article.objects.count()
    statuses = list(ArticleStatus.values)
    Article.objects.bulk_create([
        Article(locale="fr" if n % 2 else "en", title=f"Article {n}", slug=f"bench-{n}",
                body=PARAGRAPH * 4, body_format=BodyFormat.MARKDOWN,
                status=statuses[n % 4], owner=agent if n % 3 == 0 else None)
        for n in range(existing, args.articles)
    ], batch_size=500)
    article = actions.create_article(agent, actions.ArticleInput(
        title="Bench save", body=PARAGRAPH * 8, locale="en"))
    counter = iter(range(10**9))

    def save() -> None:
        actions.update_article(agent, article.pk, actions.ArticleInput(
            title="Bench save", body=PARAGRAPH * 8 + f"\n\nEdit {next(counter)}", locale="en"))

    median, p95 = timed(save, args.runs)
    print(f"editor save (index + version), 10 KB: {median:7.1f} / {p95:7.1f}")

    client = Client(HTTP_HOST="localhost")
    client.force_login(agent)
    total = Article.objects.count()
    assert client.get("/knowledge/").status_code == 200
    for label, path in (("list, all", "/knowledge/"),
                        ("list, search 'parcel' + fr", "/knowledge/?q=parcel&locale=fr"),
                        ("list, mine + drafts", "/knowledge/?owner=me&status=draft")):
        median, p95 = timed(lambda path=path: client.get(path), args.runs)
        print(f"{label:28} ({total} articles): {median:7.1f} / {p95:7.1f}")


if __name__ == "__main__":
    main()
