from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "omnicanal.knowledge"
    label = "knowledge"
    verbose_name = _("Help center")

    def ready(self) -> None:
        from omnicanal.conversations import outbox
        from omnicanal.knowledge import vectors_store

        # A resolved conversation becomes a passage agents can retrieve; reopened, it leaves.
        outbox.subscribe("conversation.status_changed", vectors_store.conversation_status_changed,
                         name="knowledge.index_conversation")
