"""Every change to notifications: creating them (from the outbox subscribers in
`subscribers.py`), reading them, and the agent's preferences."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from omnicanal.accounts.models import User
from omnicanal.conversations.models import Conversation
from omnicanal.core.exceptions import NotFound
from omnicanal.notifications.models import Kind, Notification, Preference
from omnicanal.notifications.texts import notification_text

logger = logging.getLogger(__name__)

# At most one browser notification per conversation per agent in this interval: a customer
# sending five short messages in a row makes one pop, not five.
BROWSER_INTERVAL = dt.timedelta(seconds=60)


@dataclass(frozen=True)
class Channels:
    """Where an agent wants one kind of notification."""

    is_in_app: bool
    is_browser: bool


# The bell gets everything; the desktop only what needs the agent now. New messages stay in
# the bell by default: on a busy day they would pop all the time.
DEFAULT_PREFERENCES: dict[Kind, Channels] = {
    Kind.ASSIGNED: Channels(True, True),
    Kind.MENTIONED: Channels(True, True),
    Kind.SLA_WARNING: Channels(True, True),
    Kind.SLA_BREACHED: Channels(True, True),
    Kind.NEW_MESSAGE: Channels(True, False),
    Kind.AUTOMATION: Channels(True, False),
}


def agent_group(user_id: int) -> str:
    """The channel-layer group of one agent's open workspace pages."""
    return f"agent.{user_id}"


def preferences(user: User) -> dict[Kind, Channels]:
    """The agent's choice for every kind, defaults filled in."""
    chosen = {
        Kind(row.kind): Channels(row.is_in_app, row.is_browser)
        for row in Preference.objects.filter(user=user)
    }
    return {kind: chosen.get(kind, DEFAULT_PREFERENCES[kind]) for kind in Kind}


def set_preferences(user: User, choices: Mapping[Kind, Channels]) -> dict[Kind, Channels]:
    """Save the agent's choices (kinds left out keep theirs).

    A browser notification opens its line of the bell (and the rate limit counts those
    lines), so a kind kept out of the bell never pops either.
    """
    with transaction.atomic():
        for kind, channels in choices.items():
            Preference.objects.update_or_create(
                user=user, kind=kind,
                defaults={
                    "is_in_app": channels.is_in_app,
                    "is_browser": channels.is_in_app and channels.is_browser,
                },
            )
    return preferences(user)


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_of(user: User) -> QuerySet[Notification]:
    """The agent's notifications, newest first (a grouped row counts from its last message)."""
    return (
        Notification.objects.filter(recipient=user)
        .select_related("actor", "conversation__contact")
        .prefetch_related("conversation__contact__identities")  # the contact's display name
        .order_by("-updated_at", "-id")
    )


def notify(
    recipient: User,
    kind: Kind,
    *,
    conversation: Conversation | None = None,
    actor: User | None = None,
    params: Mapping[str, Any] | None = None,
) -> Notification | None:
    """Tell `recipient` about something, as their preferences say; None when they are not
    told (their own action, an inactive agent, the kind turned off).

    New messages fold into the conversation's unread new-message row. After commit, the
    agent's open pages get the new unread count, and a browser notification when the kind
    is on for the desktop and the conversation did not pop one in the last minute.
    """
    if actor is not None and actor.pk == recipient.pk:
        return None
    if not recipient.is_active:
        return None
    channels = preferences(recipient)[kind]
    if not channels.is_in_app:
        return None
    now = timezone.now()
    notification = _store(recipient, kind, conversation, actor, dict(params or {}), now)
    is_popping = channels.is_browser and not _popped_recently(recipient, conversation, now)
    if is_popping:
        notification.popped_at = now
        notification.save(update_fields=["popped_at"])
    with translation.override(recipient.language):
        text = notification_text(notification)
    _push_after_commit(recipient.pk, {
        "kind": "notification.created",
        "conversation_id": conversation.pk if conversation else None,
        "notification_id": notification.pk,
        "text": text,
        "url": reverse("notifications:open", args=[notification.pk]),
        "unread_count": unread_count(recipient),
        # The page still pops only when the agent allowed it and is looking elsewhere.
        "is_browser": is_popping,
    })
    return notification


def _store(
    recipient: User,
    kind: Kind,
    conversation: Conversation | None,
    actor: User | None,
    params: dict[str, Any],
    now: dt.datetime,
) -> Notification:
    if kind == Kind.NEW_MESSAGE and conversation is not None:
        grouped = _fold_into_unread(recipient, conversation, actor, params, now)
        if grouped is not None:
            return grouped
        try:
            with transaction.atomic():
                return Notification.objects.create(
                    recipient=recipient, kind=kind, conversation=conversation, actor=actor,
                    params=params, updated_at=now,
                )
        except IntegrityError:
            # Another process created the unread row between our look and our insert.
            grouped = _fold_into_unread(recipient, conversation, actor, params, now)
            assert grouped is not None
            return grouped
    return Notification.objects.create(
        recipient=recipient, kind=kind, conversation=conversation, actor=actor, params=params,
        updated_at=now,
    )


def _fold_into_unread(
    recipient: User,
    conversation: Conversation,
    actor: User | None,
    params: dict[str, Any],
    now: dt.datetime,
) -> Notification | None:
    row = (
        Notification.objects.select_for_update()
        .filter(
            recipient=recipient, kind=Kind.NEW_MESSAGE, conversation=conversation,
            read_at__isnull=True,
        )
        .first()
    )
    if row is None:
        return None
    row.count = F("count") + 1
    row.params = params
    row.actor = actor
    row.updated_at = now
    row.save(update_fields=["count", "params", "actor", "updated_at"])
    row.refresh_from_db(fields=["count"])
    return row


def _popped_recently(
    recipient: User, conversation: Conversation | None, now: dt.datetime
) -> bool:
    if conversation is None:
        return False
    return Notification.objects.filter(
        recipient=recipient, conversation=conversation, popped_at__gt=now - BROWSER_INTERVAL
    ).exists()


def _push_after_commit(user_id: int, event: dict[str, Any]) -> None:
    message = {"type": "notification.push", "event": event}
    transaction.on_commit(lambda: _push(user_id, message))


def _push(user_id: int, message: dict[str, Any]) -> None:
    # As for domain events, the push is a convenience: the bell is right on the next page
    # load whatever happens here.
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(agent_group(user_id), message)
    except Exception:
        logger.exception("notification push failed for agent %s", user_id)


def notify_many(
    recipients: Iterable[User],
    kind: Kind,
    *,
    conversation: Conversation | None = None,
    actor: User | None = None,
    params: Mapping[str, Any] | None = None,
) -> list[Notification]:
    created = []
    for recipient in recipients:
        notification = notify(
            recipient, kind, conversation=conversation, actor=actor, params=params
        )
        if notification is not None:
            created.append(notification)
    return created


def _push_unread_count(user: User) -> None:
    # The agent's other tabs follow: their bells show the same count.
    _push_after_commit(
        user.pk, {"kind": "notification.read", "unread_count": unread_count(user)}
    )


def open_notification(user: User, notification_id: int) -> Notification:
    """Mark one of the agent's notifications read; another agent's is not found."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .filter(pk=notification_id, recipient=user)
            .first()
        )
        if notification is None:
            raise NotFound(_("No notification %(id)s."), id=notification_id)
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
            _push_unread_count(user)
    return notification


def mark_all_read(user: User) -> int:
    """Mark every unread notification of the agent read; returns how many were."""
    with transaction.atomic():
        marked = Notification.objects.filter(recipient=user, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        if marked:
            _push_unread_count(user)
    return marked


def mark_conversation_read(user: User, conversation_id: int) -> int:
    """The agent is looking at the conversation: what the bell says about it is known now
    (and new messages arriving while they read it start no group)."""
    unread = Notification.objects.filter(
        recipient=user, conversation_id=conversation_id, read_at__isnull=True
    )
    # Called on every view of a conversation: a read first, so that the usual case (nothing
    # unread) takes no write lock (SQLite's transactions here are IMMEDIATE).
    if not unread.exists():
        return 0
    with transaction.atomic():
        marked = unread.update(read_at=timezone.now())
        if marked:
            _push_unread_count(user)
    return marked


def conversations_with_unread(user: User, conversation_ids: list[int]) -> set[int]:
    """Which of these conversations have news the agent has not seen (a list's unread dot):
    one query for a page of rows."""
    if not conversation_ids:
        return set()
    return set(
        Notification.objects.filter(
            recipient=user, read_at__isnull=True, conversation_id__in=conversation_ids
        ).values_list("conversation_id", flat=True)
    )
