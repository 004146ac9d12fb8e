"""Knowledge import: how fast a CSV of N rows and a FAQ page of Q questions become articles.

Usage (from the repository root):
    .venv/bin/python bench/kbimport.py [--rows 1000] [--questions 200]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_kbimport \
        .venv/bin/python bench/kbimport.py

A throw-away database (SQLite in a temporary data folder, or the PostgreSQL database named in
DATABASE_URL, dropped and created). The whole run is timed as the task runs it
(`knowledge.importing.run_import`): reading, duplicate check, category, `save_article` (which
also re-indexes the article for search), progress written after each unit. The rows are then
imported a second time: all found as duplicates and skipped.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.ingest import prepare_database


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--questions", type=int, default=200)
    args = parser.parse_args()

    prepare_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnicanal.settings")
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command

    from omnicanal.accounts.models import Role, User
    from omnicanal.knowledge import importing, importing_html
    from omnicanal.knowledge.models import ImportRun

    call_command("migrate", verbosity=0)
    user = User.objects.create_user("bench@example.com", "pw-bench-123", role=Role.SUPERVISOR)
    categories = ["Tarifs", "Location", "Retours", "Paiement", "Assurance"]
    lines = ["title;body;category;language"]
    for n in range(args.rows):
        lines.append(
            f"Question numéro {n} sur la location ?;Réponse {n} : les vélos se louent à la "
            f"journée ou à la semaine, casque compris, en agence ou dans l'application."
            f";{categories[n % len(categories)]};fr"
        )
    csv_bytes = ("\n".join(lines) + "\n").encode()
    options = {"language": "auto", "category": "", "visibility": "public",
               "on_duplicate": "skip", "publish": False}

    def timed_run(name: str, data: bytes) -> tuple[ImportRun, float]:
        run = importing.start_import(user, kind="files", files=[SimpleUploadedFile(name, data)],
                                     options=options)
        started = time.perf_counter()
        importing.run_import(run.pk)
        elapsed = time.perf_counter() - started
        run.refresh_from_db()
        return run, elapsed

    run, seconds = timed_run("bench.csv", csv_bytes)
    print(f"CSV, {args.rows} rows, new: {seconds:.2f} s ({args.rows / seconds:.0f} rows/s); "
          f"created {run.created}, failed {run.failed}")
    run, seconds = timed_run("bench.csv", csv_bytes)
    print(f"CSV, {args.rows} rows, again (all duplicates): {seconds:.2f} s "
          f"({args.rows / seconds:.0f} rows/s); skipped {run.skipped}")

    details = "".join(
        f"<details><summary>Question {n} : puis-je prolonger ma location ?</summary>"
        f"<p>Oui, jusqu'à {n % 7 + 1} jours, depuis l'application.</p>"
        f"<ul><li>Sans frais la veille</li><li>5 € le jour même</li></ul></details>"
        for n in range(args.questions)
    )
    page = (f'<html lang="fr"><head><title>FAQ</title></head><body><nav>menu</nav><main>'
            f"<h1>Questions fréquentes</h1>{details}</main><footer>pied</footer></body></html>")
    started = time.perf_counter()
    found = importing_html.page_articles(page)
    parse_seconds = time.perf_counter() - started
    print(f"FAQ page, {args.questions} questions ({len(page) // 1024} KiB): parsed and split "
          f"in {parse_seconds * 1000:.0f} ms into {len(found)} articles")
    run, seconds = timed_run("faq.html", page.encode())
    print(f"FAQ page imported: {seconds:.2f} s; created {run.created}")


if __name__ == "__main__":
    main()
