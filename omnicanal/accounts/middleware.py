from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.utils import translation

from omnicanal.accounts.setup import setup_needed


class AgentLanguageMiddleware:
    """Speak the language the agent chose, whatever the browser says."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = getattr(user, "language", None) if user is not None else None
        if language and user is not None and user.is_authenticated:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class FirstRunMiddleware:
    """While no account exists, send whoever would be asked to log in to the setup page.

    Only the login page and the redirects to it are touched, so the workspace's pages are
    covered and webhooks, the API, /health/ and static files are not. A logged-in request
    proves an account exists: it costs no query.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return self.get_response(request)
        login_url = resolve_url(settings.LOGIN_URL)
        if request.path == login_url and setup_needed():
            return redirect("setup")
        response = self.get_response(request)
        if (
            response.status_code == 302
            and response.get("Location", "").split("?")[0] == login_url
            and setup_needed()
        ):
            return redirect("setup")
        return response
