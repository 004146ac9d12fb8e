"""Settings → Triage (administrators): how good the active intent model is, "Retrain now",
which skill each intent needs, and the last training runs."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_http_methods

from omnicanal.accounts.decorators import HtmxHttpRequest, administrator_required, request_agent
from omnicanal.assistant import triage
from omnicanal.assistant.models import IntentSkill, TriageModel, TriageModelStatus
from omnicanal.core.exceptions import DomainError
from omnicanal.routing.models import AgentProfile

RUNS_SHOWN = 10


def _percent(value: Any) -> float | None:
    """A share as a percentage for the template (`floatformat` writes it in the reader's
    locale), None when unknown."""
    return round(value * 100, 1) if isinstance(value, int | float) else None


def _known_skills() -> list[str]:
    names: set[str] = set()
    for skills in AgentProfile.objects.values_list("skills", flat=True):
        if isinstance(skills, dict):
            names |= set(skills)
    return sorted(names)


def _page(request: HtmxHttpRequest, *, errors: dict[str, str] | None = None,
          posted: dict[str, tuple[str, str]] | None = None) -> HttpResponse:
    active = TriageModel.objects.filter(status=TriageModelStatus.ACTIVE).defer("data").first()
    evaluation = active.evaluation if active else {}
    per_intent = sorted(
        ({"intent": name, **figures} for name, figures in
         evaluation.get("per_intent", {}).items()),
        key=lambda row: (row.get("f1", 0), row["intent"]),
    )
    mapped = {m.intent: m for m in IntentSkill.objects.all()}
    skill_rows = []
    for intent in triage.known_intents():
        skill, level = (posted or {}).get(intent, (
            mapped[intent].skill if intent in mapped else "",
            str(mapped[intent].level) if intent in mapped else "1",
        ))
        skill_rows.append({"intent": intent, "skill": skill, "level": level,
                           "error": (errors or {}).get(intent, "")})
    runs = list(TriageModel.objects.defer("data")[:RUNS_SHOWN])
    return render(request, "web/settings/triage.html", {
        "section": "settings",
        "active": active,
        "figures": {
            "accuracy": _percent(evaluation.get("accuracy")),
            "macro_f1": _percent(evaluation.get("macro_f1")),
            "team": {k: _percent(v) if k != "n_test" else v
                     for k, v in evaluation.get("team", {}).items()},
        },
        "evaluation": evaluation,
        "per_intent": per_intent,
        "skill_rows": skill_rows,
        "known_skills": _known_skills(),
        "runs": [{"run": run, "accuracy": _percent(run.evaluation.get("accuracy")),
                  "macro_f1": _percent(run.evaluation.get("macro_f1"))} for run in runs],
        "is_training": any(run.status == TriageModelStatus.RUNNING for run in runs),
    }, status=422 if errors else 200)


@require_http_methods(["GET"])
@administrator_required
def triage_page(request: HtmxHttpRequest) -> HttpResponse:
    return _page(request)


@require_http_methods(["POST"])
@administrator_required
def triage_retrain(request: HtmxHttpRequest) -> HttpResponse:
    triage.request_retraining(request_agent(request))
    messages.success(request, gettext(
        "Training started: the new model is activated when it is done, if it is not worse "
        "than the active one. Reload this page in a minute."))
    return HttpResponseRedirect(reverse("web:settings_triage"))


@require_http_methods(["POST"])
@administrator_required
def triage_skills(request: HtmxHttpRequest) -> HttpResponse:
    posted: dict[str, tuple[str, str]] = {}
    mapping: dict[str, tuple[str, int]] = {}
    errors: dict[str, str] = {}
    for intent in request.POST.getlist("intent"):
        skill = request.POST.get(f"skill-{intent}", "")
        level_text = request.POST.get(f"level-{intent}", "1").strip() or "1"
        posted[intent] = (skill, level_text)
        try:
            mapping[intent] = (skill, int(level_text))
        except ValueError:
            errors[intent] = gettext("The level is a whole number.")
    if not errors:
        try:
            count = triage.set_intent_skills(request_agent(request), mapping)
        except DomainError as exc:
            field = getattr(exc, "field", "")
            errors[field.split("-", 1)[-1]] = str(exc.message)
        else:
            messages.success(request, ngettext(
                "%(count)s intent needs a skill.", "%(count)s intents need a skill.", count,
            ) % {"count": count})
            return HttpResponseRedirect(reverse("web:settings_triage") + "#skills")
    return _page(request, errors=errors, posted=posted)


urlpatterns = [
    path("settings/triage/", triage_page, name="settings_triage"),
    path("settings/triage/retrain/", triage_retrain, name="settings_triage_retrain"),
    path("settings/triage/skills/", triage_skills, name="settings_triage_skills"),
]
