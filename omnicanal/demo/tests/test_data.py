"""The demo loader: what `make demo` shows is real product data, made through ingest()."""

from __future__ import annotations

import datetime as dt
import random
import re
import string
from collections import defaultdict
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from omnicanal.accounts.models import Language, Role, Team, User
from omnicanal.conftest import inbound
from omnicanal.contacts.models import AttributeDefinition, Contact, ValueTier
from omnicanal.conversations import outbox
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import (
    ChannelKind,
    Conversation,
    DeliveryStatus,
    Direction,
    Inbox,
    Message,
    OutboxEvent,
)
from omnicanal.demo import texts
from omnicanal.demo.data import (
    ADMIN,
    DEMO_LOGINS,
    SUPERVISOR,
    DemoDataConflict,
    DemoSummary,
    _Planner,
    demo_password,
    load_demo_data,
)
from omnicanal.routing.actions import set_presence
from omnicanal.routing.macros import apply_macro
from omnicanal.routing.models import (
    AgentCapacity,
    AgentProfile,
    BusinessCalendar,
    CannedReply,
    Macro,
    Presence,
    SlaPolicy,
)
from omnicanal.testing.tasks import run_queued_tasks

# 3% of the full demo: 8 customers, 30 conversations, loaded in well under a second.
SCALE = 0.03
# A fixed end of the timeline (a Wednesday afternoon), so that the story, which depends on the
# weekday and hour it ends at, is the same whenever the tests run.
NOW = dt.datetime(2025, 3, 12, 15, 30, tzinfo=ZoneInfo("Europe/Paris"))
FRENCH_WORDS = re.compile(
    r"\b(je|j'|vous|votre|mon|ma|mes|merci|bonjour|est|le|la|les|de|des|pas|pour|ce|c'est)\b",
    re.IGNORECASE,
)


@pytest.fixture
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    settings.DEMO_PASSWORD = ""
    return tmp_path


@pytest.fixture
def demo(db: Any, data_dir: Path) -> DemoSummary:
    return load_demo_data(scale=SCALE, now=NOW)


def test_it_creates_the_team_with_one_password(demo: DemoSummary) -> None:
    admin = User.objects.get(email=ADMIN.email)
    assert admin.role == Role.ADMINISTRATOR and admin.is_superuser
    assert User.objects.get(email=SUPERVISOR.email).role == Role.SUPERVISOR
    agents = User.objects.filter(role=Role.AGENT)
    assert agents.count() == 8
    assert agents.filter(language=Language.ENGLISH).count() == 2
    assert admin.check_password(demo_password())
    # One hash for all: checking one more account proves they share the password.
    assert agents.first().check_password(demo_password())  # type: ignore[union-attr]
    teams = {team.name: team.members.count() for team in Team.objects.all()}
    assert set(teams) == {"Service client", "Facturation"}
    assert all(count >= 3 for count in teams.values())


def test_it_has_a_supervisor_and_an_agent_to_try_it_in_english(demo: DemoSummary) -> None:
    english = {(account.role, account.language) for account in DEMO_LOGINS
               if account.language == Language.ENGLISH}
    assert english == {(Role.SUPERVISOR, Language.ENGLISH), (Role.AGENT, Language.ENGLISH)}
    for account in DEMO_LOGINS:
        user = User.objects.get(email=account.email)
        assert (user.role, user.language) == (account.role, account.language)


def test_every_agent_and_supervisor_takes_work_with_skills(demo: DemoSummary) -> None:
    # Without a capacity, routing never assigns anything: a helpdesk broken by default.
    for user in User.objects.filter(role__in=[Role.AGENT, Role.SUPERVISOR]):
        capacity = dict(
            AgentCapacity.objects.filter(profile_id=user.pk).values_list("channel", "capacity")
        )
        assert capacity.get("chat", 0) >= 1 and capacity.get("email", 0) >= 1, user.email
        skills = AgentProfile.objects.get(pk=user.pk).skills
        assert skills["fr"] > 0 and skills["en"] > 0
    billing = User.objects.get(email="nicolas.roux@example.com")
    assert AgentProfile.objects.get(pk=billing.pk).skills["facturation"] >= 1
    assert not AgentCapacity.objects.filter(profile_id=User.objects.get(email=ADMIN.email).pk,
                                            capacity__gt=0).exists()


def test_a_new_conversation_goes_to_an_online_demo_agent(
    demo: DemoSummary, django_capture_on_commit_callbacks: Any
) -> None:
    agent = User.objects.get(email="emma.wilson@example.com")
    inbox = Inbox.objects.get(channel=ChannelKind.SMS)
    with django_capture_on_commit_callbacks(execute=True):
        set_presence(agent, Presence.ONLINE)
    with django_capture_on_commit_callbacks(execute=True):
        result = ingest(inbox, inbound("SM-new-customer", text="Bonjour, une question ?", email=None,
                                       phone="+33611223344"))

    assert Conversation.objects.get(pk=result.conversation_id).assignee == agent


def test_it_has_an_inbox_for_each_main_channel(demo: DemoSummary) -> None:
    channels = set(Inbox.objects.values_list("channel", flat=True))

    assert {ChannelKind.API, ChannelKind.EMAIL, ChannelKind.SMS, ChannelKind.WHATSAPP,
            ChannelKind.WEBCHAT} <= channels


def test_it_makes_about_the_expected_number_of_conversations(demo: DemoSummary) -> None:
    # A few planned conversations are dropped when a customer's earlier thread on the same
    # channel could not be over before the next one starts.
    assert 24 <= Conversation.objects.count() <= 30
    assert Contact.objects.count() >= 8
    for conversation in Conversation.objects.all():
        written = conversation.messages.exclude(direction=Direction.ACTIVITY).count()
        assert 1 <= written <= 6


def test_a_second_load_adds_nothing(demo: DemoSummary) -> None:
    messages = Message.objects.count()

    again = load_demo_data(scale=SCALE, now=NOW)

    assert again.is_already_loaded
    assert again.counts == demo.counts
    assert Message.objects.count() == messages


def test_a_database_with_its_own_administrator_is_not_touched(db: Any, data_dir: Path) -> None:
    User.objects.create_user(ADMIN.email, "someone-else-s-password")

    with pytest.raises(DemoDataConflict):
        load_demo_data(scale=SCALE, now=NOW)

    assert not Conversation.objects.exists()


def test_it_sets_french_office_hours_and_sla_policies(demo: DemoSummary) -> None:
    calendar = BusinessCalendar.objects.get(is_default=True)
    assert (calendar.time_zone, calendar.holiday_country) == ("Europe/Paris", "FR")
    assert SlaPolicy.objects.filter(priority=1).exists()
    assert SlaPolicy.objects.filter(value_tier=ValueTier.GOLD).exists()


def test_the_slash_menu_has_answers_and_urgent_words_raise_the_priority(
    demo: DemoSummary,
) -> None:
    agent = User.objects.get(email=SUPERVISOR.email)
    assert {"bonjour", "livraison", "attente"} <= set(
        CannedReply.objects.values_list("shortcut", flat=True))
    conversation_id = ingest(Inbox.objects.get(channel=ChannelKind.WHATSAPP), inbound(
        "wamid.demo-urgent", "C'est urgent, ma commande n'est jamais arrivée",
        phone="+33612345678", name="Nadia Benali")).conversation_id
    outbox.process_pending_events()

    conversation = Conversation.objects.get(pk=conversation_id)
    assert conversation.priority == 1
    assert conversation.labels.filter(name="urgent").exists()
    applied = apply_macro(agent, conversation_id, Macro.objects.get(shortcut="remboursement").pk)
    assert applied.reply_text.startswith("Bonjour Nadia, votre remboursement est validé")
    assert conversation.labels.filter(name="remboursement").exists()


def test_some_customers_have_one_history_across_channels(demo: DemoSummary) -> None:
    inboxes_by_contact: dict[int, set[int]] = defaultdict(set)
    for contact_id, inbox_id in Conversation.objects.values_list("contact_id", "inbox_id"):
        inboxes_by_contact[contact_id].add(inbox_id)

    assert any(len(inboxes) >= 2 for inboxes in inboxes_by_contact.values())


def test_contacts_carry_the_crm_attributes(demo: DemoSummary) -> None:
    assert set(AttributeDefinition.objects.values_list("key", flat=True)) >= {
        "numero_client", "segment"
    }
    described = Contact.objects.exclude(attributes={})
    assert described.exists()
    for contact in described:
        assert contact.attributes["segment"] in ("particulier", "professionnel", "association")
    assert set(Contact.objects.values_list("value_tier", flat=True)) <= set(ValueTier.values)


def test_customer_messages_are_french_and_came_through_ingest(demo: DemoSummary) -> None:
    incoming = Message.objects.filter(direction=Direction.INCOMING)
    ingested = set(
        OutboxEvent.objects.filter(
            kind="message.created", payload__direction="incoming"
        ).values_list("payload__message_id", flat=True)
    )

    assert incoming.exists()
    for message in incoming:
        # ingest() is the only writer that sets the provider's id and the outbox event.
        assert message.external_id
        assert message.pk in ingested
        assert FRENCH_WORDS.search(message.text), message.text
        assert "lorem" not in message.text.lower()
    assert any(re.search("[éèêàçù]", m.text) for m in incoming)


def test_history_is_never_sent_to_a_provider(
    db: Any, data_dir: Path, django_capture_on_commit_callbacks: Any
) -> None:
    # Committed, as `make demo` commits it: what follows the commit runs, then the worker
    # runs whatever was queued. A send queued by either would show in what ran.
    with django_capture_on_commit_callbacks(execute=True):
        load_demo_data(scale=SCALE, now=NOW)
        # Consumers must not act on the past as if a customer were writing now: nothing
        # is left for the dispatch that follows the commit.
        assert not OutboxEvent.objects.filter(processed_at__isnull=True).exists()
    # The only work queued is the knowledge base's search index (articles, and resolved
    # conversations for agents): nothing that reaches a customer or a provider.
    queued = set(DBTaskResult.objects.values_list("task_path", flat=True))
    assert queued <= {"omnicanal.knowledge.vectors_store.reindex_article",
                      "omnicanal.knowledge.vectors_store.reindex_conversation"}
    run_queued_tasks()

    replies = Message.objects.filter(direction=Direction.OUTGOING)
    assert replies.exists()
    assert not replies.exclude(delivery_status=DeliveryStatus.DELIVERED).exists()
    assert set(DBTaskResult.objects.values_list("task_path", flat=True)) == queued


def test_statuses_and_assignments_are_mixed(demo: DemoSummary) -> None:
    statuses = set(Conversation.objects.values_list("status", flat=True))

    assert {"open", "resolved"} <= statuses
    assert len(statuses) >= 3
    assert Conversation.objects.filter(assignee__isnull=False).exists()
    assert len(set(Conversation.objects.values_list("priority", flat=True))) >= 2


def test_history_is_spread_over_thirty_days_of_business_hours(demo: DemoSummary) -> None:
    now = NOW
    zone = timezone.get_current_timezone()
    moments = list(Message.objects.values_list("created_at", flat=True))

    assert min(moments) >= now - dt.timedelta(days=31)
    assert max(moments) <= now
    assert max(moments) - min(moments) > dt.timedelta(days=7)
    for moment in moments:
        local = moment.astimezone(zone)
        assert local.weekday() < 6 and 9 <= local.hour < 18, local
    for conversation in Conversation.objects.all():
        first = conversation.messages.order_by("created_at").first()
        assert first is not None and conversation.created_at == first.created_at
        assert conversation.last_activity_at <= now


def test_the_password_is_generated_once_and_readable_by_the_owner_only(
    data_dir: Path,
) -> None:
    password = demo_password()

    path = data_dir / "demo_password"
    assert path.stat().st_mode & 0o777 == 0o600
    assert demo_password() == password


def test_a_configured_demo_password_wins(data_dir: Path, settings: Any) -> None:
    settings.DEMO_PASSWORD = "montre-moi-la-demo"

    assert demo_password() == "montre-moi-la-demo"
    assert not (data_dir / "demo_password").exists()


def test_the_same_seed_tells_the_same_story() -> None:
    def story() -> list[tuple[str, str]]:
        planner = _Planner(random.Random(42), NOW, SCALE)
        plans = planner.conversations(planner.persons())
        return [(plan.person.email, beat.text) for plan in plans for beat in plan.beats]

    assert story() == story()


def test_every_template_fills_from_a_conversation_context() -> None:
    planner = _Planner(random.Random(1), timezone.now(), SCALE)
    person = planner.persons()[0]
    context = planner.context(person, timezone.now())
    templates = [*texts.THANKS, *texts.REMINDERS]
    for topic in texts.TOPICS:
        for case in topic.cases:
            templates += [case.subject, *case.openings, case.question, case.details,
                          case.answer, case.wait, case.closing, *case.notes]

    for template in templates:
        fields = {name for _, name, _, _ in string.Formatter().parse(template) if name}
        assert fields <= set(context), (template, fields - set(context))
        assert "{" not in template.format(**context)
