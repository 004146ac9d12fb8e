"""API authentication: a bearer token, or the browser's session (with CSRF)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from omnicanal.accounts.actions import authenticate_token
from omnicanal.accounts.models import User


class BearerTokenAuth(HttpBearer):
    openapi_description = "Authorization: Bearer <token> (see `omnicanal issue_token EMAIL`)"

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = authenticate_token(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(NinjaSessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return super().authenticate(request, key)
