"""Settings → Automation (administrators): a rule builder instead of JSON in the admin.

Conditions and actions are rows of form fields, read from and written to the rule's JSON by
routing's catalogue (`routing.rules`); the engine decides what is valid and its problems are
shown beside their rows. Adding or removing a row is a submit button that renders the form
again with the rows posted so far (works without JavaScript; a small script only re-renders
when a row's field changes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from omnicanal.accounts.decorators import HtmxHttpRequest, administrator_required, request_agent
from omnicanal.conversations.models import Conversation
from omnicanal.core.exceptions import NotFound
from omnicanal.routing import answers, rules
from omnicanal.routing.models import AutomationRule, AutomationRun, Trigger

MAX_ROWS = 30
RUNS_SHOWN = 50


class RuleForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    trigger = forms.ChoiceField(
        label=gettext_lazy("When"), choices=Trigger.choices,
        help_text=gettext_lazy("The event that runs the rule; rules of one event run in the "
                               "list's order."),
    )
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)


# The builder's rows.


@dataclass
class ParamView:
    param: rules.Param
    name: str
    value: str
    values: list[str]
    options: list[tuple[str, str]]
    suggestions: list[str]


@dataclass
class RowView:
    prefix: str
    index: int
    row: rules.Row
    kind: rules.Kind | None
    origin: str = ""
    error: str = ""
    params: list[ParamView] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.prefix}{self.index}"


def _row_view(prefix: str, index: int, row: rules.Row, kinds: dict[str, rules.Kind],
              origin: str = "", error: str = "") -> RowView:
    kind = kinds.get(row.type)
    view = RowView(prefix, index, row, kind, origin, error)
    for param in kind.params if kind else ():
        raw = row.values.get(param.key, "")
        value = raw if isinstance(raw, str) else ""
        options = [(str(v), label) for v, label in (param.options() if param.options else [])]
        if param.kind == "choice" and value and value not in dict(options):
            # A label renamed or a team deleted since: kept visible, the engine judges it.
            options.append((value, value))
        view.params.append(ParamView(
            param=param,
            name=f"{prefix}{index}-{param.key}",
            value=value,
            values=raw if isinstance(raw, list) else [raw],
            options=options,
            suggestions=[label for _v, label in param.suggestions()] if param.suggestions else [],
        ))
    return view


def _posted_rows(post: QueryDict, prefix: str, kinds: dict[str, rules.Kind]
                 ) -> list[tuple[rules.Row, str]]:
    """The rows as posted, with each action's index in the stored rule ("" if new)."""
    try:
        count = min(int(post.get(f"{prefix}-count", "0")), MAX_ROWS)
    except ValueError:
        count = 0
    rows = []
    for index in range(count):
        name = f"{prefix}{index}"
        kind_name = post.get(f"{name}-type", "")
        kind = kinds.get(kind_name)
        if kind is not None and post.get(f"{name}-was") != kind_name:
            # The field or action type changed: its values start afresh.
            row = rules.empty_row(kind)
        else:
            values: dict[str, rules.Raw] = {}
            for param in kind.params if kind else ():
                key = f"{name}-{param.key}"
                values[param.key] = (
                    post.getlist(key) if param.kind == "choices" else post.get(key, "")
                )
            row = rules.Row(kind_name, post.get(f"{name}-operator", ""), values)
        rows.append((row, post.get(f"{name}-origin", "")))
    return rows


def _edit_rows(post: QueryDict, prefix: str, kinds: dict[str, rules.Kind]
               ) -> list[tuple[rules.Row, str]]:
    """The posted rows after an "add" or "remove" button."""
    rows = _posted_rows(post, prefix, kinds)
    removed = post.get(f"remove_{prefix}")
    if removed is not None and removed.isdigit() and int(removed) < len(rows):
        del rows[int(removed)]
    new = kinds.get(post.get(f"new_{prefix}", ""))
    if f"add_{prefix}" in post and new is not None and len(rows) < MAX_ROWS:
        rows.append((rules.empty_row(new), ""))
    return rows


def _stored_actions(rows: list[tuple[rules.Row, str]], rule: AutomationRule | None
                    ) -> list[dict[str, Any]]:
    actions = []
    for row, origin in rows:
        action = rules.stored_of(rules.ACTION_KINDS.get(row.type), row)
        if action["type"] == "webhook" and "secret" not in action and rule is not None:
            # Write-only: an empty secret keeps the one the action had.
            previous = rule.actions[int(origin)] if origin.isdigit() and int(origin) < len(
                rule.actions) else {}
            if isinstance(previous, dict) and previous.get("secret"):
                action["secret"] = previous["secret"]
        actions.append(action)
    return actions


def _builder(request: HtmxHttpRequest, rule: AutomationRule | None) -> HttpResponse:
    problems = None
    if request.method == "POST":
        form = RuleForm(request.POST)
        post = request.POST
        editing = any(key in post for key in (
            "add_c", "add_a", "remove_c", "remove_a", "refresh"))
        conditions = _edit_rows(post, "c", rules.CONDITION_KINDS)
        actions = _edit_rows(post, "a", rules.ACTION_KINDS)
        if not editing and form.is_valid():
            try:
                saved = rules.save_rule(
                    request_agent(request),
                    name=form.cleaned_data["name"], trigger=form.cleaned_data["trigger"],
                    is_active=form.cleaned_data["is_active"],
                    conditions=[rules.stored_of(rules.CONDITION_KINDS.get(row.type), row)
                                for row, _origin in conditions],
                    actions=_stored_actions(actions, rule),
                    rule_id=rule.pk if rule else None,
                )
            except rules.RuleInvalid as exc:
                problems = exc.problems
                if problems.name:
                    form.add_error("name", problems.name)
                if problems.trigger:
                    form.add_error("trigger", problems.trigger)
            else:
                message = gettext("Rule “%(name)s” saved.") % {"name": saved.name}
                messages.success(request, message)
                return HttpResponseRedirect(reverse("web:settings_automation"))
    elif rule is not None:
        form = RuleForm(initial={"name": rule.name, "trigger": rule.trigger,
                                 "is_active": rule.is_active})
        conditions = [
            (rules.row_of(rules.CONDITION_KINDS[c["type"]], c), "")
            for c in rule.conditions if c.get("type") in rules.CONDITION_KINDS
        ]
        actions = [
            (rules.row_of(rules.ACTION_KINDS[a["type"]], a), str(index))
            for index, a in enumerate(rule.actions) if a.get("type") in rules.ACTION_KINDS
        ]
    else:
        form = RuleForm()
        conditions = []
        actions = [(rules.empty_row(rules.ACTIONS[0]), "")]
    condition_views = [
        _row_view("c", i, row, rules.CONDITION_KINDS, origin,
                  problems.conditions.get(i, "") if problems else "")
        for i, (row, origin) in enumerate(conditions)
    ]
    action_views = [
        _row_view("a", i, row, rules.ACTION_KINDS, origin,
                  problems.actions.get(i, "") if problems else "")
        for i, (row, origin) in enumerate(actions)
    ]
    return render(request, "web/settings/automation_form.html", {
        "section": "settings", "rule": rule, "form": form,
        "conditions": condition_views, "actions": action_views,
        "condition_kinds": rules.CONDITIONS, "action_kinds": rules.ACTIONS,
        "rule_problem": problems.rule if problems else "",
        "has_problems": bool(problems),
    })


# Pages.


def _rule(rule_id: int) -> AutomationRule:
    return get_object_or_404(AutomationRule, pk=rule_id)


@require_GET
@administrator_required
def automation_page(request: HtmxHttpRequest) -> HttpResponse:
    rule_list = list(AutomationRule.objects.order_by("position", "pk"))
    last_runs: dict[int, Any] = {}
    counts: dict[int, int] = {}
    for run in AutomationRun.objects.filter(rule__in=rule_list).only("rule_id", "ran_at"):
        assert run.rule_id is not None
        counts[run.rule_id] = counts.get(run.rule_id, 0) + 1
        if run.rule_id not in last_runs or run.ran_at > last_runs[run.rule_id]:
            last_runs[run.rule_id] = run.ran_at
    rows = [
        {"rule": rule, "summary": rules.summary(rule), "last_run": last_runs.get(rule.pk),
         "runs": counts.get(rule.pk, 0), "is_first": i == 0, "is_last": i == len(rule_list) - 1}
        for i, rule in enumerate(rule_list)
    ]
    return render(request, "web/settings/automation.html", {"section": "settings", "rows": rows})


@require_http_methods(["GET", "POST"])
@administrator_required
def automation_new(request: HtmxHttpRequest) -> HttpResponse:
    return _builder(request, None)


@require_http_methods(["GET", "POST"])
@administrator_required
def automation_edit(request: HtmxHttpRequest, rule_id: int) -> HttpResponse:
    return _builder(request, _rule(rule_id))


@require_POST
@administrator_required
def automation_active(request: HtmxHttpRequest, rule_id: int) -> HttpResponse:
    try:
        rule = answers.set_rule_active(
            request_agent(request), rule_id, is_active=request.POST.get("is_active") == "1"
        )
    except ValidationError as exc:
        # Saved before a team or agent it names was deleted: the engine refuses it as is.
        messages.error(request, " ".join(exc.messages))
        return HttpResponseRedirect(reverse("web:settings_automation"))
    message = (gettext("Rule “%(name)s” is on.") if rule.is_active
               else gettext("Rule “%(name)s” is off."))
    messages.success(request, message % {"name": rule.name})
    return HttpResponseRedirect(reverse("web:settings_automation"))


@require_POST
@administrator_required
def automation_move(request: HtmxHttpRequest, rule_id: int) -> HttpResponse:
    rules.move_rule(request_agent(request), rule_id, up=request.POST.get("direction") == "up")
    return HttpResponseRedirect(reverse("web:settings_automation") + f"#rule-{rule_id}")


@require_http_methods(["GET", "POST"])
@administrator_required
def automation_delete(request: HtmxHttpRequest, rule_id: int) -> HttpResponse:
    rule = _rule(rule_id)
    if request.method == "POST":
        rules.delete_rule(request_agent(request), rule.pk)
        messages.success(request, gettext("Rule “%(name)s” deleted.") % {"name": rule.name})
        return HttpResponseRedirect(reverse("web:settings_automation"))
    return render(request, "web/settings/automation_delete.html", {
        "section": "settings", "rule": rule, "summary": rules.summary(rule),
        "runs": AutomationRun.objects.filter(rule=rule).count(),
    })


@require_GET
@administrator_required
def automation_test(request: HtmxHttpRequest, rule_id: int) -> HttpResponse:
    """A dry run: nothing is written, so a GET."""
    rule = _rule(rule_id)
    result = None
    error = ""
    asked = request.GET.get("conversation", "").strip().lstrip("#")
    if asked:
        if not asked.isdigit():
            error = gettext("Give a conversation number.")
        else:
            try:
                result = rules.dry_run(request_agent(request), rule.pk, int(asked))
            except NotFound:
                error = gettext("There is no conversation %(id)s.") % {"id": asked}
    recent = Conversation.objects.select_related("contact").order_by("-pk")[:20]
    return render(request, "web/settings/automation_test.html", {
        "section": "settings", "rule": rule, "summary": rules.summary(rule),
        "result": result, "error": error, "asked": asked, "recent": recent,
    })


@require_GET
@administrator_required
def automation_runs(request: HtmxHttpRequest, rule_id: int) -> HttpResponse:
    rule = _rule(rule_id)
    runs = AutomationRun.objects.filter(rule=rule).order_by("-ran_at", "-pk")[:RUNS_SHOWN]
    labels = {kind.type: kind.label for kind in rules.ACTIONS}
    run_rows = [
        {"run": run, "outcomes": [
            {"label": labels.get(o.get("type"), o.get("type")), "ok": o.get("ok"),
             "error": o.get("error", "")} for o in run.outcomes]}
        for run in runs
    ]
    return render(request, "web/settings/automation_runs.html", {
        "section": "settings", "rule": rule, "summary": rules.summary(rule),
        "run_rows": run_rows, "total": AutomationRun.objects.filter(rule=rule).count(),
        "shown": RUNS_SHOWN,
    })


urlpatterns = [
    path("settings/automation/", automation_page, name="settings_automation"),
    path("settings/automation/new/", automation_new, name="settings_automation_new"),
    path("settings/automation/<int:rule_id>/", automation_edit, name="settings_automation_edit"),
    path("settings/automation/<int:rule_id>/active/", automation_active,
         name="settings_automation_active"),
    path("settings/automation/<int:rule_id>/move/", automation_move,
         name="settings_automation_move"),
    path("settings/automation/<int:rule_id>/delete/", automation_delete,
         name="settings_automation_delete"),
    path("settings/automation/<int:rule_id>/test/", automation_test,
         name="settings_automation_test"),
    path("settings/automation/<int:rule_id>/runs/", automation_runs,
         name="settings_automation_runs"),
]
