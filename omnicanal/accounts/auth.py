"""API authentication by bearer token (the browser's session, with CSRF, is ninja's own
SessionAuth, listed beside it in omnicanal/api.py)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from omnicanal.accounts.actions import authenticate_token
from omnicanal.accounts.models import User


class BearerTokenAuth(HttpBearer):
    openapi_description = "Authorization: Bearer <token> (see `omnicanal issue_token EMAIL`)"

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = authenticate_token(token)
        if user is not None:
            request.user = user
        return user

