from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistantConfig(AppConfig):
    name = "omnicanal.assistant"
    label = "assistant"
    verbose_name = _("Assistant")

    def ready(self) -> None:
        from omnicanal.assistant import bot
        from omnicanal.conversations import outbox

        # The bot answers customers' messages in the conversations it holds (after routing,
        # which leaves those alone, in subscription order).
        outbox.subscribe("message.created", bot.handle_message_created)
