from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "omnicanal.surveys"
    label = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        from omnicanal.conversations import outbox
        from omnicanal.surveys import reviews

        outbox.subscribe("survey.answered", reviews.handle_survey_answered)
