"""Demo data: a French customer-service team's last thirty days, for `make demo`.

This is a history import. Customer messages enter through `ingest()`, the product's single
entrance, so contacts, identities, cross-channel links, merge suggestions and conversations are
made exactly as in production. Agents' work goes through the conversation actions (assign,
notes, statuses), except sending: a historical reply must never reach a provider, so it is
written as already delivered (`_record_historical_reply`). Afterwards the import moves every
row it made onto the thirty-day timeline (`_Timeline.apply`).

Everything is drawn from one `random.Random(seed)`, so two loads on two machines tell the same
story; only "now", the end of the timeline, differs.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import secrets
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connections, models, router, transaction
from django.utils import timezone

from omnicanal.accounts.models import Language, Role, Team, User
from omnicanal.connectors.actions import create_inbox
from omnicanal.connectors.base import (
    IdentityKind,
    InboundMessage,
    Sender,
    SenderIdentity,
    ThreadHints,
)
from omnicanal.contacts.actions import update_contact_attributes
from omnicanal.contacts.models import (
    AttributeDefinition,
    AttributeType,
    Company,
    Contact,
    Identity,
    MergeSuggestion,
    ValueTier,
)
from omnicanal.conversations.actions import add_note, assign, set_status
from omnicanal.conversations.events import realtime_paused
from omnicanal.conversations.ingest import ThreadingRule, ingest
from omnicanal.conversations.models import (
    ChannelKind,
    Conversation,
    DeliveryStatus,
    Direction,
    Inbox,
    Label,
    Message,
    OutboxEvent,
    Priority,
    Status,
)
from omnicanal.demo import texts
from omnicanal.demo.listening import load_listening_demo
from omnicanal.knowledge.demo import load_help_center_demo
from omnicanal.routing.actions import configure_agent
from omnicanal.routing.models import AutomationRule, CannedReply, Macro
from omnicanal.routing.sla import create_default_sla

DEFAULT_SEED = 42
# Full size: what a team of eight handles in a month, enough to make lists and filters real.
PERSONS_AT_FULL_SCALE = 200
CONVERSATIONS_AT_FULL_SCALE = 1000
HISTORY_DAYS = 30


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    role: Role
    language: Language = Language.FRENCH
    teams: tuple[str, ...] = ()


ADMIN = DemoAccount("admin@example.com", "Claire Fontaine", Role.ADMINISTRATOR)
SUPERVISOR = DemoAccount(
    "sophie.marchand@example.com", "Sophie Marchand", Role.SUPERVISOR,
    teams=(texts.SERVICE_CLIENT, texts.FACTURATION),
)
AGENTS = (
    DemoAccount("julien.moreau@example.com", "Julien Moreau", Role.AGENT,
                teams=(texts.SERVICE_CLIENT,)),
    DemoAccount("camille.bernard@example.com", "Camille Bernard", Role.AGENT,
                teams=(texts.SERVICE_CLIENT,)),
    DemoAccount("lea.petit@example.com", "Léa Petit", Role.AGENT, teams=(texts.SERVICE_CLIENT,)),
    DemoAccount("thomas.girard@example.com", "Thomas Girard", Role.AGENT,
                teams=(texts.SERVICE_CLIENT,)),
    DemoAccount("ines.benali@example.com", "Inès Benali", Role.AGENT,
                teams=(texts.SERVICE_CLIENT, texts.FACTURATION)),
    DemoAccount("nicolas.roux@example.com", "Nicolas Roux", Role.AGENT,
                teams=(texts.FACTURATION,)),
    DemoAccount("emma.wilson@example.com", "Emma Wilson", Role.AGENT, Language.ENGLISH,
                teams=(texts.SERVICE_CLIENT,)),
    DemoAccount("daniel.hughes@example.com", "Daniel Hughes", Role.AGENT, Language.ENGLISH,
                teams=(texts.FACTURATION,)),
)
# The English-speaking supervisor of the two English-speaking agents: with Emma Wilson, the
# accounts to try the workspace in English.
SUPERVISOR_EN = DemoAccount(
    "olivia.carter@example.com", "Olivia Carter", Role.SUPERVISOR, Language.ENGLISH,
    teams=(texts.SERVICE_CLIENT, texts.FACTURATION),
)
ACCOUNTS = (ADMIN, SUPERVISOR, SUPERVISOR_EN, *AGENTS)
# The logins `omnicanal demo` prints: one per role in French, a supervisor and an agent in
# English.
DEMO_LOGINS = (ADMIN, SUPERVISOR, AGENTS[0], SUPERVISOR_EN, AGENTS[6])
TEAMS = (texts.SERVICE_CLIENT, texts.FACTURATION)

# What each person takes at once, per kind of work (routing counts e-mail and chat apart:
# every messaging inbox is "chat"). Without a capacity routing assigns nothing, so every
# agent has one; supervisors take a little work too, as in small teams; the administrator
# none. Skills with levels (0 to 5): the languages each speaks and the billing know-how of
# the Facturation team, which an inbox or a rule may require (`required_skills`).
CAPACITY_BY_ROLE: dict[Role, dict[str, int]] = {
    Role.AGENT: {"chat": 3, "email": 5},
    Role.SUPERVISOR: {"chat": 1, "email": 2},
}
_LANGUAGE_SKILLS: dict[Language, dict[str, float]] = {
    Language.FRENCH: {"fr": 5, "en": 2},
    Language.ENGLISH: {"en": 5, "fr": 2},
}


def demo_skills(account: DemoAccount) -> dict[str, float]:
    skills = dict(_LANGUAGE_SKILLS[account.language])
    if texts.FACTURATION in account.teams:
        skills["facturation"] = 4
    return skills

# The demo's inboxes, with settings their channel's schema accepts. The credentials are
# placeholders: `omnicanal demo` points the inboxes at the local sinks it ships
# (`sinks.connect_demo_inboxes`: the API inbox's webhook, a Twilio stand-in; mail goes
# through the server's e-mail backend, which the demo sets to its own SMTP receiver), so
# that replies are delivered without leaving the machine. An administrator enters real ones
# in the settings. The web chat's site token is a real one: the widget works against the demo.
_PLACEHOLDER_TWILIO = {
    "account_sid": "AC" + "0" * 32,
    "auth_token": "demo-placeholder",
    "from_number": "+33700000000",
}
INBOXES: tuple[tuple[str, ChannelKind, dict[str, Any]], ...] = (
    ("Application mobile", ChannelKind.API, {}),
    ("E-mail support", ChannelKind.EMAIL, {
        "from_address": "support@omnicanal.example", "from_name": "Support Omnicanal",
    }),
    ("SMS", ChannelKind.SMS, _PLACEHOLDER_TWILIO),
    ("WhatsApp", ChannelKind.WHATSAPP, {"provider": "twilio", **_PLACEHOLDER_TWILIO}),
    ("Chat du site", ChannelKind.WEBCHAT, {"site_token": "demo-chat-du-site-0001"}),
)

SEGMENTS = ("particulier", "professionnel", "association")
ATTRIBUTES: tuple[tuple[str, str, AttributeType, list[str]], ...] = (
    ("numero_client", "Numéro client", AttributeType.TEXT, []),
    ("segment", "Segment", AttributeType.CHOICE, list(SEGMENTS)),
)

# Which identity a channel asserts: e-mail and signed-in web chat know the address, SMS and
# WhatsApp the number, the mobile app (a signed-in customer) knows both, which is what links a
# customer's e-mails to their text messages.
_EMAIL_FAMILY = {ChannelKind.EMAIL, ChannelKind.WEBCHAT}
_PHONE_FAMILY = {ChannelKind.SMS, ChannelKind.WHATSAPP}


class DemoDataConflict(Exception):
    """The database has accounts the demo would create, but not the demo itself."""


@dataclass(frozen=True)
class DemoSummary:
    is_already_loaded: bool
    counts: Mapping[str, int]
    seconds: float
    # False when the accounts were made with another password than the one now configured
    # (the password file was removed, or DEMO_PASSWORD changed since the first load).
    is_password_current: bool = True


def demo_password() -> str:
    """One password for every demo account: DEMO_PASSWORD, or one generated once into the data
    directory (mode 600) so that later runs print the same."""
    configured = settings.DEMO_PASSWORD
    if configured:
        return configured
    path = settings.DATA_DIR / "demo_password"
    if path.exists():
        stored = path.read_text().strip()
        if stored:
            return stored
        path.unlink()  # left empty by an interrupted first run
    password = secrets.token_urlsafe(12)
    try:
        # Created with its final mode, so the password is never readable by others, even
        # briefly; O_EXCL so that of two first runs at once, one writes and both use its word.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as file:
        file.write(password + "\n")
    return password


def load_demo_data(
    *, scale: float = 1.0, seed: int = DEFAULT_SEED, now: dt.datetime | None = None
) -> DemoSummary:
    """Load the demo once; a later call finds it and adds nothing.

    One transaction: a load that fails leaves nothing behind, so "the demo administrator
    exists" is a reliable sign of a complete demo. On SQLite it also spares a commit per message.
    """
    if not 0 < scale <= 10:
        raise ValueError("The scale must be above 0 and at most 10.")
    started = time.monotonic()
    password = demo_password()
    now = now or timezone.now()
    with transaction.atomic(), realtime_paused():
        admin = User.objects.filter(email=ADMIN.email).first()
        if admin is not None:
            names = set(Inbox.objects.values_list("name", flat=True))
            if not {name for name, _, _ in INBOXES} <= names:
                raise DemoDataConflict(
                    f"{ADMIN.email} exists but the demo inboxes do not: this database was not "
                    "made by the demo. Use an empty database (another OMNICANAL_DATA_DIR)."
                )
            return DemoSummary(
                is_already_loaded=True,
                counts=demo_counts(),
                seconds=time.monotonic() - started,
                is_password_current=admin.check_password(password),
            )
        _Importer(random.Random(seed), now, scale, password).run()
        load_help_center_demo()
        # The bot answers the site's chat first from the help center's articles (turned on
        # after the history is written: the demo's past conversations never met it).
        Inbox.objects.filter(name="Chat du site", channel=ChannelKind.WEBCHAT).update(
            bot_enabled=True)
    # After the commit: the history's events were dispatched, its facts are rebuilt from it.
    load_listening_demo(random.Random(seed))
    return DemoSummary(
        is_already_loaded=False, counts=demo_counts(), seconds=time.monotonic() - started
    )


def demo_counts() -> dict[str, int]:
    statuses = Counter(Conversation.objects.values_list("status", flat=True))
    directions = Counter(Message.objects.values_list("direction", flat=True))
    return {
        "accounts": User.objects.count(),
        "teams": Team.objects.count(),
        "inboxes": Inbox.objects.count(),
        "contacts": Contact.objects.count(),
        "identities": Identity.objects.count(),
        "merge_suggestions": MergeSuggestion.objects.count(),
        "conversations": sum(statuses.values()),
        **{f"conversations_{status}": statuses[status] for status in Status.values},
        "messages": sum(directions.values()),
        **{f"messages_{direction}": directions[direction] for direction in Direction.values},
    }


# The plan: who writes when about what, drawn before anything touches the database.

BeatKind = Literal[
    "opening", "follow_up", "thanks", "reminder",  # the customer, through ingest()
    "answer", "question", "wait", "closing",  # an agent's reply
    "note", "assign", "triage", "status",
]
_CUSTOMER_BEATS = {"opening", "follow_up", "thanks", "reminder"}
_REPLY_BEATS = {"answer", "question", "wait", "closing"}

# Each script is a thread that ends in the status it is listed under; at most six messages
# (customer, replies and notes) besides the activity lines that assign and status add.
_SCRIPTS: dict[Status, tuple[tuple[BeatKind, ...], ...]] = {
    Status.RESOLVED: (
        ("opening", "assign", "answer", "thanks", "status"),
        ("opening", "assign", "answer", "status"),
        ("opening", "assign", "question", "follow_up", "closing", "status"),
        ("opening", "assign", "note", "question", "follow_up", "closing", "status"),
        ("opening", "assign", "question", "follow_up", "note", "closing", "thanks", "status"),
    ),
    Status.PENDING: (
        ("opening", "assign", "question", "status"),
        ("opening", "assign", "note", "question", "status"),
        ("opening", "reminder", "assign", "question", "status"),
    ),
    Status.SNOOZED: (
        ("opening", "assign", "wait", "status"),
        ("opening", "assign", "note", "wait", "status"),
        ("opening", "assign", "question", "follow_up", "wait", "status"),
    ),
    Status.OPEN: (
        ("opening",),
        ("opening", "triage"),
        ("opening", "reminder"),
        ("opening", "assign", "question", "follow_up"),
        ("opening", "assign", "note", "question", "follow_up"),
        ("opening", "assign", "note"),
    ),
}
# When an earlier thread must end before the customer's next one on the same channel starts.
_SHORT_SCRIPT: tuple[BeatKind, ...] = ("opening", "assign", "answer", "status")


@dataclass
class Person:
    """A customer as the company's CRM knows them; the product learns them from messages."""

    index: int
    first_name: str
    last_name: str
    email: str
    phone: str
    customer_number: str
    segment: str
    company: str
    is_gold: bool
    city: str
    visitor_id: str
    channels: list[ChannelKind]

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass
class Beat:
    kind: BeatKind
    at: dt.datetime
    text: str = ""
    actor: str = ""  # e-mail of the agent who acts or writes
    assignee: str = ""
    team: str = ""


@dataclass
class ConversationPlan:
    person: Person
    channel: ChannelKind
    start: dt.datetime
    topic: texts.Topic
    case: texts.Case
    context: dict[str, str]
    priority: Priority
    # A visitor who typed an address into the chat form instead of signing in: the product
    # cannot trust it, so it makes a new contact and a merge suggestion.
    is_anonymous: bool = False
    anonymous_id: str = ""
    subject: str = ""
    status: Status = Status.OPEN
    snoozed_until: dt.datetime | None = None
    beats: list[Beat] = field(default_factory=list)
    conversation_id: int | None = None


class _Clock:
    """Business hours in the team's time zone: weekdays 9:00 to 18:00, Saturday 9:00 to 12:00."""

    OPENING = dt.time(9, 0)

    def __init__(self, now: dt.datetime) -> None:
        self.zone = ZoneInfo(settings.TIME_ZONE)
        self.now = now.astimezone(self.zone)

    def closing(self, day: dt.date) -> dt.time | None:
        weekday = day.weekday()
        if weekday == 6:
            return None
        return dt.time(12, 0) if weekday == 5 else dt.time(18, 0)

    def next_opening(self, moment: dt.datetime) -> dt.datetime:
        day = moment.date()
        if moment.time() >= self.OPENING:
            day += dt.timedelta(days=1)
        while self.closing(day) is None:
            day += dt.timedelta(days=1)
        return dt.datetime.combine(day, self.OPENING, tzinfo=self.zone)

    def later(self, moment: dt.datetime, minutes: float) -> dt.datetime:
        """`minutes` of business time after `moment`: what doesn't fit today goes on tomorrow."""
        # Whole seconds, as providers timestamp messages.
        remaining = dt.timedelta(seconds=round(minutes * 60))
        moment = moment.astimezone(self.zone)
        while True:
            closing = self.closing(moment.date())
            if closing is not None and moment.time() >= self.OPENING:
                end = dt.datetime.combine(moment.date(), closing, tzinfo=self.zone)
                if moment + remaining <= end:
                    return moment + remaining
                if moment < end:
                    remaining -= end - moment
            moment = self.next_opening(moment)

    def starts(self, rng: random.Random, count: int) -> list[dt.datetime]:
        """When `count` conversations began: business hours of the last thirty days, busier on
        Monday and late morning, as contact centres see."""
        days = [self.now.date() - dt.timedelta(days=n) for n in range(HISTORY_DAYS)]
        days = [day for day in days if self.closing(day) is not None]
        day_weights = [(1.3, 1.0, 1.0, 1.0, 0.9, 0.35)[day.weekday()] for day in days]
        hour_weights = {9: 8, 10: 12, 11: 11, 12: 6, 13: 5, 14: 9, 15: 10, 16: 9, 17: 6}
        latest = self.now - dt.timedelta(minutes=5)
        starts: list[dt.datetime] = []
        while len(starts) < count:
            day = rng.choices(days, day_weights)[0]
            closing = self.closing(day)
            assert closing is not None
            hours = [h for h in hour_weights if h < closing.hour]
            hour = rng.choices(hours, [hour_weights[h] for h in hours])[0]
            moment = dt.datetime.combine(
                day, dt.time(hour, rng.randrange(60), rng.randrange(60)), tzinfo=self.zone
            )
            if moment <= latest:
                starts.append(moment)
        return sorted(starts)


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isalnum() and c.isascii()).lower()


def _hex(rng: random.Random, digits: int) -> str:
    return f"{rng.getrandbits(digits * 4):0{digits}x}"


def _euros(cents: int) -> str:
    return f"{cents // 100},{cents % 100:02d} €"


def _french_date(day: dt.date, *, weekday: bool = False) -> str:
    number = "1er" if day.day == 1 else str(day.day)
    text = f"{number} {texts.MONTHS[day.month - 1]}"
    return f"{texts.WEEKDAYS[day.weekday()]} {text}" if weekday else text


def _mobile(rng: random.Random, used: set[str]) -> str:
    while True:
        if rng.random() < 0.7:
            # 06 39 98 xx xx is, as far as we know, the block ARCEP's numbering plan sets aside
            # for fiction. Nothing is sent to any of these numbers anyway: no provider is set.
            number = f"+3363998{rng.randrange(10000):04d}"
        else:
            number = f"+337{rng.randint(50, 89)}{rng.randrange(1000000):06d}"
        if number not in used:
            used.add(number)
            return number


class _Planner:
    def __init__(self, rng: random.Random, now: dt.datetime, scale: float) -> None:
        self.rng = rng
        self.clock = _Clock(now)
        self.person_count = max(8, round(PERSONS_AT_FULL_SCALE * scale))
        self.conversation_count = max(
            self.person_count, round(CONVERSATIONS_AT_FULL_SCALE * scale)
        )

    def persons(self) -> list[Person]:
        rng = self.rng
        emails: set[str] = set()
        phones: set[str] = set()
        persons = []
        kinds = [ChannelKind.EMAIL, ChannelKind.WEBCHAT, ChannelKind.WHATSAPP,
                 ChannelKind.SMS, ChannelKind.API]
        for index in range(self.person_count):
            first, last = rng.choice(texts.FIRST_NAMES), rng.choice(texts.LAST_NAMES)
            domain = rng.choice(("example.com", "example.net", "example.org"))
            local = rng.choice(
                (f"{_ascii(first)}.{_ascii(last)}", f"{_ascii(first)[0]}{_ascii(last)}",
                 f"{_ascii(first)}{_ascii(last)[:4]}{rng.randint(1, 99)}")
            )
            while f"{local}@{domain}" in emails:
                local += str(rng.randint(0, 9))
            emails.add(f"{local}@{domain}")
            channels = [rng.choices(kinds, (35, 20, 15, 15, 15))[0]]
            for chance in (0.4, 0.12):
                if rng.random() < chance:
                    extra = rng.choice([k for k in kinds if k not in channels])
                    channels.append(extra)
            if ChannelKind.API not in channels and (
                _EMAIL_FAMILY & set(channels) and _PHONE_FAMILY & set(channels)
            ):
                # Only the app knows both the address and the number: without a first
                # conversation there, this customer's e-mails and texts would stay two contacts.
                channels.insert(0, ChannelKind.API)
            elif ChannelKind.API in channels:
                channels.remove(ChannelKind.API)
                channels.insert(0, ChannelKind.API)
            segment = rng.choices(SEGMENTS, (80, 15, 5))[0]
            persons.append(
                Person(
                    index=index,
                    first_name=first,
                    last_name=last,
                    email=f"{local}@{domain}",
                    phone=_mobile(rng, phones),
                    customer_number=f"C-{100000 + index * 37 + rng.randrange(37):06d}",
                    segment=segment,
                    company=rng.choice(texts.COMPANIES) if segment == "professionnel" else "",
                    is_gold=rng.random() < 0.08,
                    city=rng.choice(texts.CITIES),
                    visitor_id=f"visitor-{_hex(rng, 12)}",
                    channels=channels,
                )
            )
        return persons

    def conversations(self, persons: list[Person]) -> list[ConversationPlan]:
        rng = self.rng
        starts = self.clock.starts(rng, self.conversation_count)
        # Everyone writes at least once; some customers write far more often than others.
        weights = [rng.choice((1, 1, 1, 2, 2, 3, 5, 8)) for _ in persons]
        owners = list(persons) + rng.choices(persons, weights, k=len(starts) - len(persons))
        rng.shuffle(owners)
        seen: Counter[int] = Counter()  # conversations so far, by person
        plans = []
        for start, person in zip(starts, owners, strict=True):
            nth = seen[person.index]
            seen[person.index] += 1
            # The first conversations go through each of the customer's channels in turn, so
            # that the cross-channel timeline has something to show.
            channel = person.channels[nth] if nth < len(person.channels) else rng.choice(
                person.channels
            )
            topic = rng.choice(texts.TOPICS)
            case = rng.choice(topic.cases)
            priority = rng.choices(
                (Priority.URGENT, Priority.HIGH, Priority.NORMAL, Priority.LOW),
                (8, 25, 60, 7) if person.is_gold else (3, 10, 70, 17),
            )[0]
            plan = ConversationPlan(
                person, channel, start, topic, case, self.context(person, start), priority
            )
            if (
                nth >= len(person.channels)
                and channel in _EMAIL_FAMILY | {ChannelKind.API}
                and rng.random() < 0.012
            ):
                plan.channel = ChannelKind.WEBCHAT
                plan.is_anonymous = True
                plan.anonymous_id = f"anonymous-{_hex(rng, 12)}"
            plans.append(plan)
        return self.threads(plans)

    def threads(self, plans: list[ConversationPlan]) -> list[ConversationPlan]:
        """Write each conversation's beats. On a channel, a customer's earlier conversation is
        resolved before their next one starts: otherwise the product would have threaded the
        next messages into it, and the demo would show what the product never makes."""
        groups: dict[tuple[int, ChannelKind, str], list[ConversationPlan]] = defaultdict(list)
        for plan in plans:
            groups[(plan.person.index, plan.channel, plan.anonymous_id)].append(plan)
        kept: list[ConversationPlan] = []
        for group in groups.values():
            index = 0
            while index < len(group):
                plan = group[index]
                following = group[index + 1] if index + 1 < len(group) else None
                if following is None:
                    self.write(plan, self.draw_status(plan), deadline=None)
                    kept.append(plan)
                    index += 1
                elif self.write(plan, Status.RESOLVED, deadline=following.start) or self.write(
                    plan, Status.RESOLVED, deadline=following.start, script=_SHORT_SCRIPT
                ):
                    kept.append(plan)
                    index += 1
                else:
                    # The next one starts before this one can end: it never happened.
                    del group[index + 1]
        return sorted(kept, key=lambda plan: plan.start)

    def draw_status(self, plan: ConversationPlan) -> Status:
        # Old threads are mostly settled (a few still wait for the customer); the last days
        # hold the queue the team works on. Nobody snoozes a thread for weeks.
        age = self.clock.now - plan.start
        if age > dt.timedelta(days=7):
            weights = (93, 5, 0, 2)
        elif age > dt.timedelta(days=2):
            weights = (45, 20, 10, 25)
        else:
            weights = (15, 20, 10, 55)
        statuses = (Status.RESOLVED, Status.PENDING, Status.SNOOZED, Status.OPEN)
        return self.rng.choices(statuses, weights)[0]

    def write(
        self,
        plan: ConversationPlan,
        status: Status,
        *,
        deadline: dt.datetime | None,
        script: tuple[BeatKind, ...] | None = None,
    ) -> bool:
        """Fill `plan.beats` for a thread ending in `status`. With a deadline the whole thread
        must fit before it (False if not); without, it is cut at "now" and ends where it is."""
        rng = self.rng
        script = script or rng.choice(_SCRIPTS[status])
        team = plan.topic.team
        agents = [a for a in AGENTS if team in a.teams]
        agent = rng.choice(agents).email
        assigner = rng.choice((SUPERVISOR.email, agent))
        fast = deadline is not None and script is _SHORT_SCRIPT
        beats: list[Beat] = []
        moment = plan.start
        for kind in script:
            if beats:
                moment = self.clock.later(moment, 2 if fast else self.delay(kind, plan.channel))
            if kind in _CUSTOMER_BEATS:
                beat = Beat(kind, moment, self.customer_text(plan, kind, first=not beats))
            elif kind in _REPLY_BEATS:
                first_reply = not any(b.kind in _REPLY_BEATS for b in beats)
                beat = Beat(kind, moment, self.agent_text(plan, kind, agent, first_reply),
                            actor=agent)
            elif kind == "note":
                author = SUPERVISOR.email if rng.random() < 0.2 else agent
                beat = Beat(kind, moment, rng.choice(plan.case.notes).format(**plan.context),
                            actor=author)
            elif kind == "assign":
                beat = Beat(kind, moment, actor=assigner, assignee=agent, team=team)
            elif kind == "triage":
                beat = Beat(kind, moment, actor=SUPERVISOR.email, team=team)
            else:
                beat = Beat(kind, moment, actor=agent)
            beats.append(beat)
        if deadline is not None and beats[-1].at >= deadline:
            return False
        latest = self.clock.now - dt.timedelta(minutes=1)
        played = [beat for beat in beats if beat.at <= latest]
        plan.beats = played
        if played[-1].kind == "status":
            plan.status = status
        else:
            # Cut short by "now": the agent has not set a status yet.
            plan.status = Status.OPEN
        if plan.status == Status.SNOOZED:
            days = rng.randint(1, 3)
            plan.snoozed_until = self.clock.next_opening(self.clock.now + dt.timedelta(days=days))
        if plan.channel == ChannelKind.EMAIL:
            plan.subject = plan.case.subject.format(**plan.context)
        return True

    def delay(self, kind: BeatKind, channel: ChannelKind) -> float:
        """Minutes of business time before this beat, by how people use each channel."""
        rng = self.rng
        chat = channel in (ChannelKind.WEBCHAT, ChannelKind.WHATSAPP)
        if kind in ("assign", "triage", "status", "note"):
            return rng.uniform(1, 20)
        if kind in _REPLY_BEATS:
            if chat:
                return rng.uniform(1, 12)
            return rng.uniform(20, 300) if channel == ChannelKind.EMAIL else rng.uniform(5, 120)
        if kind == "reminder":
            return rng.uniform(60, 900)
        if chat:
            return rng.uniform(1, 10)
        return rng.uniform(10, 600)

    def context(self, person: Person, start: dt.datetime) -> dict[str, str]:
        """The facts of one conversation, shared by all its messages."""
        rng = self.rng
        ordered = (start - dt.timedelta(days=rng.randint(2, 12))).date()
        appointment = (start + dt.timedelta(days=rng.randint(2, 10))).date()
        if appointment.weekday() == 6:
            appointment += dt.timedelta(days=1)
        plan, new_plan = rng.sample(texts.PLANS, 2)
        amount = rng.randint(1500, 35000)
        postcode = texts.POSTCODES[person.city]
        return {
            "prenom": person.first_name,
            "nom": person.last_name,
            "email": person.email,
            "nouvel_email": f"{_ascii(person.first_name)}.{_ascii(person.last_name)}"
            f"{rng.randint(1, 99)}@example.org",
            "commande": f"CMD-{rng.randint(100000, 999999)}",
            "facture": f"FA-{start.year}-{rng.randint(10000, 99999)}",
            "montant": _euros(amount),
            "montant_paye": _euros(amount * 9 // 10),
            "hausse": _euros(rng.choice((200, 300, 500))),
            "produit": rng.choice(texts.PRODUCTS),
            "appareil": rng.choice(texts.APPLIANCES),
            "transporteur": rng.choice(texts.CARRIERS),
            "suivi": f"6A{rng.randint(10**10, 10**11 - 1)}",
            "date_commande": _french_date(ordered),
            "date_livraison": _french_date(ordered + dt.timedelta(days=3)),
            "jours": str(rng.randint(3, 8)),
            "adresse": f"{rng.randint(1, 120)} {rng.choice(texts.STREETS)}, {postcode} "
            f"{person.city}",
            "societe": person.company or rng.choice(texts.COMPANIES),
            "tva": f"{rng.randint(10, 99)}{rng.randint(100000000, 999999999)}",
            "enquete": f"ENQ-{rng.randint(10000, 99999)}",
            "ticket": str(rng.randint(1000, 9999)),
            "numero_client": person.customer_number,
            "code_postal": postcode,
            "ville": person.city,
            "rdv_date": _french_date(appointment, weekday=True),
            "rdv_heure": rng.choice(("9 h", "10 h 30", "14 h", "15 h 30", "17 h")),
            "offre": plan,
            "nouvelle_offre": new_plan,
        }

    def customer_text(self, plan: ConversationPlan, kind: BeatKind, *, first: bool) -> str:
        rng = self.rng
        pool = {
            "opening": plan.case.openings,
            "follow_up": (plan.case.details,),
            "thanks": texts.THANKS,
            "reminder": texts.REMINDERS,
        }[kind]
        body = rng.choice(pool).format(**plan.context)
        if plan.channel == ChannelKind.EMAIL:
            signature = plan.person.full_name if first else plan.person.first_name
            greeting = "Bonjour,\n\n" if first or rng.random() < 0.5 else ""
            sign_off = rng.choice(texts.CUSTOMER_SIGN_OFFS) + "\n" if first else ""
            return f"{greeting}{body}\n\n{sign_off}{signature}"
        if first and rng.random() < 0.6:
            return f"Bonjour, {body[0].lower()}{body[1:]}"
        return body

    def agent_text(
        self, plan: ConversationPlan, kind: BeatKind, agent: str, first_reply: bool
    ) -> str:
        template = {
            "answer": plan.case.answer,
            "question": plan.case.question,
            "wait": plan.case.wait,
            "closing": plan.case.closing,
        }[kind]
        body = template.format(**plan.context)
        agent_name = next(a.name for a in AGENTS if a.email == agent).split()[0]
        # Over SMS the number is all the agent sees of an unknown sender.
        greeting = "Bonjour," if plan.channel == ChannelKind.SMS else (
            f"Bonjour {plan.person.first_name},"
        )
        if plan.channel == ChannelKind.EMAIL:
            return (
                f"Bonjour {plan.person.full_name},\n\n{body}\n\nBien cordialement,\n"
                f"{agent_name}\n{plan.topic.team}"
            )
        if first_reply:
            return f"{greeting} {body[0].lower()}{body[1:]}"
        return body


# Playing the plan against the database.


class _Timeline:
    """Where each imported row belongs on the thirty-day timeline.

    ingest() and the actions stamp rows with the present, as they must for live traffic. A
    history import is the one place allowed to rewrite timestamps afterwards: it records the
    historical values of every row it makes and writes them all at the end, in bulk.
    """

    def __init__(self) -> None:
        self.rows: dict[type[models.Model], dict[int, dict[str, Any]]] = defaultdict(dict)

    def set(self, model: type[models.Model], pk: int, **values: Any) -> None:
        self.rows[model].setdefault(pk, {}).update(values)

    def apply(self) -> None:
        for model, rows in self.rows.items():
            _rewrite_rows(model, rows)


def _rewrite_rows(model: type[models.Model], rows: Mapping[int, Mapping[str, Any]]) -> None:
    """One `UPDATE … WHERE pk = …` per row, sent with executemany.

    bulk_update() builds a CASE expression with a branch per row; on the ~15,000 rows of the
    full demo it took seconds, this takes a fraction of one.
    """
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    groups: dict[tuple[str, ...], list[tuple[int, Mapping[str, Any]]]] = defaultdict(list)
    for pk, values in rows.items():
        groups[tuple(sorted(values))].append((pk, values))
    for names, group in groups.items():
        fields = []
        for name in names:
            field_ = model._meta.get_field(name)
            assert isinstance(field_, models.Field)
            fields.append(field_)
        assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
        pk_column = quote(model._meta.pk.column)
        # Table and column names come from the models, never from input.
        sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {pk_column} = %s"  # noqa: S608
        params = [
            [f.get_db_prep_save(values[f.name], connection) for f in fields] + [pk]
            for pk, values in group
        ]
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)


def _thread_into(
    conversation_id: int | None, latest: Mapping[tuple[int, int], int]
) -> ThreadingRule:
    """The import knows which conversation each message belongs to, as an e-mail channel knows
    it from its headers: the first message opens a new conversation (linked, as ingest() links
    it, to the contact's previous one in the inbox), the others join it."""

    def rule(inbox: Inbox, contact: Contact, inbound: InboundMessage) -> Conversation:
        if conversation_id is not None:
            return Conversation.objects.select_for_update().get(pk=conversation_id)
        return Conversation(
            inbox=inbox,
            contact=contact,
            previous_id=latest.get((inbox.pk, contact.pk)),
            last_activity_at=timezone.now(),
        )

    return rule


def _record_historical_reply(
    conversation_id: int, inbox: Inbox, agent: User, text: str, sent_at: dt.datetime,
    provider_message_id: str,
) -> Message:
    """HISTORY IMPORT ONLY: an agent's reply that was delivered long ago.

    reply() enqueues a send to the customer's channel; a historical reply must never reach a
    provider, so it is written as already delivered, with no send task and no event (no
    consumer has anything to do about the past). What reply() also sets on the conversation
    (last activity, no longer waiting) the import sets once at the end, dated. Live replies
    always go through reply().
    """
    message = Message.objects.create(
        conversation_id=conversation_id,
        inbox=inbox,
        direction=Direction.OUTGOING,
        author=agent,
        text=text,
        provider_message_id=provider_message_id,
        delivery_status=DeliveryStatus.DELIVERED,
        send_attempts=1,
        metadata={"history_import": True},
        sent_at=sent_at,
    )
    return message


class _Importer:
    def __init__(self, rng: random.Random, now: dt.datetime, scale: float, password: str) -> None:
        self.rng = rng
        self.now = now
        self.planner = _Planner(rng, now, scale)
        self.password = password
        self.timeline = _Timeline()
        self.users: dict[str, User] = {}
        self.teams: dict[str, Team] = {}
        self.inboxes: dict[ChannelKind, Inbox] = {}
        # The contact each customer became, from their first signed-in conversation.
        self.contacts: dict[int, int] = {}
        self.contact_first_seen: dict[int, dt.datetime] = {}
        self.contact_last_seen: dict[int, dt.datetime] = {}
        # The latest conversation of each (inbox, contact), which a new one points back to.
        self.latest_conversation: dict[tuple[int, int], int] = {}
        # When each (contact, kind, value) was first asserted: when ingest() made that identity.
        self.identity_seen: dict[tuple[int, str, str], dt.datetime] = {}

    def run(self) -> None:
        first_event = _latest_pk(OutboxEvent)
        first_identity = _latest_pk(Identity)
        first_suggestion = _latest_pk(MergeSuggestion)
        first_message = _latest_pk(Message)
        self.create_accounts_and_inboxes()
        persons = self.planner.persons()
        plans = self.planner.conversations(persons)
        for plan in plans:
            self.play(plan)
        self.describe_contacts(persons)
        self.date_conversations(plans)
        self.date_activity_lines(plans, first_message, first_event)
        self.date_contacts(first_identity, first_suggestion)
        self.timeline.apply()
        # The events ingest() and the actions wrote describe the past: consumers (automations,
        # auto-replies, webhooks) must not act on them as if a customer were writing now.
        OutboxEvent.objects.filter(pk__gt=first_event).update(processed_at=timezone.now())

    def create_accounts_and_inboxes(self) -> None:
        joined = self.now - dt.timedelta(days=HISTORY_DAYS + 60)
        # One hash for every account: PBKDF2 costs a fraction of a second per call, by design.
        hashed = make_password(self.password)
        User.objects.bulk_create(
            User(
                email=account.email,
                name=account.name,
                role=account.role,
                language=account.language,
                password=hashed,
                is_superuser=account.role == Role.ADMINISTRATOR,
                date_joined=joined,
            )
            for account in ACCOUNTS
        )
        emails = [account.email for account in ACCOUNTS]
        self.users = {user.email: user for user in User.objects.filter(email__in=emails)}
        for account in ACCOUNTS:
            if account.role in CAPACITY_BY_ROLE:
                # Nobody is online during the import: nothing to dispatch.
                configure_agent(
                    self.users[account.email], capacity=CAPACITY_BY_ROLE[account.role],
                    skills=demo_skills(account), now=joined, dispatch=False,
                )
        for name in TEAMS:
            team = Team.objects.get_or_create(name=name)[0]
            team.members.add(*[self.users[a.email] for a in ACCOUNTS if name in a.teams])
            self.teams[name] = team
        for name, channel, inbox_settings in INBOXES:
            self.inboxes[channel] = create_inbox(
                None, name=name, channel=channel, settings=inbox_settings
            )
        Inbox.objects.filter(pk__in=[i.pk for i in self.inboxes.values()]).update(created_at=joined)
        for key, label, kind, choices in ATTRIBUTES:
            AttributeDefinition.objects.get_or_create(
                key=key, defaults={"label": label, "type": kind, "choices": choices}
            )
        # Office hours with French holidays and four SLA policies (urgent, gold, chat, the
        # rest). The history gets no clocks: its events are marked handled, not replayed.
        create_default_sla()
        _create_answers_and_rules()

    def play(self, plan: ConversationPlan) -> None:
        inbox = self.inboxes[plan.channel]
        conversation_id: int | None = None
        for beat in plan.beats:
            if beat.kind in _CUSTOMER_BEATS:
                inbound = self.inbound(plan, beat, first=conversation_id is None)
                threading = _thread_into(conversation_id, self.latest_conversation)
                result = ingest(inbox, inbound, threading=threading)
                if conversation_id is None:
                    self.timeline.set(Conversation, result.conversation_id, created_at=beat.at)
                    self.latest_conversation[(inbox.pk, result.contact_id)] = (
                        result.conversation_id
                    )
                conversation_id = plan.conversation_id = result.conversation_id
                self.timeline.set(Message, result.message_id, created_at=beat.at)
                contact_id = result.contact_id
                self.contact_first_seen.setdefault(contact_id, beat.at)
                self.contact_last_seen[contact_id] = beat.at
                for identity in inbound.sender.identities:
                    key = (contact_id, str(identity.kind), identity.value)
                    self.identity_seen.setdefault(key, beat.at)
                if not plan.is_anonymous:
                    self.contacts.setdefault(plan.person.index, contact_id)
                continue
            assert conversation_id is not None
            actor = self.users[beat.actor]
            if beat.kind in _REPLY_BEATS:
                message = _record_historical_reply(
                    conversation_id, inbox, actor, beat.text, beat.at,
                    provider_message_id=f"history-{_hex(self.rng, 16)}",
                )
                self.timeline.set(Message, message.pk, created_at=beat.at)
            elif beat.kind == "note":
                note = add_note(actor, conversation_id, beat.text)
                self.timeline.set(Message, note.pk, created_at=beat.at)
            elif beat.kind in ("assign", "triage"):
                assign(
                    actor, conversation_id,
                    assignee_id=self.users[beat.assignee].pk if beat.assignee else None,
                    team_id=self.teams[beat.team].pk,
                )
            else:
                set_status(actor, conversation_id, plan.status, snoozed_until=plan.snoozed_until)

    def inbound(self, plan: ConversationPlan, beat: Beat, *, first: bool) -> InboundMessage:
        person, rng = plan.person, self.rng
        email = SenderIdentity(IdentityKind.EMAIL, person.email)
        phone = SenderIdentity(IdentityKind.PHONE, person.phone)
        thread = ThreadHints()
        match plan.channel:
            case ChannelKind.EMAIL:
                domain = person.email.split("@")[1]
                external_id = f"<{_hex(rng, 24)}@{domain}>"
                identities = [email]
                name = person.full_name
                subject = plan.subject if first else f"RE: {plan.subject}"
                thread = ThreadHints(subject=subject)
            case ChannelKind.SMS:
                external_id = f"SM{_hex(rng, 32)}"
                identities = [phone]
                name = ""
            case ChannelKind.WHATSAPP:
                # Meta's WhatsApp id is the phone number, so WhatsApp and SMS meet on it.
                external_id = f"wamid.{_hex(rng, 40)}"
                identities = [SenderIdentity(IdentityKind.WHATSAPP, person.phone), phone]
                name = person.first_name
            case ChannelKind.WEBCHAT if plan.is_anonymous:
                external_id = f"wc-{_hex(rng, 24)}"
                identities = [
                    SenderIdentity(IdentityKind.WEBCHAT, plan.anonymous_id),
                    SenderIdentity(IdentityKind.EMAIL, person.email, is_verified=False),
                ]
                name = person.first_name
            case ChannelKind.WEBCHAT:
                # A signed-in visitor: the site vouches for the address (signed widget token).
                external_id = f"wc-{_hex(rng, 24)}"
                identities = [SenderIdentity(IdentityKind.WEBCHAT, person.visitor_id), email]
                name = person.full_name
            case _:
                external_id = f"app-{_hex(rng, 24)}"
                identities = [
                    SenderIdentity(IdentityKind.EXTERNAL, person.customer_number), email, phone
                ]
                name = person.full_name
        return InboundMessage(
            external_id=external_id,
            sender=Sender(identities, name),
            text=beat.text,
            sent_at=beat.at,
            thread=thread,
        )

    def describe_contacts(self, persons: Iterable[Person]) -> None:
        """What the CRM knows: customer number, segment, company, value tier."""
        companies = {
            name: Company.objects.get_or_create(name=name)[0] for name in texts.COMPANIES
        }
        by_contact = {
            self.contacts[person.index]: person for person in persons
            if person.index in self.contacts
        }
        for contact in Contact.objects.filter(pk__in=by_contact):
            person = by_contact[contact.pk]
            update_contact_attributes(
                contact,
                {"numero_client": person.customer_number, "segment": person.segment},
                actor=None,
            )
        gold = [pk for pk, person in by_contact.items() if person.is_gold]
        Contact.objects.filter(pk__in=gold).update(value_tier=ValueTier.GOLD)
        for name, company in companies.items():
            members = [pk for pk, person in by_contact.items() if person.company == name]
            Contact.objects.filter(pk__in=members).update(company=company)

    def date_conversations(self, plans: list[ConversationPlan]) -> None:
        """What ingest() and reply() would have set had the messages come at their time."""
        for plan in plans:
            assert plan.conversation_id is not None
            public = [b for b in plan.beats if b.kind in _CUSTOMER_BEATS | _REPLY_BEATS]
            waiting_since = None
            for beat in public:
                if beat.kind in _REPLY_BEATS:
                    waiting_since = None
                elif waiting_since is None:
                    waiting_since = beat.at
            resolved_at = plan.beats[-1].at if plan.status == Status.RESOLVED else None
            self.timeline.set(
                Conversation,
                plan.conversation_id,
                # No action sets a priority yet; the import gives the one the story needs.
                priority=plan.priority,
                last_activity_at=public[-1].at,
                waiting_since=None if resolved_at else waiting_since,
                resolved_at=resolved_at,
            )

    def date_activity_lines(
        self, plans: list[ConversationPlan], first_message: int, first_event: int
    ) -> None:
        """assign() and set_status() do not return the timeline lines they write (assign() may
        write two); their metadata says which action wrote each, hence its moment. Their
        status events get the same moment: the journeys' analytics read them."""
        moments: dict[tuple[int, str], dt.datetime] = {}
        for plan in plans:
            assert plan.conversation_id is not None
            for beat in plan.beats:
                if beat.kind in ("assign", "triage", "status"):
                    action = "status" if beat.kind == "status" else "assign"
                    moments[(plan.conversation_id, action)] = beat.at
        last_beat = {plan.conversation_id: plan.beats[-1].at for plan in plans}
        status_events = OutboxEvent.objects.filter(
            pk__gt=first_event, kind="conversation.status_changed"
        ).values_list("pk", "conversation_id")
        for pk, conversation_id in status_events:
            moment = moments.get((conversation_id, "status"), last_beat.get(conversation_id))
            if moment is not None:
                self.timeline.set(OutboxEvent, pk, created_at=moment)
        lines = Message.objects.filter(
            pk__gt=first_message, direction=Direction.ACTIVITY
        ).values_list("pk", "conversation_id", "metadata")
        for pk, conversation_id, metadata in lines:
            action = "status" if metadata.get("activity") == "status" else "assign"
            moment = moments.get((conversation_id, action), last_beat.get(conversation_id))
            if moment is not None:
                self.timeline.set(Message, pk, created_at=moment)

    def date_contacts(self, first_identity: int, first_suggestion: int) -> None:
        for pk, first_seen in self.contact_first_seen.items():
            self.timeline.set(
                Contact, pk, created_at=first_seen, updated_at=self.contact_last_seen[pk]
            )
        for pk, contact_id, kind, value in Identity.objects.filter(
            pk__gt=first_identity
        ).values_list("pk", "contact_id", "kind", "value"):
            moment = self.identity_seen.get((contact_id, kind, value))
            self.timeline.set(
                Identity, pk, created_at=moment or self.contact_first_seen[contact_id]
            )
        # A suggestion is made when the second of its two contacts writes.
        for pk, contact_id, candidate_id in MergeSuggestion.objects.filter(
            pk__gt=first_suggestion
        ).values_list("pk", "contact_id", "candidate_id"):
            moments = [self.contact_first_seen.get(c) for c in (contact_id, candidate_id)]
            known = [moment for moment in moments if moment is not None]
            if known:
                self.timeline.set(MergeSuggestion, pk, created_at=max(known))


def _create_answers_and_rules() -> None:
    """What a team sets up in its first week: a few canned replies and macros for the `/`
    menu, and one rule that flags urgent wording. Only new messages meet the rule."""
    for shortcut, title, text in texts.CANNED_REPLIES:
        CannedReply.objects.get_or_create(shortcut=shortcut, defaults={"title": title,
                                                                       "text": text})
    Label.objects.get_or_create(name="remboursement")
    Macro.objects.get_or_create(shortcut="remboursement", defaults={
        "name": "Remboursement accepté",
        "actions": [
            {"type": "reply", "text": texts.REFUND_MACRO_REPLY},
            {"type": "add_label", "name": "remboursement"},
            {"type": "set_status", "status": "pending"},
        ],
    })
    Label.objects.get_or_create(name="urgent")
    AutomationRule.objects.get_or_create(name="Mots urgents", defaults={
        "trigger": "message_received",
        "conditions": [{"type": "message_text", "words": list(texts.URGENT_WORDS)}],
        "actions": [{"type": "set_priority", "priority": 1},
                    {"type": "add_label", "name": "urgent"}],
    })


def _latest_pk(model: type[models.Model]) -> int:
    latest = model._default_manager.order_by("-pk").values_list("pk", flat=True).first()
    return latest or 0
