"""Settings → Inboxes (administrators): list, create, edit, disable and delete the inboxes
of every channel kind. Each settings form is generated from the channel adapter's schema
(`web.schema_forms`); every write goes through `connectors.actions`."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from omnicanal.accounts.decorators import HtmxHttpRequest, administrator_required, request_agent
from omnicanal.connectors import actions
from omnicanal.connectors.field_labels import provider_label
from omnicanal.connectors.registry import adapter_for, channel_choices, channel_kinds
from omnicanal.conversations.models import Inbox
from omnicanal.core.exceptions import DomainError, InvalidInput
from omnicanal.web.schema_forms import SchemaSettingsForm

# A secret shown once after creation or regeneration, kept in the session until then.
SECRET_ONCE_KEY = "inbox_secret_once"  # noqa: S105 - a session key, not a secret


def _inbox(pk: int) -> Inbox:
    inbox = Inbox.objects.filter(pk=pk).annotate(conversation_count=Count("conversations")).first()
    if inbox is None:
        raise Http404
    return inbox


def _channel_label(channel: str, provider: str = "") -> str:
    label = dict(channel_choices()).get(channel, channel)
    return f"{label} · {provider_label(provider)}" if provider else label


def _webhook_url(request: HtmxHttpRequest, inbox: Inbox) -> str:
    provider = adapter_for(inbox.channel).webhook_provider(inbox.settings)
    if not provider:
        return ""
    return request.build_absolute_uri(
        reverse("webhooks:webhook", kwargs={"provider": provider, "inbox_id": inbox.pk})
    )


@require_GET
@administrator_required
def inboxes_page(request: HtmxHttpRequest) -> HttpResponse:
    inboxes = Inbox.objects.annotate(conversation_count=Count("conversations")).order_by("name")
    return render(request, "web/settings/inboxes.html", {
        "section": "settings", "inboxes": inboxes,
    })


@require_GET
@administrator_required
def inbox_new(request: HtmxHttpRequest) -> HttpResponse:
    """Step one: the channel kind (and, where a channel runs on several, the provider)."""
    kinds = []
    for kind, label in channel_choices():
        providers = adapter_for(kind).providers
        for provider in providers or ("",):
            url = reverse("web:settings_inboxes_create", kwargs={"channel": kind})
            kinds.append({
                "kind": kind, "label": label, "provider": provider_label(provider),
                "url": f"{url}?provider={provider}" if provider else url,
            })
    return render(request, "web/settings/inbox_new.html", {
        "section": "settings", "kinds": kinds, "welcome": request.GET.get("welcome") == "1",
    })


def _connection_checks(
    request: HtmxHttpRequest, form: SchemaSettingsForm, channel: str, inbox_id: int | None
) -> list[Any] | None:
    """"Test connection": the form's settings tried for real, nothing saved."""
    if not form.is_valid():
        return None
    settings = form.settings()
    if form.errors:
        return None
    try:
        return actions.check_connection(
            request_agent(request), channel, settings, inbox_id=inbox_id
        )
    except actions.InvalidSettings as exc:
        form.show_problems(exc.problems)
    return None


@require_http_methods(["GET", "POST"])
@administrator_required
def inbox_create(request: HtmxHttpRequest, channel: str) -> HttpResponse:
    if channel not in channel_kinds():
        raise Http404
    adapter = adapter_for(channel)
    provider = request.GET.get("provider", "")
    if provider not in adapter.providers:
        provider = adapter.providers[0] if adapter.providers else ""
    schema = adapter.schema_for({"provider": provider} if provider else {})
    form = SchemaSettingsForm(schema, data=request.POST if request.method == "POST" else None)
    checks = None
    if request.method == "POST":
        if request.POST.get("do") == "check":
            checks = _connection_checks(request, form, channel, None)
        elif form.is_valid():
            settings = form.settings()
            if not form.errors:
                try:
                    inbox = actions.create_inbox(
                        request_agent(request), name=form.cleaned_data["name"],
                        channel=channel, settings=settings,
                    )
                except actions.InvalidSettings as exc:
                    form.show_problems(exc.problems)
                except InvalidInput as exc:
                    form.add_error("name", exc.message)
                else:
                    request.session[SECRET_ONCE_KEY] = [inbox.pk, inbox.secret]
                    return redirect("web:settings_inboxes_edit", pk=inbox.pk)
    return render(request, "web/settings/inbox_form.html", {
        "section": "settings", "form": form, "channel": channel, "inbox": None,
        "channel_label": _channel_label(channel, provider), "checks": checks,
        "can_check": adapter.can_check_connection,
        "welcome": request.GET.get("welcome") == "1",
    }, status=422 if form.errors else 200)


def _secret_once(request: HtmxHttpRequest, inbox: Inbox) -> str:
    pending = request.session.get(SECRET_ONCE_KEY)
    if isinstance(pending, list) and len(pending) == 2 and pending[0] == inbox.pk:
        del request.session[SECRET_ONCE_KEY]
        return str(pending[1])
    return ""


@require_http_methods(["GET", "POST"])
@administrator_required
def inbox_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    inbox = _inbox(pk)
    schema = adapter_for(inbox.channel).schema_for(inbox.settings)
    form = SchemaSettingsForm(
        schema, stored=inbox.settings, inbox_name=inbox.name,
        data=request.POST if request.method == "POST" else None,
    )
    checks = None
    if request.method == "POST":
        if request.POST.get("do") == "check":
            checks = _connection_checks(request, form, inbox.channel, inbox.pk)
        elif form.is_valid():
            settings = form.settings()
            if not form.errors:
                try:
                    actions.update_inbox(
                        request_agent(request), inbox.pk, name=form.cleaned_data["name"],
                        settings=settings,
                    )
                except actions.InvalidSettings as exc:
                    form.show_problems(exc.problems)
                except InvalidInput as exc:
                    form.add_error("name", exc.message)
                else:
                    return redirect(reverse("web:settings_inboxes_edit", kwargs={"pk": pk})
                                    + "?saved=1")
    return _edit_page(request, inbox, form, checks=checks)


def _edit_page(
    request: HtmxHttpRequest, inbox: Inbox, form: SchemaSettingsForm | None = None,
    **extra: Any,
) -> HttpResponse:
    adapter = adapter_for(inbox.channel)
    if form is None:
        form = SchemaSettingsForm(adapter.schema_for(inbox.settings), stored=inbox.settings,
                                  inbox_name=inbox.name)
    provider = str(inbox.settings.get("provider", "")) if adapter.providers else ""
    site_token = str(inbox.settings.get("site_token", "")) if adapter.has_embed_snippet else ""
    context = {
        "section": "settings", "form": form, "inbox": inbox, "channel": inbox.channel,
        "channel_label": _channel_label(inbox.channel, provider),
        "webhook_url": _webhook_url(request, inbox),
        "secret_once": _secret_once(request, inbox),
        "saved": request.GET.get("saved") == "1",
        "can_check": adapter.can_check_connection,
        "can_send_test": adapter.can_send_test_event,
        "can_set_webhook": adapter.can_register_webhook,
        "widget_url": request.build_absolute_uri(reverse("webchat:widget_js")),
        "site_token": site_token,
        **extra,
    }
    status = 422 if form.errors else 200
    return render(request, "web/settings/inbox_form.html", context, status=status)


@require_POST
@administrator_required
def inbox_active(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    actions.set_inbox_active(request_agent(request), _inbox(pk).pk,
                             request.POST.get("is_active") == "1")
    if request.POST.get("next") == "edit":
        return redirect("web:settings_inboxes_edit", pk=pk)
    return redirect("web:settings_inboxes")


@require_http_methods(["GET", "POST"])
@administrator_required
def inbox_delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    inbox = _inbox(pk)
    error = ""
    if request.method == "POST":
        try:
            actions.delete_inbox(request_agent(request), inbox.pk,
                                 confirmation=request.POST.get("confirmation", ""))
        except DomainError as exc:
            error = exc.message
        else:
            return redirect("web:settings_inboxes")
    return render(request, "web/settings/inbox_delete.html", {
        "section": "settings", "inbox": inbox, "error": error,
        "channel_label": _channel_label(inbox.channel),
    }, status=422 if error else 200)


@require_POST
@administrator_required
def inbox_secret(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    inbox, secret = actions.regenerate_inbox_secret(request_agent(request), _inbox(pk).pk)
    request.session[SECRET_ONCE_KEY] = [inbox.pk, secret]
    return redirect("web:settings_inboxes_edit", pk=pk)


@require_POST
@administrator_required
def inbox_send_test(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    inbox = _inbox(pk)
    try:
        delivery = actions.send_test_event(request_agent(request), inbox.pk)
    except InvalidInput as exc:
        return _edit_page(request, inbox, test_event={"error": exc.message})
    return _edit_page(request, inbox, test_event={
        "status": delivery.status, "is_ok": delivery.is_ok, "error": delivery.error,
    })


@require_POST
@administrator_required
def inbox_register_webhook(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    inbox = _inbox(pk)
    try:
        answer = actions.register_webhook(
            request_agent(request), inbox.pk, _webhook_url(request, inbox)
        )
    except InvalidInput as exc:
        return _edit_page(request, inbox, registration={"error": exc.message})
    return _edit_page(request, inbox, registration={"answer": answer})


@require_GET
@xframe_options_sameorigin  # shown in an iframe of the inbox's own page
@administrator_required
def inbox_preview(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """A bare page that loads the real widget for this inbox, shown in an iframe."""
    inbox = _inbox(pk)
    if not adapter_for(inbox.channel).has_embed_snippet:
        raise Http404
    origin = request.build_absolute_uri("/").rstrip("/")
    allowed = origin in (inbox.settings.get("allowed_origins") or [])
    return render(request, "web/settings/inbox_preview.html", {
        "inbox": inbox, "site_token": inbox.settings.get("site_token", ""),
        "origin": origin, "is_allowed": allowed,
    })


urlpatterns = [
    path("settings/inboxes/", inboxes_page, name="settings_inboxes"),
    path("settings/inboxes/new/", inbox_new, name="settings_inboxes_new"),
    path("settings/inboxes/new/<slug:channel>/", inbox_create, name="settings_inboxes_create"),
    path("settings/inboxes/<int:pk>/", inbox_edit, name="settings_inboxes_edit"),
    path("settings/inboxes/<int:pk>/active/", inbox_active, name="settings_inboxes_active"),
    path("settings/inboxes/<int:pk>/delete/", inbox_delete, name="settings_inboxes_delete"),
    path("settings/inboxes/<int:pk>/secret/", inbox_secret, name="settings_inboxes_secret"),
    path("settings/inboxes/<int:pk>/test-event/", inbox_send_test,
         name="settings_inboxes_send_test"),
    path("settings/inboxes/<int:pk>/register-webhook/", inbox_register_webhook,
         name="settings_inboxes_register_webhook"),
    path("settings/inboxes/<int:pk>/preview/", inbox_preview, name="settings_inboxes_preview"),
]
