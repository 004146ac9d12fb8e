"""/reports/ over years of history: time of the report's query function and of the page.

Usage (from the repository root):
    .venv/bin/python bench/reports.py [--conversations 150000] [--years 3] [--reuse DIR]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_reports \
        .venv/bin/python bench/reports.py

Builds the data with bulk_create: contacts, conversations and one ConversationFact each, as
the journeys' handlers would have written them, about 7 messages a conversation (so more than
a million), spread over `--years` with a weekly and daily rhythm, five inboxes on four
channels, three teams, 24 agents, some survey answers and SLA clocks. The Message rows
themselves are written only with --message-rows: the reports never read that table, and a
million more rows triple the build. Then the daily facts are rebuilt (`daily.rebuild`, timed)
and the report is asked for the last 30 and 365 days, as an administrator (every row) and as
one agent (the narrowest scope): `reports.build_report` alone, then the whole page through
Django's test Client. Warm: each measured once first; reported p50 and max of `--runs`, wall
and CPU time in milliseconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from workspace import prepare_database

BATCH = 5000
CHANNELS = [("Chat du site", "webchat"), ("Support e-mail", "email"), ("WhatsApp", "whatsapp"),
            ("SMS", "sms"), ("Chat app", "webchat")]
TOPICS = ["Livraison", "Facture", "Remboursement", "Compte", "Retour", ""]


def build(conversations: int, years: int, message_rows: bool) -> None:
    from django.db import transaction
    from django.utils import timezone

    from omnicanal.accounts.models import Team, User
    from omnicanal.analytics.models import ConversationFact
    from omnicanal.contacts.models import Contact
    from omnicanal.conversations.models import Conversation, Direction, Inbox, Message
    from omnicanal.routing.models import SlaClock, SlaTarget
    from omnicanal.surveys.models import AnswerSource, SurveyKind, SurveyResponse

    rng = random.Random(16)
    # Creation times are the spread ones, not the build's (auto_now_add would overwrite them).
    Conversation._meta.get_field("created_at").auto_now_add = False
    inboxes = [Inbox.objects.create(name=name, channel=channel) for name, channel in CHANNELS]
    teams = [Team.objects.create(name=name) for name in ("Support", "Facturation", "VIP")]
    # No password: hashing 24 of them would take longer than the reports.
    agents = User.objects.bulk_create([User(email=f"agent{n}@example.com", name=f"Agent {n}",
                                            password="!") for n in range(24)])
    for index, member in enumerate(agents):
        teams[index % 3].members.add(member)
    now = timezone.now()
    span = years * 365 * 86400
    messages_written = 0
    for start in range(0, conversations, BATCH):
        count = min(BATCH, conversations - start)
        with transaction.atomic():
            contacts = Contact.objects.bulk_create(
                [Contact(name=f"Client {start + n}") for n in range(count)])
            created: list[dt.datetime] = []
            rows = []
            for n in range(count):
                # Business hours mostly, fewer at weekends.
                moment = now - dt.timedelta(seconds=rng.random() * span)
                moment = moment.replace(hour=rng.choice([8, 9, 9, 10, 10, 11, 14, 14, 15, 16,
                                                         17, 18, 21]))
                if moment.weekday() >= 5 and rng.random() < 0.6:
                    moment -= dt.timedelta(days=2)
                created.append(moment)
                agent: User | None = rng.choice(agents) if rng.random() < 0.93 else None
                rows.append(Conversation(
                    inbox=rng.choice(inboxes), contact=contacts[n], assignee=agent,
                    created_at=moment,
                    team=teams[agents.index(agent) % 3] if agent else None,
                    status="resolved", last_activity_at=moment,
                ))
            made = Conversation.objects.bulk_create(rows)
            facts, messages, surveys, clocks = [], [], [], []
            for conversation, moment in zip(made, created, strict=True):
                inbox = conversation.inbox
                is_abandoned = conversation.assignee_id is None and rng.random() < 0.7
                first_response = None if is_abandoned else rng.lognormvariate(6, 1.2)
                resolution = None if is_abandoned or rng.random() < 0.05 else (
                    rng.lognormvariate(9, 1.3))
                customer, agent_count = rng.randint(2, 6), (0 if is_abandoned
                                                            else rng.randint(1, 5))
                facts.append(ConversationFact(
                    conversation=conversation, contact_id=conversation.contact_id, inbox=inbox,
                    channel=inbox.channel, team_id=conversation.team_id,
                    agent_id=conversation.assignee_id, topic=rng.choice(TOPICS),
                    created_at=moment, first_response_s=first_response,
                    resolution_s=resolution,
                    resolved_at=moment + dt.timedelta(seconds=resolution) if resolution else None,
                    is_resolved=resolution is not None, is_abandoned=is_abandoned,
                    customer_messages=customer, agent_messages=agent_count,
                    handle_s=rng.uniform(60, 1500) if agent_count else None,
                ))
                for index in range((customer + agent_count) if message_rows else 0):
                    inbound = index < customer
                    messages.append(Message(
                        conversation=conversation, inbox=inbox,
                        direction=Direction.INCOMING if inbound else Direction.OUTGOING,
                        text="Bonjour, où en est ma commande ?" if inbound else "Elle arrive.",
                    ))
                if rng.random() < 0.15 and not is_abandoned:
                    kind = rng.choice([SurveyKind.CSAT, SurveyKind.NPS, SurveyKind.CES])
                    top = {SurveyKind.CSAT: 5, SurveyKind.NPS: 10, SurveyKind.CES: 7}[kind]
                    surveys.append(SurveyResponse(
                        kind=kind, conversation=conversation, contact_id=conversation.contact_id,
                        inbox=inbox, score=rng.randint(max(0, top - 6), top),
                        source=AnswerSource.REPLY, answered_at=moment,
                    ))
                if first_response is not None:
                    clocks.append(SlaClock(
                        conversation=conversation, target=SlaTarget.FIRST_RESPONSE,
                        target_seconds=900, started_at=moment,
                        stopped_at=moment + dt.timedelta(seconds=first_response),
                        breached_at=(moment + dt.timedelta(seconds=900)
                                     if first_response > 900 else None),
                    ))
            ConversationFact.objects.bulk_create(facts)
            if message_rows:
                Message.objects.bulk_create(messages, batch_size=2000)
            SurveyResponse.objects.bulk_create(surveys)
            SlaClock.objects.bulk_create(clocks)
            messages_written += sum(fact.customer_messages + fact.agent_messages
                                    for fact in facts)
        print(f"  {start + count} conversations, {messages_written} messages", flush=True)


def timed(function: object, runs: int) -> tuple[float, float, float]:
    """p50 and max wall time, p50 CPU time, in milliseconds."""
    assert callable(function)
    function()
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        function()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(walls), max(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=150_000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--message-rows", action="store_true",
                        help="also write the Message rows (the report never reads them)")
    parser.add_argument("--reuse", help="a SQLite data directory (PostgreSQL: any value)")
    args = parser.parse_args()
    must_build = prepare_database(args.reuse)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnicanal.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count, Sum
    from django.test import Client

    from omnicanal.accounts.models import Role, User
    from omnicanal.analytics import daily, reports
    from omnicanal.analytics.models import ConversationFact, DailyFact
    from omnicanal.conversations.models import Message

    settings.ALLOWED_HOSTS = ["*"]
    if must_build:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        build(args.conversations, args.years, args.message_rows)
        print(f"built in {time.perf_counter() - started:.0f} s")
        started = time.perf_counter()
        rows = daily.rebuild()
        print(f"daily.rebuild(): {rows} daily facts in {time.perf_counter() - started:.1f} s")
    counted = ConversationFact.objects.aggregate(
        messages=Sum("customer_messages") + Sum("agent_messages"), conversations=Count("pk"))
    print(f"database: {connection.vendor}; conversations: {counted['conversations']}; "
          f"messages: {counted['messages']} ({Message.objects.count()} Message rows); "
          f"daily facts: {DailyFact.objects.count()}")
    admin, _created = User.objects.get_or_create(
        email="admin@example.com", defaults={"role": Role.ADMINISTRATOR, "name": "Admin"})
    agent = User.objects.get(email="agent0@example.com")
    for user, who in ((admin, "administrator"), (agent, "one agent")):
        client = Client()
        client.force_login(user)
        for days in ("30", "365"):
            period = reports.parse_period({"days": days})
            facts = reports.scoped_facts(user).filter(day__gte=period.first).count()

            def report(user: User = user, period: reports.Period = period) -> None:
                reports.build_report(user, period)

            def page(client: Client = client, days: str = days) -> None:
                response = client.get(f"/reports/?days={days}")
                assert response.status_code == 200, response.status_code

            for name, function in (("build_report", report), ("GET /reports/", page)):
                p50, worst, cpu = timed(function, args.runs)
                print(f"{who:>13}, {days:>3} days ({facts:>6} daily facts), {name:<14}: "
                      f"p50 {p50:6.1f} ms, max {worst:6.1f} ms, CPU p50 {cpu:6.1f} ms")


if __name__ == "__main__":
    main()
