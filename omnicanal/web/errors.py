"""Django's CSRF failure page in the workspace's style (settings.CSRF_FAILURE_VIEW). The
400/403/404/500 pages are Django's own handlers rendering the templates of the same names."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseForbidden
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponseForbidden:
    """The form was sent with a missing or stale token: say so, and offer to reload the page
    the form came from (the Referer, when it is one of ours)."""
    referer = request.headers.get("Referer", "")
    back = referer if url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ) else ""
    template = loader.get_template("403_csrf.html")
    return HttpResponseForbidden(template.render({"back": back}, request))
