"""Throughput of ingest(): messages stored per second, on the configured database.

Usage (from the repository root):
    .venv/bin/python bench/ingest.py [--messages 2000] [--threads 1]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_ingest .venv/bin/python bench/ingest.py

Runs in a throw-away data directory (SQLite) or a throw-away database (PostgreSQL: the
database named in DATABASE_URL is dropped and created). Half the messages come from new
contacts, half are follow-ups on an existing conversation; every tenth is a provider retry.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def prepare_database() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        base, name = url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    else:
        os.environ["OMNICANAL_DATA_DIR"] = tempfile.mkdtemp(prefix="omnicanal-bench-")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()

    prepare_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnicanal.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from omnicanal.connectors.base import IdentityKind, InboundMessage, Sender, SenderIdentity
    from omnicanal.conversations.ingest import ingest
    from omnicanal.conversations.models import Inbox, Message

    call_command("migrate", verbosity=0)
    inbox = Inbox.objects.create(name="bench", channel="api")

    def message(n: int) -> InboundMessage:
        # Pairs of messages share a sender: the second of each pair is a follow-up.
        sender = Sender([SenderIdentity(IdentityKind.EMAIL, f"client{n // 2}@example.fr")],
                        f"Client {n // 2}")
        return InboundMessage(external_id=f"bench-{n}", sender=sender,
                              text=f"Bonjour, message {n} au sujet de la commande {n // 2}.")

    def worker(numbers: list[int]) -> None:
        try:
            for n in numbers:
                ingest(inbox, message(n))
                if n % 10 == 0:
                    ingest(inbox, message(n))  # a provider retry: must be a no-op
        finally:
            connection.close()

    chunks = [list(range(i, args.messages, args.threads)) for i in range(args.threads)]
    threads = [threading.Thread(target=worker, args=(chunk,)) for chunk in chunks]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started

    stored = Message.objects.count()
    assert stored == args.messages, f"{stored} stored for {args.messages} sent"
    print(f"engine={connection.vendor} messages={args.messages} threads={args.threads} "
          f"seconds={elapsed:.2f} messages_per_second={args.messages / elapsed:.0f}")


if __name__ == "__main__":
    main()
