from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConnectorsConfig(AppConfig):
    name = "omnicanal.connectors"
    label = "connectors"
    verbose_name = _("Channels")

    def ready(self) -> None:
        from omnicanal.connectors.media import enqueue_media_fetches
        from omnicanal.connectors.registry import adapter_for
        from omnicanal.connectors.tasks import enqueue_send
        from omnicanal.connectors.webchat.actions import (
            push_queue_on_assignment,
            push_reply_on_creation,
        )
        from omnicanal.conversations import outbox
        from omnicanal.conversations.attachments import register_media_rules

        outbox.subscribe("conversation.assigned", push_queue_on_assignment)
        # Every outgoing message is sent because its event is handled (see connectors.tasks).
        outbox.subscribe("message.created", enqueue_send)
        # A web chat reply reaches the visitor's widget from the process that stored it.
        outbox.subscribe("message.created", push_reply_on_creation)
        # Media a provider only named are fetched because the message's event is handled.
        outbox.subscribe("message.created", enqueue_media_fetches)
        # Which files a reply may carry is the channel's rule; conversations asks it here.
        register_media_rules(lambda inbox: adapter_for(inbox.channel).outgoing_media(
            dict(inbox.settings)))
