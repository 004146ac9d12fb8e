"""The JSON API's edge: bodies and parameters checked before any route sees them, and the
errors every route can answer written into the OpenAPI document.

- Text: NUL characters and lone surrogates (core.text) in a body or a query string are
  refused with a 422 naming each field, because whoever calls the API (an agent's tool, an
  administrator's script) can fix their input. A route that takes a customer's content
  through an integrator (`@customer_content`) gets it cleaned instead: the customer's
  message is stored minus what no database can hold, never lost for it.
- Integers outside the 64-bit range both databases store are refused with a 422 (SQLite
  raises OverflowError and PostgreSQL "bigint out of range" on such a lookup).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any, TypeVar, cast

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja import Schema
from ninja.errors import ValidationError
from ninja.parser import Parser
from pydantic import BaseModel

from omnicanal.core.text import clean_data, describe_path, poisoned_paths

Callback = TypeVar("Callback", bound=Callable[..., Any])

# SQLite's INTEGER and PostgreSQL's bigint.
LARGEST_STORABLE_INTEGER = 2**63 - 1

_POISON_ATTRIBUTE = "_omnicanal_poisoned_fields"
_CUSTOMER_CONTENT_ATTRIBUTE = "accepts_customer_content"


class ErrorOut(Schema):
    """Every error answer: `detail` is a sentence, or for a 422 from validation the list of
    fields in error (`loc`, `msg`, `type`)."""

    detail: str | list[dict[str, Any]]


def customer_content(view: Callback) -> Callback:
    """Mark a route whose body is a customer's content: poisoned text is cleaned, not refused.
    Put it below the router's decorator."""
    setattr(view, _CUSTOMER_CONTENT_ATTRIBUTE, True)
    return view


def had_poisoned_text(request: HttpRequest) -> bool:
    """Whether text was cleaned out of this request (for a `@customer_content` route to flag
    what it stores)."""
    return bool(getattr(request, _POISON_ATTRIBUTE, []))


def _remember(request: HttpRequest, source: str, data: Any) -> Any:
    paths = [(source, *path) for path in poisoned_paths(data)]
    if paths:
        setattr(request, _POISON_ATTRIBUTE, [*getattr(request, _POISON_ATTRIBUTE, []), *paths])
        return clean_data(data)
    return data


class TextBoundaryParser(Parser):
    """ninja's JSON parser, noting (and cleaning) poisoned text for `check_request_values`.

    The parser cannot refuse by itself: ninja turns any exception it raises into a 400
    "Cannot parse request body", which would not say which field is wrong."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        return cast(dict[str, Any], _remember(request, "body", super().parse_body(request)))

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        parsed = super().parse_querydict(data, list_fields, request)
        return cast(dict[str, Any], _remember(request, "query", parsed))


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump()
    return value


def _oversized_integers(value: Any, path: tuple[str | int, ...]) -> list[tuple[str | int, ...]]:
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [path] if abs(value) > LARGEST_STORABLE_INTEGER else []
    found: list[tuple[str | int, ...]] = []
    if isinstance(value, Mapping):
        for key, item in value.items():
            found.extend(_oversized_integers(item, (*path, str(key))))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found.extend(_oversized_integers(item, (*path, index)))
    return found


def check_request_values(view: Callback) -> Callback:
    """An operation decorator for the whole API (`api.add_decorator`): refuses, with a 422
    naming the fields, poisoned text (unless the route takes customer content) and integers
    no database column can hold."""
    accepts_customer_content = getattr(view, _CUSTOMER_CONTENT_ATTRIBUTE, False)

    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **values: Any) -> Any:
        errors: list[dict[str, Any]] = []
        if not accepts_customer_content:
            for path in getattr(request, _POISON_ATTRIBUTE, []):
                errors.append({
                    "loc": list(path),
                    "msg": f"{describe_path(path[1:])} contains a NUL character or an "
                           "unpaired surrogate, which cannot be stored.",
                    "type": "text_poison",
                })
        for name, value in values.items():
            for path in _oversized_integers(_plain(value), (name,)):
                errors.append({
                    "loc": list(path),
                    "msg": f"{describe_path(path)} is larger than {LARGEST_STORABLE_INTEGER}.",
                    "type": "integer_too_large",
                })
        if errors:
            raise ValidationError(errors)
        return view(request, *args, **values)

    return cast(Callback, checked)


def _error_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
    }


_DESCRIPTIONS = {
    "400": "The body is not JSON, or the request is refused for a reason given in `detail`.",
    "401": "No credentials: send `Authorization: Bearer <token>` (see WWW-Authenticate).",
    "403": "The token is invalid or revoked, or its user may not do this.",
    "404": "What the path or a parameter names does not exist (or is not yours to see).",
    "413": "The body is larger than the server accepts.",
    "422": "A field is invalid; `detail` names each one.",
}


def document_error_statuses(schema: dict[str, Any]) -> dict[str, Any]:
    """Add to every operation of an OpenAPI document the errors the API's edge answers for
    it (route-specific ones, such as 409, are declared on the route itself)."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault(
        "ErrorOut", ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    )
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            statuses = []
            if operation.get("security"):
                statuses += ["401", "403"]
            has_parameters = bool(operation.get("parameters"))
            if "requestBody" in operation:
                statuses += ["400", "413", "422"]
            if has_parameters:
                statuses += ["400", "404", "422"]
            responses = operation["responses"]
            # django-ninja keys a route's own statuses by int (422, 413): "422" beside 422
            # would be one key twice in the JSON, which Swagger UI refuses to parse.
            declared = {str(code) for code in responses}
            for status in statuses:
                if status not in declared:
                    responses[status] = _error_response(_DESCRIPTIONS[status])
                    declared.add(status)
    return schema
