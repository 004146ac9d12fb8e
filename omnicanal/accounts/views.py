"""Pages reached without a session: accepting an invitation, forgetting a password and
choosing a new one. Each checks its link, then calls the action in `accounts.agents`."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.forms import SetPasswordForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from omnicanal.accounts import agents, photos
from omnicanal.accounts.forms import ForgotPasswordForm
from omnicanal.accounts.models import User

BACKEND = "django.contrib.auth.backends.ModelBackend"


def _speak_to(request: HttpRequest, agent: User) -> None:
    # The page the link opens is for one agent: in their language, whatever the browser says.
    translation.activate(agent.language)
    request.LANGUAGE_CODE = agent.language


def _link_problem(request: HttpRequest, problem: agents.LinkProblem, kind: str) -> HttpResponse:
    # A page for a person, not an error: a 4xx would only be logged by their browser.
    return render(request, "accounts/link_problem.html", {"problem": problem.value, "kind": kind})


@never_cache
@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    checked = agents.check_invitation(token)
    if checked.agent is None:
        assert checked.problem is not None
        return _link_problem(request, checked.problem, "invitation")
    agent = checked.agent
    _speak_to(request, agent)
    form = SetPasswordForm(agent, request.POST or None)
    if request.method == "POST" and form.is_valid():
        agents.accept_invitation(agent, form.cleaned_data["new_password1"])
        login(request, agent, backend=BACKEND)
        return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "accounts/set_password.html", {
        "form": form, "agent": agent, "kind": "invitation",
    })


@never_cache
@require_http_methods(["GET", "POST"])
def password_forgot(request: HttpRequest) -> HttpResponse:
    form = ForgotPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        agents.request_password_reset(
            form.cleaned_data["email"], base_url=request.build_absolute_uri("/")
        )
        # The same answer whether an account has this address or not.
        return redirect("password_forgot_sent")
    return render(request, "accounts/password_forgot.html", {"form": form})


@require_http_methods(["GET"])
def password_forgot_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_forgot_sent.html")


@never_cache
@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    agent = agents.check_password_reset(uidb64, token)
    if agent is None:
        # Django's tokens do not tell an expired link from a used one.
        return _link_problem(request, agents.LinkProblem.INVALID, "password_reset")
    _speak_to(request, agent)
    form = SetPasswordForm(agent, request.POST or None)
    if request.method == "POST" and form.is_valid():
        agents.reset_password(agent, form.cleaned_data["new_password1"])
        login(request, agent, backend=BACKEND)
        return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "accounts/set_password.html", {
        "form": form, "agent": agent, "kind": "password_reset",
    })


@require_http_methods(["GET", "HEAD"])
def agent_photo(request: HttpRequest, name: str) -> HttpResponse:
    """An agent's photo, public (the web chat widget shows it on any site): its random name
    is the only key. Cached for good, since a new photo gets a new name."""
    found = photos.find_photo(name)
    if found is None:
        raise Http404
    agent, content_type = found
    try:
        # At most 2 MB: read at once (a streamed file costs a thread hop per chunk under ASGI).
        with agent.photo.open("rb") as handle:
            content = handle.read()
    except OSError:
        raise Http404 from None
    response = HttpResponse(content, content_type=content_type)
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    # Shown inside other sites' pages (the widget).
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response
