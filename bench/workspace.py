"""Response time and query count of the workspace pages on a full day's worth of history.

Usage (from the repository root):
    .venv/bin/python bench/workspace.py [--conversations 100000] [--messages 10] [--reuse DIR]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_workspace \
        .venv/bin/python bench/workspace.py

Builds the data with bulk_create, not ingest(): this measures reads (the list, the
conversation page, search), and a million ingest() calls would take the better part of an
hour while exercising nothing the pages read differently (ingest's own throughput is
bench/ingest.py). The rows look like ingest's: every conversation has a contact with an
e-mail identity, messages alternate customer and agent, timestamps spread over a year. The
search index follows through its triggers (SQLite) or its GIN expression index (PostgreSQL),
as it would in production.

Pages are fetched with Django's test Client, warm (each kind fetched a few times first), as
one logged-in agent; reported: p50 and p95 in milliseconds, and the number of queries.
SQLite runs in a throw-away data directory unless --reuse names one (built once, then kept);
PostgreSQL uses the database named in DATABASE_URL (dropped and created unless --reuse).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BATCH = 5000
SENTENCES = [
    "Bonjour, je n'ai toujours pas reçu ma commande {n}.",
    "Le montant prélevé est plus élevé que prévu sur la facture {n}.",
    "Pouvez-vous me rembourser la commande {n} ? Le colis est arrivé abîmé.",
    "Merci pour votre réponse rapide, tout est réglé.",
    "Hello, my parcel {n} never arrived, can you check with the carrier?",
    "Je souhaite modifier l'adresse de livraison de la commande {n}.",
    "Nous avons relancé le transporteur, vous aurez des nouvelles sous 48 h.",
    "Le numéro de suivi {n} ne fonctionne pas sur le site du transporteur.",
]
FIRST_NAMES = ["Jeanne", "Hélène", "Paul", "Léa", "Émile", "Chloé", "Noé", "Zoé", "Marc", "Inès"]
LAST_NAMES = ["Martin", "Lefèvre", "Durand", "Bénard", "Moreau", "Girard", "Roux", "Faure"]


def prepare_database(reuse: str | None) -> bool:
    """Point Django at the bench database; True when it must be built."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        base, name = url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if reuse and exists:
                return False
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return True
    directory = Path(reuse) if reuse else Path(tempfile.mkdtemp(prefix="omnicanal-bench-"))
    directory.mkdir(parents=True, exist_ok=True)
    os.environ["OMNICANAL_DATA_DIR"] = str(directory)
    return not (directory / "omnicanal.sqlite3").exists()


def build(conversations: int, messages_per_conversation: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from omnicanal.accounts.models import Team, User
    from omnicanal.contacts.models import Contact, Identity
    from omnicanal.conversations.models import Conversation, Inbox, Label, Message

    rng = random.Random(8)  # the same data on every run
    now = timezone.now()
    started = time.perf_counter()
    agents = [
        User.objects.create_user(f"agent{i}@example.com", "bench-password", name=f"Agent {i}")
        for i in range(10)
    ]
    teams = [Team.objects.create(name=f"Équipe {i}") for i in range(3)]
    for index, agent in enumerate(agents):
        teams[index % 3].members.add(agent)
    inboxes = [
        Inbox.objects.create(name=name, channel=channel)
        for name, channel in [("Boutique", "api"), ("Support", "email"), ("SMS", "sms"),
                              ("WhatsApp", "whatsapp")]
    ]
    labels = [Label.objects.create(name=name) for name in
              ["Remboursement", "Livraison", "Facturation", "Bug", "VIP"]]

    contact_count = max(1, conversations // 5)
    with transaction.atomic():
        Contact.objects.bulk_create(
            [Contact(name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}")
             for _ in range(contact_count)],
            batch_size=BATCH,
        )
    contact_ids = list(Contact.objects.values_list("pk", flat=True))
    with transaction.atomic():
        Identity.objects.bulk_create(
            [Identity(contact_id=pk, kind="email", value=f"client{pk}@example.fr",
                      is_verified=True) for pk in contact_ids],
            batch_size=BATCH,
        )

    statuses = ["resolved"] * 70 + ["open"] * 20 + ["snoozed"] * 5 + ["pending"] * 5
    rows = []
    for index in range(conversations):
        status = rng.choice(statuses)
        last = now - dt.timedelta(seconds=rng.randrange(365 * 86400))
        assignee = rng.choice(agents) if rng.random() < 0.7 else None
        rows.append(Conversation(
            inbox=rng.choice(inboxes), contact_id=rng.choice(contact_ids), status=status,
            priority=rng.choice([1, 2, 3, 3, 3, 3, 4]), assignee=assignee,
            team=rng.choice(teams) if rng.random() < 0.5 else None,
            subject=f"Commande {index}", last_activity_at=last,
            waiting_since=last if status == "open" and rng.random() < 0.5 else None,
            snoozed_until=now + dt.timedelta(days=1) if status == "snoozed" else None,
            resolved_at=last if status == "resolved" else None,
        ))
    with transaction.atomic():
        Conversation.objects.bulk_create(rows, batch_size=BATCH)
    conversation_rows = list(Conversation.objects.values_list("pk", "inbox_id",
                                                              "last_activity_at"))
    through = Conversation.labels.through
    with transaction.atomic():
        through.objects.bulk_create(
            [through(conversation_id=pk, label_id=rng.choice(labels).pk)
             for pk, _, _ in conversation_rows if rng.random() < 0.2],
            batch_size=BATCH,
        )
    # A running first-response clock on every conversation waiting for us (the list's
    # "SLA due" order reads them): due four hours after the customer wrote.
    from omnicanal.routing.models import SlaClock

    with transaction.atomic():
        SlaClock.objects.bulk_create(
            [SlaClock(conversation_id=pk, target="first_response", target_seconds=4 * 3600,
                      started_at=waiting, running_since=waiting,
                      due_at=waiting + dt.timedelta(hours=4))
             for pk, waiting in Conversation.objects.filter(waiting_since__isnull=False)
             .values_list("pk", "waiting_since")],
            batch_size=BATCH,
        )
    print(f"  contacts, conversations, labels, SLA clocks: "
          f"{time.perf_counter() - started:.0f} s", flush=True)

    batch: list[Message] = []
    total = 0
    for pk, inbox_id, _ in conversation_rows:
        for position in range(messages_per_conversation):
            incoming = position % 2 == 0
            batch.append(Message(
                conversation_id=pk, inbox_id=inbox_id,
                direction="incoming" if incoming else "outgoing",
                text=rng.choice(SENTENCES).format(n=rng.randrange(100000)),
                delivery_status="received" if incoming else "delivered",
            ))
        if len(batch) >= 50000:
            total += _insert_messages(batch, Message)
            batch = []
            print(f"  messages: {total}", flush=True)
    total += _insert_messages(batch, Message)
    # created_at is auto_now_add: spread it to each conversation's year afterwards, in SQL.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE conversations_message SET created_at = (SELECT last_activity_at FROM "
            "conversations_conversation c WHERE c.id = conversations_message.conversation_id)"
        )
    if connection.vendor == "postgresql":
        # What autovacuum does some time after a bulk load; without statistics the planner
        # picks plans 30 times slower (1.7 s for the conversation page).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"  built {conversations} conversations, {total} messages in "
          f"{time.perf_counter() - started:.0f} s", flush=True)


def _insert_messages(batch: list[Any], model: Any) -> int:
    from django.db import transaction

    with transaction.atomic():
        model.objects.bulk_create(batch, batch_size=BATCH)
    return len(batch)


def measure(label: str, fetch: Callable[[int], Any], runs: int, warmup: int = 5) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for index in range(warmup):
        fetch(index)
    timings = []
    queries = set()
    for index in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = fetch(index)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (label, response.status_code)
        queries.add(len(captured.captured_queries))
    timings.sort()
    p95 = timings[max(0, round(0.95 * len(timings)) - 1)]
    return {
        "page": label,
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(p95, 1),
        "queries": sorted(queries),
    }


def _sorted_list(client: Any, sort: str) -> Callable[[int], Any]:
    from django.urls import reverse

    return lambda i: client.get(reverse("web:conversations"), {"sort": sort})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=10, help="per conversation")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--reuse", help="SQLite: a data directory to build once and keep")
    args = parser.parse_args()

    must_build = prepare_database(args.reuse)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnicanal.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from omnicanal.accounts.models import User
    from omnicanal.conversations.models import Conversation, Label, Message

    settings.DEBUG = False
    from django.core.management import call_command

    # Also on a reused database: it gets the indexes added since it was built.
    call_command("migrate", verbosity=0)
    if must_build:
        print(f"Building on {connection.vendor}…", flush=True)
        build(args.conversations, args.messages)
    agent = User.objects.get(email="agent0@example.com")
    client = Client()
    client.force_login(agent)
    rng = random.Random(1)
    open_ids = list(Conversation.objects.filter(status="open").values_list("pk", flat=True))
    label = Label.objects.order_by("pk").first()
    assert label is not None
    first_page = client.get(reverse("web:conversations")).content.decode()
    next_url = re.search(r'hx-get="([^"]*after=[^"]*)"', first_page)
    assert next_url is not None
    second_page_url = next_url.group(1).replace("&amp;", "&")
    htmx = {"HTTP_HX_REQUEST": "true"}
    conversation_url = "web:conversation"
    sla_page = client.get(reverse("web:conversations"), {"sort": "sla_due"}).content.decode()
    sla_next = re.search(r'hx-get="([^"]*after=[^"]*)"', sla_page)
    assert sla_next is not None
    sla_second_page_url = sla_next.group(1).replace("&amp;", "&")

    pages: list[tuple[str, Callable[[int], Any]]] = [
        ("list: all open (full page)", lambda i: client.get(reverse("web:conversations"))),
        ("list: live refresh (htmx)",
         lambda i: client.get(reverse("web:conversations"), **htmx)),
        ("list: mine", lambda i: client.get(reverse("web:conversations"), {"view": "mine"})),
        ("list: resolved", lambda i: client.get(reverse("web:conversations"),
                                                {"view": "resolved"})),
        ("list: label filter", lambda i: client.get(reverse("web:conversations"),
                                                    {"label": label.pk})),
        ("list: second page (cursor)", lambda i: client.get(second_page_url, **htmx)),
        *[(f"list: sorted by {sort}", _sorted_list(client, sort))
          for sort in ("oldest", "waiting", "priority", "sla_due")],
        ("list: sla_due, second page", lambda i: client.get(sla_second_page_url, **htmx)),
        ("conversation page", lambda i: client.get(
            reverse(conversation_url, args=[rng.choice(open_ids)]))),
        ("search: 'recu'", lambda i: client.get(reverse("web:search"), {"q": "recu"})),
        ("search: 'remboursement colis'", lambda i: client.get(
            reverse("web:search"), {"q": "remboursement colis"})),
        ("search: contact 'helene'", lambda i: client.get(reverse("web:search"),
                                                          {"q": "helene bénard"})),
    ]
    print(f"\n{connection.vendor}: {Conversation.objects.count()} conversations, "
          f"{Message.objects.count()} messages; {args.runs} warm runs each")
    print(f"{'page':34} {'p50 ms':>8} {'p95 ms':>8}  queries")
    for label_text, fetch in pages:
        result = measure(label_text, fetch, args.runs)
        print(f"{result['page']:34} {result['p50_ms']:8.1f} {result['p95_ms']:8.1f}  "
              f"{result['queries']}", flush=True)


if __name__ == "__main__":
    main()
