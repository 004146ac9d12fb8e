"""The JSON API: one NinjaAPI, each app's router mounted once."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.security import SessionAuth

from omnicanal.accounts.auth import BearerTokenAuth
from omnicanal.connectors.actions import InvalidSettings
from omnicanal.connectors.api.api import router as api_channel_router
from omnicanal.connectors.email.api import router as email_router
from omnicanal.connectors.inboxes import router as inboxes_router
from omnicanal.conversations.api import router as conversations_router
from omnicanal.core.api_boundary import (
    TextBoundaryParser,
    check_request_values,
    document_error_statuses,
)
from omnicanal.core.exceptions import DomainError
from omnicanal.routing.api import router as routing_router


class OmnicanalAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        return document_error_statuses(super().get_openapi_schema(**kwargs))


api = OmnicanalAPI(
    title="Omnicanal API",
    version="1",
    urls_namespace="api-v1",
    docs_url="/docs",
    auth=[BearerTokenAuth(), SessionAuth()],
    parser=TextBoundaryParser(),
)
api.add_router("/", inboxes_router)
api.add_decorator(check_request_values)
api.add_router("/", conversations_router)
api.add_router("/", email_router)
api.add_router("/", api_channel_router)
api.add_router("/", routing_router)


def _reader_language(request: HttpRequest) -> str:
    # Errors are translated where they are raised; a program reading the API gets English
    # unless its request names a language (Accept-Language), whatever the site's default.
    return translation.get_language() if request.headers.get("Accept-Language") else "en"


@api.exception_handler(InvalidSettings)
def invalid_settings(request: HttpRequest, exc: InvalidSettings) -> HttpResponse:
    # The shape of every other 422 of the API (django-ninja's validation errors): one entry
    # per field, located in the body.
    with translation.override(_reader_language(request)):
        errors = [
            {"loc": ["body", *p.field.split(".")], "msg": str(p.reason), "type": "invalid_setting"}
            for p in exc.problems
        ]
    return api.create_response(request, {"detail": errors}, status=422)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    with translation.override(_reader_language(request)):
        detail = exc.message
    return api.create_response(request, {"detail": detail}, status=exc.status)


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    # RFC 6750 §3: a request without credentials is told which scheme to use. A token that
    # is sent but refused is a 403 (BearerTokenAuth), never this.
    response = api.create_response(
        request, {"detail": "Send an API token: Authorization: Bearer <token>."}, status=401
    )
    response["WWW-Authenticate"] = 'Bearer realm="omnicanal"'
    return response


@api.exception_handler(RequestDataTooBig)
def body_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    # Django refuses bodies over DATA_UPLOAD_MAX_MEMORY_SIZE with an HTML 400; an API client
    # gets JSON and the status that says what is wrong.
    return api.create_response(
        request, {"detail": "The request body is too large."}, status=413
    )
