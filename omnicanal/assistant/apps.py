from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistantConfig(AppConfig):
    name = "omnicanal.assistant"
    label = "assistant"
    verbose_name = _("Assistant")

    def ready(self) -> None:
        from omnicanal.assistant import bot, triage
        from omnicanal.conversations import outbox

        # After routing's subscribers (RoutingConfig.ready runs first): the conversation is
        # queued when triage adds the skill its intent needs. Then the bot answers customers'
        # messages in the conversations it holds (routing leaves those alone).
        outbox.subscribe("message.created", triage.handle_message_created)
        outbox.subscribe("message.created", bot.handle_message_created)
