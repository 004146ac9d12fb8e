"""Search across contacts and message text: `search(user, query, filters)`.

One function for both engines, so that views, the API and tests never ask which database
runs:
- SQLite (embedded default): the FTS5 tables of `search_index`, accent-folded by their
  tokenizer; words match as prefixes ("comm" finds "commande"), as agents type them.
- PostgreSQL (production): `to_tsvector` with the unaccented French and English
  configurations, OR-ed so that either language's stemming finds the word ("élevés" finds
  "élevé"); the GIN index `msg_search` serves exactly that expression.

Highlights are built so that customer text can never inject markup: the engine marks matches
with private-use characters, the snippet is escaped, then the marks become <mark>.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from omnicanal.accounts.models import User
from omnicanal.contacts.actions import phone_number_in
from omnicanal.contacts.models import Contact, Identity
from omnicanal.conversations.actions import visible_conversations
from omnicanal.conversations.models import ChannelKind, Conversation, Direction, Message, Status

MESSAGE_LIMIT = 50
CONTACT_LIMIT = 20
# More words than this is a pasted paragraph, not a search; the rest is ignored.
MAX_TERMS = 8
_START, _STOP = "\ue000", "\ue001"
_WORD = re.compile(r"\w+")

FRENCH, ENGLISH, SIMPLE = "omnicanal_french", "omnicanal_english", "omnicanal_simple"


@dataclass(frozen=True)
class SearchFilters:
    channel: str | None = None
    inbox: int | None = None
    status: str | None = None

    @classmethod
    def from_query(cls, data: Any) -> SearchFilters:
        channel, status, inbox = data.get("channel"), data.get("status"), data.get("inbox", "")
        return cls(
            channel=channel if channel in ChannelKind.values else None,
            inbox=int(inbox) if inbox and str(inbox).isdigit() else None,
            status=status if status in Status.values else None,
        )

    def conversation_q(self, prefix: str = "") -> Q:
        q = Q()
        if self.channel:
            q &= Q(**{f"{prefix}inbox__channel": self.channel})
        if self.inbox:
            q &= Q(**{f"{prefix}inbox_id": self.inbox})
        if self.status:
            q &= Q(**{f"{prefix}status": self.status})
        return q


@dataclass(frozen=True)
class ContactHit:
    contact: Contact
    name_html: SafeString
    identities: list[tuple[Identity, SafeString]]
    latest_conversation_id: int | None


@dataclass(frozen=True)
class MessageHit:
    message: Message
    snippet_html: SafeString


@dataclass(frozen=True)
class SearchResults:
    query: str
    terms: list[str] = field(default_factory=list)
    contacts: list[ContactHit] = field(default_factory=list)
    messages: list[MessageHit] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.contacts or self.messages)


def search_terms(query: str) -> list[str]:
    """The words of the query: letters and digits only, so nothing the user types can be
    taken for the engine's query syntax."""
    return _WORD.findall(query.lower())[:MAX_TERMS]


def search(user: User, query: str, filters: SearchFilters | None = None) -> SearchResults:
    """Contacts (by name or identity) and messages (by text) matching every word of
    `query`, newest messages first (by arrival), among what the user may see."""
    filters = filters or SearchFilters()
    terms = search_terms(query)
    if not terms or not user.is_active:
        return SearchResults(query=query)
    return SearchResults(
        query=query,
        terms=terms,
        contacts=_contacts(user, query, terms, filters),
        messages=_messages(user, terms, query, filters),
    )


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


# Messages.


def _messages(
    user: User, terms: list[str], query: str, filters: SearchFilters
) -> list[MessageHit]:
    conversations = visible_conversations(user).filter(filters.conversation_q())
    if _is_postgres():
        messages = Message.objects.filter(conversation__in=conversations).exclude(
            direction=Direction.ACTIVITY
        )
        return _messages_postgres(messages, query)
    expression = _fts5_expression(terms)
    rows = _newest_matching_sqlite(conversations, expression)
    if not rows:
        return []
    # A range of rowids, not "rowid IN (…)": FTS5 serves a range from the index but answers
    # IN by walking every match (260 ms for "reçu" on the benchmark, 4 ms as a range).
    # snippet() is only computed for the page's rows inside the range.
    ids = [row.pk for row in rows]
    placeholders = ", ".join("%s" for _ in ids)
    sql = (
        # Only placeholders are formatted into the statement.
        "SELECT rowid, CASE WHEN rowid IN ("
        + placeholders
        + ") THEN snippet(conversations_message_fts, 0, %s, %s, '…', 16) END "
        "FROM conversations_message_fts WHERE conversations_message_fts MATCH %s "
        "AND rowid BETWEEN %s AND %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ids, _START, _STOP, expression, min(ids), max(ids)])
        snippets = {pk: snippet for pk, snippet in cursor.fetchall() if snippet is not None}
    return [MessageHit(row, _marked(snippets.get(row.pk) or row.text[:200])) for row in rows]


# How many index matches to check against the filters at first; each further round checks
# four times more, so a page costs a few queries whatever the number of matches.
FIRST_CANDIDATES = 1000
_NEWEST_MATCHES = (
    "SELECT rowid FROM conversations_message_fts WHERE conversations_message_fts MATCH %s "
    "ORDER BY rowid DESC LIMIT %s"
)
_NEWEST_MATCHES_BELOW = (
    "SELECT rowid FROM conversations_message_fts WHERE conversations_message_fts MATCH %s "
    "AND rowid < %s ORDER BY rowid DESC LIMIT %s"
)


def _newest_matching_sqlite(
    conversations: QuerySet[Conversation], expression: str
) -> list[Message]:
    """The newest visible matches, newest first, without sorting every match.

    A common word matches a large part of the history (an eighth of the benchmark's million
    messages for "reçu"): letting SQLite join all matches and sort them by date took 220 ms.
    The index hands out matches newest first (by rowid: ids grow with arrival), so the rows
    are checked against the filters in rounds, from the newest, until the page is full.
    """
    found: list[Message] = []
    below: int | None = None
    size = FIRST_CANDIDATES
    while len(found) < MESSAGE_LIMIT:
        with connection.cursor() as cursor:
            if below is None:
                cursor.execute(_NEWEST_MATCHES, [expression, size])
            else:
                cursor.execute(_NEWEST_MATCHES_BELOW, [expression, below, size])
            candidates = [row[0] for row in cursor.fetchall()]
        if not candidates:
            break
        # The filters are checked in two lookups by primary key, in Python: given the
        # candidates with the conversation filters as a subquery, SQLite's planner walks the
        # million messages instead of looking the candidates up (16 to 39 s on the benchmark).
        conversation_of = dict(
            Message.objects.filter(pk__in=candidates)
            .exclude(direction=Direction.ACTIVITY)
            .values_list("pk", "conversation_id")
        )
        allowed = set(
            conversations.filter(pk__in=set(conversation_of.values())).values_list(
                "pk", flat=True
            )
        )
        page = [
            pk for pk in candidates
            if pk in conversation_of and conversation_of[pk] in allowed
        ][: MESSAGE_LIMIT - len(found)]
        rows = {row.pk: row for row in _with_context(Message.objects.filter(pk__in=page))}
        found += [rows[pk] for pk in page]
        if len(candidates) < size:
            break
        below, size = candidates[-1], size * 4
    return found


def _fts5_expression(terms: list[str]) -> str:
    # Each word quoted (FTS5 would read OR, NOT, NEAR as operators) and a prefix; words are
    # AND-ed.
    return " ".join(f'"{term}"*' for term in terms)


def _messages_postgres(messages: QuerySet[Message], query: str) -> list[MessageHit]:
    from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchVector

    # Built exactly as the expression of the msg_search index (search_index.py).
    document = SearchVector("text", config=FRENCH) + SearchVector("text", config=ENGLISH)
    tsquery = SearchQuery(query, config=FRENCH, search_type="websearch") | SearchQuery(
        query, config=ENGLISH, search_type="websearch"
    )
    rows = list(
        _with_context(messages.annotate(document=document).filter(document=tsquery))
        .annotate(
            snippet=SearchHeadline(
                "text", tsquery, config=FRENCH, start_sel=_START, stop_sel=_STOP,
                max_words=30, min_words=10, max_fragments=2, fragment_delimiter=" … ",
            )
        )
        .order_by("-id")[:MESSAGE_LIMIT]
    )
    return [MessageHit(row, _marked(row.snippet)) for row in rows]


def _with_context(messages: QuerySet[Message]) -> QuerySet[Message]:
    return messages.select_related(
        "conversation__inbox", "conversation__contact", "author"
    ).prefetch_related("conversation__contact__identities")  # the contact's display name


def _marked(snippet: str) -> SafeString:
    return mark_safe(
        escape(snippet).replace(_START, "<mark>").replace(_STOP, "</mark>")
    )


# Contacts.


def _contacts(
    user: User, query: str, terms: list[str], filters: SearchFilters
) -> list[ContactHit]:
    if _is_postgres():
        prefix_query = " & ".join(f"{term}:*" for term in terms)
        by_name = Q(
            pk__in=RawSQL(
                "SELECT id FROM contacts_contact WHERE to_tsvector(%s::regconfig, name) "
                "@@ to_tsquery(%s::regconfig, %s)",
                [SIMPLE, SIMPLE, prefix_query],
            )
        )
    else:
        by_name = Q(
            pk__in=RawSQL(
                "SELECT rowid FROM contacts_contact_fts WHERE contacts_contact_fts MATCH %s",
                [_fts5_expression(terms)],
            )
        )
    # Addresses and numbers are matched as typed (they carry no accents), anywhere inside;
    # a phone number in any form also as stored, in E.164 ("06 39 98 38 91" finds
    # "+33639983891").
    phone = phone_number_in(query)
    identity_q = Q(value__icontains=query.strip())
    if phone:
        identity_q |= Q(value=phone)
    by_identity = Exists(Identity.objects.filter(identity_q, contact=OuterRef("pk")))
    visible = visible_conversations(user).filter(filters.conversation_q())
    latest = visible.filter(contact=OuterRef("pk")).order_by("-last_activity_at", "-id")
    contacts = Contact.objects.filter(by_name | Q(by_identity), merged_into__isnull=True)
    if filters != SearchFilters():
        contacts = contacts.filter(Exists(visible.filter(contact=OuterRef("pk"))))
    rows = list(
        contacts.annotate(latest_conversation_id=Subquery(latest.values("pk")[:1]))
        .prefetch_related("identities")
        .order_by("name", "pk")[:CONTACT_LIMIT]
    )
    return [
        ContactHit(
            contact=row,
            # A contact without a name shows its display name ("Visitor 58", an address).
            name_html=highlight(row.name or row.display_name, terms),
            identities=_identity_hits(row, terms, phone),
            latest_conversation_id=row.latest_conversation_id,
        )
        for row in rows
    ]


def _identity_hits(
    contact: Contact, terms: list[str], phone: str | None
) -> list[tuple[Identity, SafeString]]:
    """The contact's identities, each value once: a number that is both a phone and a
    WhatsApp identity reads the same, and is listed once (verified copy first)."""
    hits: dict[str, tuple[Identity, SafeString]] = {}
    identities = sorted(contact.identities.all(), key=lambda i: (not i.is_verified, i.pk))
    for identity in identities:
        shown = identity.display_value
        if shown in hits:
            continue
        if phone and identity.value == phone:
            hits[shown] = (identity, mark_safe(f"<mark>{escape(shown)}</mark>"))
        else:
            hits[shown] = (identity, highlight(shown, terms))
    return list(hits.values())


def fold(text: str) -> str:
    """Lower case without accents: "Élevé" → "eleve"."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def highlight(text: str, terms: list[str]) -> SafeString:
    """`text` escaped, with the words starting with a term marked, accents ignored."""
    folded_chars = [fold(c) for c in text]
    if any(len(c) != 1 for c in folded_chars):
        # A character folding to several (ß, ligatures): positions no longer line up;
        # better no mark than a wrong one.
        return escape(text)
    folded = "".join(folded_chars)
    folded_terms = [fold(term) for term in terms]
    marked = [False] * len(text)
    for match in _WORD.finditer(folded):
        for term in folded_terms:
            if match.group().startswith(term):
                for index in range(match.start(), match.start() + len(term)):
                    marked[index] = True
    parts, index = [], 0
    while index < len(text):
        end = index
        while end < len(text) and marked[end] == marked[index]:
            end += 1
        chunk = escape(text[index:end])
        parts.append(f"<mark>{chunk}</mark>" if marked[index] else chunk)
        index = end
    return mark_safe("".join(parts))

