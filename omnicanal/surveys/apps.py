from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "omnicanal.surveys"
    label = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        from omnicanal.conversations import outbox, reply_claims
        from omnicanal.surveys import actions, reviews, subscribers

        subscribers.subscribe_all()
        # A survey answer joins its resolved conversation without reopening it.
        reply_claims.register("survey", actions.claims_reply)
        # An answer with a comment and the customer's consent waits for moderation.
        outbox.subscribe("survey.answered", reviews.handle_survey_answered)
