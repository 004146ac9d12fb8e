from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _repair_search_index(using: str, **kwargs: Any) -> None:
    from django.db import connections

    from omnicanal.conversations import search_index

    search_index.repair_sqlite(connections[using])


def _move_conversations(source_id: int, target_id: int) -> list[int]:
    """A contact merge: the source's conversations become the target's."""
    from omnicanal.conversations.models import Conversation

    moved = list(Conversation.objects.filter(contact_id=source_id).values_list("pk", flat=True))
    Conversation.objects.filter(pk__in=moved).update(contact_id=target_id)
    return moved


def _restore_conversations(conversation_ids: list[int], source_id: int) -> None:
    """The merge undone: the conversations it moved go back to the source."""
    from omnicanal.conversations.models import Conversation

    Conversation.objects.filter(pk__in=conversation_ids).update(contact_id=source_id)


class ConversationsConfig(AppConfig):
    name = "omnicanal.conversations"
    label = "conversations"
    verbose_name = _("Conversations")

    def ready(self) -> None:
        # A migration that rebuilds the messages or contacts table on SQLite drops the search
        # triggers with it (see search_index); every migrate puts them back.
        post_migrate.connect(_repair_search_index, sender=self)
        from omnicanal.contacts.actions import ContactReferences, register_contact_references

        register_contact_references(ContactReferences(
            "conversation_ids", _move_conversations, _restore_conversations
        ))
