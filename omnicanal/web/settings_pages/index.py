"""/settings/: the first settings page the user may open."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import path
from django.views.decorators.http import require_GET

from omnicanal.accounts.decorators import HtmxHttpRequest, agent_required, request_agent
from omnicanal.web.settings_pages.nav import first_page_for


@require_GET
@agent_required
def settings_index(request: HtmxHttpRequest) -> HttpResponseRedirect:
    url = first_page_for(request_agent(request))
    if url is None:
        raise PermissionDenied
    return HttpResponseRedirect(url)


urlpatterns = [
    path("settings/", settings_index, name="settings"),
]
