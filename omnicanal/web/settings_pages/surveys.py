"""Settings → Surveys (administrators): per inbox and per team, which of CSAT, NPS and CES go
out after a resolution, how many days after, and the question the customer reads.

Thin: the page reads one row per scope and kind, `surveys.actions.save_policy` and
`clear_policy` check and write. A team's row may follow its inbox's (no policy of its own).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from omnicanal.accounts.decorators import HtmxHttpRequest, administrator_required, request_agent
from omnicanal.accounts.models import Team, User
from omnicanal.conversations.models import Inbox
from omnicanal.core.exceptions import DomainError
from omnicanal.surveys import actions
from omnicanal.surveys.models import SurveyKind, SurveyPolicy
from omnicanal.surveys.policies import DEFAULT_DELAY_DAYS

ON, OFF, INHERIT = "on", "off", "inherit"


@dataclass
class Row:
    prefix: str
    kind: str
    kind_label: Promise
    mode: str
    delay: str
    question: str
    error: str = ""


@dataclass
class Scope:
    key: str
    name: str
    detail: str
    is_team: bool
    target: Inbox | Team
    rows: list[Row]


def _scopes(policies: dict[tuple[str, int, str], SurveyPolicy]) -> list[Scope]:
    scopes = []
    for inbox in Inbox.objects.order_by("name", "pk"):
        scopes.append(_scope("inbox", inbox, inbox.name, inbox.get_channel_display(), policies))
    for team in Team.objects.order_by("name", "pk"):
        scopes.append(_scope("team", team, team.name, "", policies))
    return scopes


def _scope(
    kind_of_scope: str, target: Inbox | Team, name: str, detail: str,
    policies: dict[tuple[str, int, str], SurveyPolicy],
) -> Scope:
    is_team = kind_of_scope == "team"
    rows = []
    for kind in SurveyKind:
        policy = policies.get((kind_of_scope, target.pk, kind.value))
        mode = ON if policy and policy.is_enabled else OFF
        if policy is None and is_team:
            mode = INHERIT
        rows.append(Row(
            prefix=f"{kind_of_scope}-{target.pk}-{kind.value}", kind=kind.value,
            kind_label=kind.label, mode=mode,
            delay=str(policy.delay_days if policy else DEFAULT_DELAY_DAYS[kind.value]),
            question=policy.question if policy else "",
        ))
    return Scope(f"{kind_of_scope}-{target.pk}", name, detail, is_team, target, rows)


def _current() -> dict[tuple[str, int, str], SurveyPolicy]:
    found: dict[tuple[str, int, str], SurveyPolicy] = {}
    for policy in SurveyPolicy.objects.all():
        if policy.inbox_id is not None:
            found[("inbox", policy.inbox_id, policy.kind)] = policy
        elif policy.team_id is not None:
            found[("team", policy.team_id, policy.kind)] = policy
    return found


def _save(user: User, scopes: list[Scope], data: dict[str, str]) -> bool:
    """Apply the posted rows; False (and each row's error) when one is wrong, then nothing
    is saved."""
    is_valid = True
    with transaction.atomic():
        for scope in scopes:
            for row in scope.rows:
                was = (row.mode, row.delay, row.question)
                row.mode = data.get(f"{row.prefix}-mode", row.mode)
                row.delay = data.get(f"{row.prefix}-delay", row.delay).strip()
                row.question = data.get(f"{row.prefix}-question", row.question)
                if (row.mode, row.delay, row.question) == was:
                    continue
                row.error = _save_row(user, scope, row)
                is_valid = is_valid and not row.error
        if not is_valid:
            transaction.set_rollback(True)
    return is_valid


def _save_row(user: User, scope: Scope, row: Row) -> str:
    allowed = (ON, OFF, INHERIT) if scope.is_team else (ON, OFF)
    if row.mode not in allowed:
        return gettext("Choose whether this survey is sent.")
    try:
        delay = int(row.delay)
    except ValueError:
        return gettext("Days after resolution: a whole number.")
    target = scope.target
    try:
        if row.mode == INHERIT and isinstance(target, Team):
            actions.clear_policy(user, kind=row.kind, team=target)
        else:
            actions.save_policy(
                user, kind=row.kind,
                inbox=target if isinstance(target, Inbox) else None,
                team=target if isinstance(target, Team) else None,
                is_enabled=row.mode == ON, delay_days=delay, question=row.question,
            )
    except DomainError as error:
        return error.message
    return ""


@require_http_methods(["GET", "POST"])
@administrator_required
def surveys_page(request: HtmxHttpRequest) -> HttpResponse:
    scopes = _scopes(_current())
    status = 200
    if request.method == "POST":
        if _save(request_agent(request), scopes, request.POST.dict()):
            messages.success(request, gettext("Survey settings saved."))
            return HttpResponseRedirect(reverse("web:settings_surveys"))
        status = 422
    return render(request, "web/settings/surveys.html", {
        "section": "settings", "scopes": scopes, "kinds": list(SurveyKind),
        "modes": {ON: _("Sent"), OFF: _("Not sent"), INHERIT: _("As its inbox")},
    }, status=status)


urlpatterns = [
    path("settings/surveys/", surveys_page, name="settings_surveys"),
]
