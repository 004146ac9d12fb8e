"""Throughput of e-mail intake: raw mail → parse_email → ingest() with the threading rule.

Usage (from the repository root):
    .venv/bin/python bench/email_ingest.py [--messages 1000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_email \
        .venv/bin/python bench/email_ingest.py

Runs in a throw-away data directory (SQLite) or a throw-away database (PostgreSQL: the
database named in DATABASE_URL is dropped and created). Half the mails open a thread, half
answer one (In-Reply-To and References on the opening mail, so the rule's indexed lookup runs);
parsing and storing are timed apart. Every tenth mail is delivered twice (an IMAP re-read):
it must come back as a duplicate.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.ingest import prepare_database


def raw_mail(n: int) -> bytes:
    """Mail n: even numbers open a thread, odd numbers answer the mail before them."""
    thread = n // 2
    message = EmailMessage()
    message["From"] = f"Client {thread} <client{thread}@example.fr>"
    message["To"] = "support@omnicanal.test"
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = f"<bench-{n}@example.fr>"
    if n % 2:
        message["Subject"] = f"Re: Commande {thread}"
        message["In-Reply-To"] = f"<bench-{n - 1}@example.fr>"
        message["References"] = f"<bench-{n - 1}@example.fr>"
        body = (f"Merci pour votre retour sur la commande {thread}.\n\n"
                f"Le lun. 3 juin 2024, Support a écrit :\n> Bonjour, votre colis part demain.\n")
    else:
        message["Subject"] = f"Commande {thread}"
        body = (f"Bonjour,\n\nMa commande {thread} n'est pas arrivée.\n\n"
                f"Cordialement,\nClient {thread}\n")
    message.set_content(body)
    message.add_alternative(f"<p>{body}</p>", subtype="html")
    return message.as_bytes()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1000)
    args = parser.parse_args()

    prepare_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnicanal.settings")
    import django

    django.setup()
    from dataclasses import replace

    from django.core.management import call_command
    from django.db import connection

    from omnicanal.connectors.email import parse_email, to_inbound_message
    from omnicanal.connectors.email.threading import external_id_for, find_conversation
    from omnicanal.conversations.ingest import ingest
    from omnicanal.conversations.models import Conversation, Inbox, Message

    call_command("migrate", verbosity=0)
    inbox = Inbox.objects.create(name="bench", channel="email",
                                 settings={"from_address": "support@omnicanal.test"})
    raws = [raw_mail(n) for n in range(args.messages)]

    parse_seconds = 0.0
    store_seconds = 0.0
    duplicates = 0
    for n, raw in enumerate(raws):
        for _ in range(2 if n % 10 == 0 else 1):
            started = time.perf_counter()
            parsed = parse_email(raw)
            inbound = replace(to_inbound_message(parsed), external_id=external_id_for(parsed))
            parsed_at = time.perf_counter()
            result = ingest(inbox, inbound, threading=find_conversation)
            stored_at = time.perf_counter()
            parse_seconds += parsed_at - started
            store_seconds += stored_at - parsed_at
            duplicates += result.is_duplicate

    stored = Message.objects.count()
    conversations = Conversation.objects.count()
    assert stored == args.messages, f"{stored} stored for {args.messages} sent"
    assert conversations == (args.messages + 1) // 2, f"{conversations} conversations"
    assert duplicates == len(range(0, args.messages, 10))
    total = parse_seconds + store_seconds
    print(f"engine={connection.vendor} messages={args.messages} "
          f"conversations={conversations} duplicates={duplicates} "
          f"parse_seconds={parse_seconds:.2f} ingest_seconds={store_seconds:.2f} "
          f"messages_per_second={args.messages / total:.0f} "
          f"(parse alone {args.messages / parse_seconds:.0f}/s, "
          f"ingest alone {args.messages / store_seconds:.0f}/s)")


if __name__ == "__main__":
    main()
