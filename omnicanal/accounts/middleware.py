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
    """While no account exists, the login page sends its visitor to the setup page.

    Every workspace page sends an anonymous visitor to the login page, so all of them end
    there; webhooks, the API, /health/ and static files never do. Only the login page asks
    the database.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == resolve_url(settings.LOGIN_URL) and setup_needed():
            return redirect("setup")
        return self.get_response(request)
