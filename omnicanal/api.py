"""The JSON API: one NinjaAPI, each app's router mounted once."""

from django.utils import translation
from ninja import NinjaAPI
from ninja.security import SessionAuth

from omnicanal.accounts.auth import BearerTokenAuth
from omnicanal.connectors.email.api import router as email_router
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
api.add_router("/", conversations_router)
api.add_router("/", email_router)
api.add_router("/", routing_router)


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):  # type: ignore[no-untyped-def]
    # Translated where it was raised; a program reading the API gets English unless its
    # request names a language (Accept-Language), whatever the site's default language.
    language = translation.get_language() if request.headers.get("Accept-Language") else "en"
    with translation.override(language):
        detail = exc.message
    return api.create_response(request, {"detail": detail}, status=exc.status)
