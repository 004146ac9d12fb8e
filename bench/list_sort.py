"""The list's first page and a deep page in each order (queries.ListSort), on the data of
bench/workspace.py: wall and CPU time of `conversation_page` alone, and whether the database
reads the order from an index or sorts every open conversation.

Usage (from the repository root), after bench/workspace.py built a SQLite directory:
    .venv/bin/python bench/list_sort.py --reuse DIR
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_workspace \
        .venv/bin/python bench/list_sort.py --reuse yes

CPU time is reported beside wall time because the measure is made on a shared machine: on
SQLite (in the process) it is what the query costs whatever the machine's load.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from workspace import prepare_database


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reuse", required=True, help="the data bench/workspace.py built")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    if prepare_database(args.reuse):
        sys.exit("No data: run bench/workspace.py with --reuse first.")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnicanal.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from omnicanal.accounts.models import User
    from omnicanal.conversations.queries import ListSort, conversation_page

    call_command("migrate", verbosity=0)
    agent = User.objects.get(email="agent0@example.com")
    print(f"{connection.vendor}; {args.runs} warm runs each")
    print(f"{'order':10} {'page':6} {'wall p50':>9} {'cpu p50':>8}  plan")
    for sort in ListSort:
        # A page deep in the list: the cursor of the 20th page's last row.
        after = None
        for _ in range(20):
            page = conversation_page(agent, sort=sort, after=after)
            after = page.next_cursor
        for label, cursor in (("first", None), ("21st", after)):
            walls, cpus = [], []
            for index in range(args.runs + 3):
                wall, cpu = time.perf_counter(), time.process_time()
                conversation_page(agent, sort=sort, after=cursor)
                if index >= 3:
                    walls.append((time.perf_counter() - wall) * 1000)
                    cpus.append((time.process_time() - cpu) * 1000)
            print(f"{sort.value:10} {label:6} {statistics.median(walls):8.1f} "
                  f"{statistics.median(cpus):8.1f}  {_plan(connection, agent, sort)}")


def _plan(connection: object, agent: object, sort: object) -> str:
    """"index" when the rows come in order from an index, "sort" when all are sorted."""
    from omnicanal.conversations.queries import ListView, _sorted, view_conversations

    queryset = _sorted(view_conversations(agent, ListView.ALL), sort)[:26]  # type: ignore[arg-type]
    plan = queryset.explain()
    return "sort" if ("TEMP B-TREE FOR ORDER BY" in plan or "Sort" in plan) else "index"


if __name__ == "__main__":
    main()
