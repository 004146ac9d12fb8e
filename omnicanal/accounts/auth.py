"""API authentication by bearer token (the browser's session, with CSRF, is ninja's own
SessionAuth, listed beside it in omnicanal/api.py)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.errors import AuthorizationError
from ninja.security import HttpBearer

from omnicanal.accounts.actions import authenticate_token
from omnicanal.accounts.models import User
from omnicanal.core.text import has_poison


class BearerTokenAuth(HttpBearer):
    openapi_description = "Authorization: Bearer <token> (see `omnicanal issue_token EMAIL`)"

    def authenticate(self, request: HttpRequest, token: str) -> User:
        """The token's user. A token that is sent but unknown or revoked is a 403, not a 401:
        the client has credentials, they are refused (RFC 6750 §3.1, "invalid_token"); a
        request that sends none gets the 401 of omnicanal.api."""
        user = authenticate_token(token) if token and not has_poison(token) else None
        if user is None:
            raise AuthorizationError(403, "This API token is invalid or revoked.")
        request.user = user
        return user
