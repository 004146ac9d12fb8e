"""Drafts: what an agent is writing in a conversation's composer, kept between visits.

A draft is its author's alone: every function takes the agent and touches only their row.
Sending a reply or a note deletes it (`actions.reply`, `actions.add_note`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from omnicanal.accounts.models import User
from omnicanal.conversations.actions import access_conversation
from omnicanal.conversations.models import Draft, DraftMode
from omnicanal.core.exceptions import InvalidInput


def save_draft(
    user: User, conversation_id: int, *, text: str, mode: str = DraftMode.REPLY
) -> Draft | None:
    """Keep what `user` has written so far; an empty composer deletes their draft (None)."""
    if mode not in DraftMode.values:
        raise InvalidInput(_("A draft is a reply or a note."))
    if len(text) > settings.MESSAGE_TEXT_MAX_LENGTH:
        raise InvalidInput(_("The text is longer than %(limit)s characters."),
                           limit=settings.MESSAGE_TEXT_MAX_LENGTH)
    conversation = access_conversation(user, conversation_id)
    if not text.strip():
        discard_draft(user, conversation.pk)
        return None
    with transaction.atomic():
        draft, _created = Draft.objects.update_or_create(
            author=user, conversation=conversation,
            defaults={"text": text, "mode": mode},
        )
    return draft


def draft_for(user: User, conversation_id: int) -> Draft | None:
    """`user`'s own draft in the conversation, if they left one."""
    return Draft.objects.filter(author=user, conversation_id=conversation_id).first()


def discard_draft(user: User, conversation_id: int) -> None:
    Draft.objects.filter(author=user, conversation_id=conversation_id).delete()
