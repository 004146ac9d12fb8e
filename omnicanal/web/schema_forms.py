"""A Django form generated from a channel's pydantic settings schema.

One builder for every channel kind, so that a field added to a schema shows on the settings
page without template work. Types map to widgets: bool → checkbox, int → number,
Literal → select (a single-value Literal is fixed, hidden), another inbox → a select of
them, list → one item per line,
dict → JSON, str → text (URL input for URLs). A secret (`ChannelSettings.secret_fields`) is
a password input that is never filled back: left empty, the stored value is kept; the page
says whether one is set. The schema stays the judge: `settings()` only converts, then the
connectors action validates, and `show_problems` puts each refusal beside its field.
"""

from __future__ import annotations

import json
import secrets
import types
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal, Union, cast, get_args, get_origin

from annotated_types import Ge, Le
from django import forms
from django.utils.translation import gettext_lazy as _
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from omnicanal.connectors.base import ChannelSettings, SettingsProblem
from omnicanal.connectors.field_labels import choice_label, help_for, label_for, section_for
from omnicanal.conversations.models import Inbox
from omnicanal.routing.models import BusinessCalendar

# A schema field whose `json_schema_extra` has {"x-generate": "token"} gets a random value
# when an inbox is created without one (a site token, a webhook secret token).
GENERATE_KEY = "x-generate"
# An int field with {"x-inbox-channel": "email"} names another inbox of that channel: a
# select of them by name, not a number to look up.
INBOX_KEY = "x-inbox-channel"
# An int field with {"x-business-calendar": true} names one of routing's business calendars.
CALENDAR_KEY = "x-business-calendar"


def _strip(annotation: Any) -> tuple[Any, bool]:
    """The annotation without Annotated and None, and whether None was allowed."""
    is_optional = False
    if get_origin(annotation) in (Union, types.UnionType):
        args = get_args(annotation)
        rest = [arg for arg in args if arg is not type(None)]
        is_optional = len(rest) < len(args)
        # str | dict (a text or one text per language) stays a union: text, or JSON.
        annotation = rest[0] if len(rest) == 1 else Union[tuple(rest)]  # noqa: UP007
    if get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation, is_optional


def _kind(annotation: Any) -> str:
    origin = get_origin(annotation)
    if annotation is bool:
        return "bool"
    if annotation is int:
        return "int"
    if origin is Literal:
        return "choice"
    if origin in (list, tuple) or annotation in (list, tuple):
        return "list"
    if annotation is str:
        return "str"
    if origin in (Union, types.UnionType) and str in get_args(annotation):
        return "text_or_json"
    return "json"


def _bounds(info: FieldInfo) -> dict[str, int]:
    bounds: dict[str, int] = {}
    for item in info.metadata:
        if isinstance(item, Ge):
            bounds["min_value"] = int(item.ge)  # type: ignore[call-overload]
        elif isinstance(item, Le):
            bounds["max_value"] = int(item.le)  # type: ignore[call-overload]
    return bounds


def _extra(info: FieldInfo) -> dict[str, Any]:
    return info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}


def _shown(kind: str, value: Any) -> Any:
    """A stored or default value as the form field shows it."""
    if value is None or value is PydanticUndefined:
        return None
    if kind == "list":
        return "\n".join(str(item) for item in value)
    if kind == "json" or (kind == "text_or_json" and not isinstance(value, str)):
        return json.dumps(value, indent=2, ensure_ascii=False) if value else ""
    return value


class SchemaSettingsForm(forms.Form):
    """The inbox's name, then one field per schema field. `stored`: the inbox's settings
    when editing (None when creating)."""

    name = forms.CharField(label=_("Name"), max_length=100)

    def __init__(
        self, schema: type[ChannelSettings], *, stored: Mapping[str, Any] | None = None,
        inbox_name: str = "", data: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(data=data, initial={"name": inbox_name})
        self.schema = schema
        self.stored = dict(stored) if stored is not None else None
        self.kinds: dict[str, str] = {}
        self.secret_state: dict[str, bool] = {}
        hidden = schema.secret_fields()
        for name, info in schema.model_fields.items():
            annotation, is_optional = _strip(info.annotation)
            kind = _kind(annotation)
            self.kinds[name] = kind
            # Lazy translations, rendered in the reader's language.
            label = cast(str, label_for(name, info.title))
            help_text = cast(str, help_for(name))
            is_required = info.is_required() and not is_optional
            default = None if info.default is PydanticUndefined else info.default
            initial = (
                self.stored.get(name, default) if self.stored is not None else default
            )
            if name in hidden:
                is_set = bool(self.stored and self.stored.get(name))
                self.secret_state[name] = is_set
                generated = _extra(info).get(GENERATE_KEY) and self.stored is None
                self.fields[name] = forms.CharField(
                    label=label, help_text=help_text,
                    # Kept when left empty; generated when empty on creation.
                    required=is_required and not is_set and not generated,
                    widget=forms.PasswordInput(render_value=False, attrs={
                        "autocomplete": "new-password",
                        "placeholder": _("Set: leave empty to keep it") if is_set else "",
                    }),
                )
                continue
            if _extra(info).get(GENERATE_KEY) and self.stored is None and not initial:
                initial = secrets.token_urlsafe(18)
            field: forms.Field
            if kind == "bool":
                field = forms.BooleanField(required=False)
            elif kind == "int" and _extra(info).get(INBOX_KEY):
                inboxes = Inbox.objects.filter(channel=_extra(info)[INBOX_KEY]).order_by("name")
                field = forms.TypedChoiceField(
                    required=is_required, coerce=int, empty_value=None,
                    choices=[("", "—"), *((inbox.pk, inbox.name) for inbox in inboxes)],
                )
            elif kind == "int" and _extra(info).get(CALENDAR_KEY):
                field = forms.TypedChoiceField(
                    required=is_required, coerce=int, empty_value=None,
                    choices=[("", _("— The default calendar")),
                             *BusinessCalendar.objects.order_by("name").values_list("pk", "name")],
                )
            elif kind == "int":
                if initial == 0 and default == 0 and _bounds(info).get("min_value", 0) <= 0 \
                        and not is_required:
                    # 0 stands for "not set" in such a schema (e-mail ports): shown empty.
                    initial = None
                bounds = _bounds(info)
                field = forms.IntegerField(required=is_required,
                                           min_value=bounds.get("min_value"),
                                           max_value=bounds.get("max_value"))
            elif kind == "choice":
                values = get_args(annotation)
                if len(values) == 1:
                    field = forms.CharField(widget=forms.HiddenInput, required=False)
                    initial = values[0]
                else:
                    field = forms.ChoiceField(
                        choices=[("", "—")] * (not is_required and default is None)
                        + [(v, choice_label(str(v))) for v in values],
                        required=is_required,
                    )
            elif kind == "list":
                field = forms.CharField(required=is_required, widget=forms.Textarea(
                    attrs={"rows": 3, "spellcheck": "false"}))
            elif kind in ("json", "text_or_json"):
                is_text = kind == "text_or_json" and (initial is None or isinstance(initial, str))
                field = forms.CharField(required=is_required, widget=(
                    forms.TextInput if is_text
                    else forms.Textarea(attrs={"rows": 4, "spellcheck": "false"})
                ))
            else:
                is_url = name.endswith("_url") or name in ("api_base", "status_callback")
                widget: forms.Widget = forms.URLInput() if is_url else forms.TextInput()
                if _extra(info).get("format") == "color":
                    widget = forms.TextInput(attrs={"type": "color"})
                field = forms.CharField(required=is_required, max_length=2000, widget=widget)
            field.label = label
            field.help_text = help_text
            field.initial = _shown(kind, initial)
            self.fields[name] = field

    def sections(self) -> list[tuple[str | None, list[forms.BoundField]]]:
        """The visible fields in order, those of one section (SMTP, IMAP) grouped under its
        title; the others in untitled groups."""
        groups: list[tuple[str | None, list[forms.BoundField]]] = []
        for bound in self.visible_fields():
            title = section_for(bound.name)
            shown = str(title) if title is not None else None
            if not groups or groups[-1][0] != shown:
                groups.append((shown, []))
            groups[-1][1].append(bound)
        return groups

    def secret_fields(self) -> Iterable[forms.BoundField]:
        return (self[name] for name in self.secret_state)

    def settings(self) -> dict[str, Any]:
        """The cleaned fields as settings for the connectors actions: on creation, the
        filled ones; on edit, changes (an emptied field is None: removed, back to its
        default; an empty secret is left out: kept). Call after `is_valid()`."""
        result: dict[str, Any] = {}
        creating = self.stored is None
        for name, kind in self.kinds.items():
            value = self.cleaned_data.get(name)
            if name in self.secret_state:
                if value:
                    result[name] = value
                elif creating and _extra(self.schema.model_fields[name]).get(GENERATE_KEY):
                    result[name] = secrets.token_urlsafe(24)
                continue
            if kind == "bool":
                result[name] = bool(value)
                continue
            if kind == "list":
                value = [line.strip() for line in str(value or "").splitlines() if line.strip()]
            elif kind in ("json", "text_or_json") and isinstance(value, str) and value.strip():
                text = value.strip()
                if kind == "json" or text.startswith("{"):
                    try:
                        value = json.loads(text)
                    except json.JSONDecodeError as exc:
                        self.add_error(name, _("Not valid JSON: %(reason)s") % {"reason": exc.msg})
                        continue
            if value in ("", None, []):
                if not creating and name in (self.stored or {}):
                    result[name] = None
                continue
            result[name] = value
        return result

    def show_problems(self, problems: Iterable[SettingsProblem]) -> None:
        """Each refusal beside its field ("settings.smtp_port" → smtp_port); those about the
        settings as a whole (no field) above the form."""
        for problem in problems:
            parts = problem.field.split(".")
            if parts and parts[0] == "settings":
                parts = parts[1:]
            name = parts[0] if parts else ""
            if name in self.fields:
                self.add_error(name, str(problem.reason))
            else:
                self.add_error(None, str(problem.reason))
