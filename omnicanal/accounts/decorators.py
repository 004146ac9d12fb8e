"""What every app's pages check about the person asking: logged in and active, or a
supervisor. Here, below every app that has pages, so that routing's and notifications' pages
use the same checks as the workspace without importing it."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext
from django_htmx.middleware import HtmxDetails

from omnicanal.accounts.models import User


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def agent_required(view: View) -> View:
    """Logged in and active. Django's ModelBackend already drops the user of a session that
    outlived a deactivation; checking here keeps that true whatever backend is configured."""

    @wraps(view)
    def wrapper(request: HtmxHttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_active:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return login_required(wrapper)  # type: ignore[return-value]


def request_agent(request: HttpRequest) -> User:
    """The logged-in agent of a view behind `agent_required`."""
    user = request.user
    assert isinstance(user, User)
    return user


def supervisor_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """An active supervisor or administrator; other agents get the 403 page saying why."""

    @wraps(view)
    def wrapper(request: HtmxHttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request_agent(request).is_supervisor_or_above:
            raise PermissionDenied(gettext("This page is for supervisors."))
        return view(request, *args, **kwargs)

    return agent_required(wrapper)


def administrator_required(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """An active administrator; other agents get the 403 page saying why."""

    @wraps(view)
    def wrapper(request: HtmxHttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request_agent(request).is_administrator:
            raise PermissionDenied(gettext("This page is for administrators."))
        return view(request, *args, **kwargs)

    return agent_required(wrapper)
