from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistantConfig(AppConfig):
    name = "omnicanal.assistant"
    label = "assistant"
    verbose_name = _("Assistant")

    def ready(self) -> None:
        from omnicanal.assistant import triage
        from omnicanal.conversations import outbox

        # After routing's subscribers (RoutingConfig.ready runs first): the conversation is
        # queued when triage adds the skill its intent needs.
        outbox.subscribe("message.created", triage.handle_message_created)
