from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _repair_search_index(using: str, **kwargs: Any) -> None:
    from django.db import connections

    from omnicanal.conversations import search_index

    search_index.repair_sqlite(connections[using])


class ConversationsConfig(AppConfig):
    name = "omnicanal.conversations"
    label = "conversations"

    def ready(self) -> None:
        # A migration that rebuilds the messages or contacts table on SQLite drops the search
        # triggers with it (see search_index); every migrate puts them back.
        post_migrate.connect(_repair_search_index, sender=self)
