"""What a survey says to the customer on their channel: the question in their language, how
to answer on a channel without buttons, one-click links in an e-mail, and the choices that
channels with buttons or lists show (carried in the message's metadata, see `compose`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

from omnicanal.connectors.registry import adapter_for
from omnicanal.surveys.models import SCALES, SurveyKind, SurveyPolicy, SurveyRequest


@dataclass(frozen=True)
class ComposedSurvey:
    text: str
    html: str = ""
    # Stored as Message.metadata["survey"]: {"token", "kind", "question", "low_label",
    # "high_label", "choices": [{"id", "title"}]}. Adapters of channels with buttons or lists
    # render the choices; their replies carry the choice id ("survey:<token>:<score>").
    metadata: dict[str, Any] = field(default_factory=dict)


def choice_id(token: str, score: int) -> str:
    return f"survey:{token}:{score}"


def survey_language(request: SurveyRequest, language: str = "") -> str:
    """The language asked for, else the conversation's, else the site's: French or English."""
    chosen = language or request.conversation.language or settings.LANGUAGE_CODE
    return "en" if chosen.lower().startswith("en") else "fr"


def default_question(kind: str) -> str:
    """The product's question for a kind, in the active language."""
    if kind == SurveyKind.NPS:
        return gettext("How likely are you to recommend us to a friend or colleague?")
    if kind == SurveyKind.CES:
        return gettext("How easy was it to get your request handled?")
    return gettext("How satisfied are you with the help you received?")


def end_labels(kind: str) -> tuple[str, str]:
    """The lowest and highest score's meaning, in the active language."""
    if kind == SurveyKind.NPS:
        return gettext("not at all likely"), gettext("extremely likely")
    if kind == SurveyKind.CES:
        return gettext("very difficult"), gettext("very easy")
    return gettext("very dissatisfied"), gettext("very satisfied")


def question_for(request: SurveyRequest) -> str:
    """The policy's own wording when the team's or the inbox's policy has one (a team's wins,
    as for the rest of the policy), else the product's, in the active language."""
    conversation = request.conversation
    policies = SurveyPolicy.objects.filter(kind=request.kind).exclude(question="")
    team_id = request.team_id or conversation.team_id
    if team_id is not None:
        team_policy = policies.filter(team_id=team_id).first()
        if team_policy is not None:
            return team_policy.question
    inbox_policy = policies.filter(inbox_id=request.inbox_id).first()
    if inbox_policy is not None:
        return inbox_policy.question
    return default_question(request.kind)


def answer_url(token: str, score: int | None = None) -> str:
    """The public page answering the survey (with one score chosen), absolute when the site
    says its public address (PUBLIC_URL), as a mail needs."""
    if score is None:
        path = reverse("survey_answer:scale", args=[token])
    else:
        path = reverse("survey_answer:choose", args=[token, score])
    return f"{settings.PUBLIC_URL}{path}"


def compose(request: SurveyRequest, language: str = "") -> ComposedSurvey:
    """The survey message for the request's channel, in `language` (else the customer's)."""
    low, high = SCALES[request.kind]
    with translation.override(survey_language(request, language)):
        question = question_for(request)
        low_label, high_label = end_labels(request.kind)
        instructions = gettext(
            "Reply with a number from %(low)s (%(low_label)s) to %(high)s (%(high_label)s), "
            "and add a comment if you like. Reply STOP to receive no more surveys."
        ) % {"low": low, "low_label": low_label, "high": high, "high_label": high_label}
        lines = [question, instructions]
        html = ""
        if adapter_for(request.inbox.channel).supports_html:
            # Mail clients show no buttons: the links are the buttons, and each is one click.
            if settings.PUBLIC_URL:
                lines.append(gettext("Or answer here: %(url)s") % {"url": answer_url(
                    request.token
                )})
            html = _email_html(request, question, low_label, high_label)
        choices = [
            {"id": choice_id(request.token, score), "title": str(score)}
            for score in range(low, high + 1)
        ]
        return ComposedSurvey(
            text="\n\n".join(lines),
            html=html,
            metadata={"survey": {
                "token": request.token, "kind": request.kind, "question": question,
                "low_label": low_label, "high_label": high_label, "choices": choices,
                # A WhatsApp list's button (20 characters at most).
                "button": gettext("Choose a score")[:20],
            }},
        )


# Inline styles: mail clients drop <style> blocks and external stylesheets.
_LINK_STYLE = (
    "display:inline-block;min-width:36px;padding:8px 0;margin:0 4px 6px 0;text-align:center;"
    "border:1px solid #1d4ed8;border-radius:6px;color:#1d4ed8;font:600 16px sans-serif;"
    "text-decoration:none"
)


def _email_html(
    request: SurveyRequest, question: str, low_label: str, high_label: str
) -> str:
    low, high = SCALES[request.kind]
    # Spaced apart: the e-mail sender keeps the links but strips inline styles (nh3).
    links = format_html_join(
        "\u2003", '<a href="{}" style="{}" aria-label="{}">{}</a>',
        (
            (answer_url(request.token, score), _LINK_STYLE,
             gettext("Score %(score)s out of %(high)s") % {"score": score, "high": high}, score)
            for score in range(low, high + 1)
        ),
    )
    return format_html(
        '<div class="survey" style="font:15px/1.5 sans-serif;color:#1c2430">'
        '<p style="margin:0 0 12px;font-weight:600">{}</p>'
        '<p style="margin:0 0 6px">{}</p>'
        '<p style="margin:0 0 12px;color:#475569;font-size:13px">{}</p>'
        '<p style="margin:0;color:#475569;font-size:13px">{}</p>'
        "</div>",
        question,
        links,
        gettext("%(low)s: %(low_label)s, %(high)s: %(high_label)s") % {
            "low": low, "low_label": low_label, "high": high, "high_label": high_label,
        },
        gettext("One click is enough; you can add a comment on the page that opens. "
                "Reply STOP to receive no more surveys."),
    )
