"""The JSON API: one NinjaAPI, each app's router mounted once."""

from ninja import NinjaAPI
from ninja.security import SessionAuth

from omnicanal.accounts.auth import BearerTokenAuth
from omnicanal.connectors.actions import InvalidSettings
from omnicanal.connectors.email.api import router as email_router
from omnicanal.connectors.inboxes import router as inboxes_router
from omnicanal.conversations.api import router as conversations_router
from omnicanal.core.exceptions import DomainError
from omnicanal.routing.api import router as routing_router

api = NinjaAPI(
    title="Omnicanal API",
    version="1",
    urls_namespace="api-v1",
    docs_url="/docs",
    auth=[BearerTokenAuth(), SessionAuth()],
)
api.add_router("/", inboxes_router)
api.add_router("/", conversations_router)
api.add_router("/", email_router)
api.add_router("/", routing_router)


@api.exception_handler(InvalidSettings)
def invalid_settings(request, exc: InvalidSettings):  # type: ignore[no-untyped-def]
    errors = [{"field": p.field, "reason": p.reason} for p in exc.problems]
    return api.create_response(request, {"detail": exc.message, "errors": errors}, status=422)


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):  # type: ignore[no-untyped-def]
    return api.create_response(request, {"detail": exc.message}, status=exc.status)
