from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "omnicanal.analytics"
    label = "analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        from omnicanal.analytics import daily, facts
        from omnicanal.conversations.outbox import subscribe

        # Journey facts follow every contact the domain records (analytics.facts).
        subscribe("message.created", facts.on_message_created)
        subscribe("conversation.status_changed", facts.on_status_changed)
        subscribe("conversation.handed_over", facts.on_handed_over)
        subscribe("survey.answered", facts.on_survey_answered)
        subscribe("conversation.created", facts.on_conversation_changed)
        subscribe("conversation.updated", facts.on_conversation_changed)
        subscribe("conversation.triaged", facts.on_conversation_changed)
        # The reports' daily aggregates mark the days those events change (analytics.daily).
        daily.subscribe_all()
