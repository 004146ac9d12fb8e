"""What a survey says to the customer on their channel: the question in their language, how
to answer on a channel without buttons, one-click links in an e-mail, and the choices that
channels with buttons or lists show (carried in the message's metadata, see `compose`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from omnicanal.surveys.models import SCALES, SurveyRequest


@dataclass(frozen=True)
class ComposedSurvey:
    text: str
    html: str = ""
    # Stored as Message.metadata["survey"]: {"token", "kind", "choices": [{"id", "title"}]}.
    # Adapters of channels with buttons or lists render the choices; their replies carry the
    # choice id ("survey:<token>:<score>").
    metadata: dict[str, Any] = field(default_factory=dict)


def compose(request: SurveyRequest, language: str = "") -> ComposedSurvey:
    """GROUNDWORK PLACEHOLDER (replaced by the survey channels' branch): plain text."""
    low, high = SCALES[request.kind]
    choices = [
        {"id": f"survey:{request.token}:{score}", "title": str(score)}
        for score in range(low, high + 1)
    ]
    return ComposedSurvey(
        text=f"How did we do? Reply with a number from {low} to {high}, or STOP.",
        metadata={"survey": {"token": request.token, "kind": request.kind, "choices": choices}},
    )
