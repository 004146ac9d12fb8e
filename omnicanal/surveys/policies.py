"""Which survey policy applies to a conversation: its team's for a kind, else its inbox's.

Apart from the actions so that the wording (`messages.compose`) can read the question an
administrator wrote without importing the writer of the requests."""

from __future__ import annotations

from omnicanal.conversations.models import Conversation
from omnicanal.surveys.models import SurveyKind, SurveyPolicy

# What the settings page proposes before anyone chose: CSAT and CES while the conversation
# is fresh in mind, NPS a week later (a recommendation is about the relationship, not the
# last ticket).
DEFAULT_DELAY_DAYS: dict[str, int] = {
    SurveyKind.CSAT: 0,
    SurveyKind.NPS: 7,
    SurveyKind.CES: 0,
}


def applicable_policies(conversation: Conversation) -> dict[str, SurveyPolicy]:
    """Per kind, the policy that decides: a team's policy wins over the inbox's, even a
    disabled one (a team may turn off a survey its inbox sends)."""
    chosen: dict[str, SurveyPolicy] = {}
    for policy in SurveyPolicy.objects.filter(inbox_id=conversation.inbox_id):
        chosen[policy.kind] = policy
    if conversation.team_id is not None:
        for policy in SurveyPolicy.objects.filter(team_id=conversation.team_id):
            chosen[policy.kind] = policy
    return chosen


def policy_for(conversation: Conversation, kind: str) -> SurveyPolicy | None:
    return applicable_policies(conversation).get(kind)
