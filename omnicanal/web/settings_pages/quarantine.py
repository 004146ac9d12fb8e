"""Settings → Quarantined mail: IMAP mail that could not be stored, with its error, a retry
(audited) and the mail itself to download (administrators)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from omnicanal.accounts.decorators import (
    HtmxHttpRequest,
    administrator_required,
    request_agent,
)
from omnicanal.connectors.email.quarantine import quarantined_mails, retry_quarantined_mail
from omnicanal.core.exceptions import DomainError

MAILS_SHOWN = 200


@require_GET
@administrator_required
def quarantine_page(request: HtmxHttpRequest) -> HttpResponse:
    return render(request, "web/settings/quarantine.html", {
        "section": "settings",
        "mails": list(quarantined_mails()[:MAILS_SHOWN]),
        "count": quarantined_mails().count(),
        "max_attempts": settings.IMAP_MAX_ATTEMPTS,
    })


@require_POST
@administrator_required
def quarantine_retry(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    try:
        result = retry_quarantined_mail(request_agent(request), pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if result.action == "ignored":
            messages.warning(request, gettext(
                "The mail was read again; there was nothing in it to store (%(reason)s)."
            ) % {"reason": result.detail or "-"})
        elif result.conversation_id:
            messages.success(request, gettext("The mail was stored in conversation %(id)s.")
                             % {"id": result.conversation_id})
        else:
            messages.success(request, gettext("The mail was stored."))
    return redirect("web:settings_quarantine")


@require_GET
@administrator_required
def quarantine_download(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The mail exactly as the IMAP server held it."""
    mail = get_object_or_404(quarantined_mails(), pk=pk)
    response = HttpResponse(bytes(mail.raw), content_type="message/rfc822")
    response["Content-Disposition"] = (
        f'attachment; filename="quarantined-{mail.inbox_id}-{mail.uid}.eml"'
    )
    return response


urlpatterns = [
    path("settings/quarantine/", quarantine_page, name="settings_quarantine"),
    path("settings/quarantine/<int:pk>/retry/", quarantine_retry,
         name="settings_quarantine_retry"),
    path("settings/quarantine/<int:pk>/eml/", quarantine_download,
         name="settings_quarantine_download"),
]
