"""Settings → Bot (administrators): where the assistant's bot answers first, under which
name, how sure it must be before answering, and what it says when it greets and hands over.

Thin: the form reads the input, `assistant.bot.save_bot_settings` checks and writes it.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from omnicanal.accounts.decorators import HtmxHttpRequest, administrator_required, request_agent
from omnicanal.assistant import bot
from omnicanal.assistant.models import DEFAULT_CONFIDENCE_THRESHOLD
from omnicanal.core.exceptions import DomainError, InvalidField


class BotForm(forms.Form):
    inboxes = forms.TypedMultipleChoiceField(
        label=_("Inboxes where the bot answers first"), required=False, coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Web chat, WhatsApp, Messenger, Telegram and SMS. New conversations of "
                    "these inboxes go to the bot; it hands them to the team when it cannot "
                    "answer or the customer asks for a person."),
    )
    display_name = forms.CharField(
        label=_("Bot's name"), max_length=60,
        help_text=_("Shown to customers beside its messages, with “Automated assistant”."),
    )
    confidence_threshold = forms.FloatField(
        label=_("Confidence threshold"), min_value=0.0, max_value=1.0,
        widget=forms.NumberInput(attrs={"step": "0.05"}),
        help_text=_("Below this retrieval confidence (0 to 1) the bot does not answer: it says "
                    "so and offers a person, a callback or an answer by e-mail. Default "
                    "%(default)s, measured on questions the demo articles answer and questions "
                    "they do not.") % {"default": DEFAULT_CONFIDENCE_THRESHOLD},
    )
    greeting_fr = forms.CharField(
        label=_("Greeting in French"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    greeting_en = forms.CharField(
        label=_("Greeting in English"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    handover_fr = forms.CharField(
        label=_("Handover message in French"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    handover_en = forms.CharField(
        label=_("Handover message in English"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["inboxes"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [
            (inbox.pk, f"{inbox.name} · {inbox.get_channel_display()}")
            for inbox in bot.bot_inboxes()
        ]
        # Empty: the bot says its default, shown as the placeholder.
        config = bot.bot_settings()
        for language in ("fr", "en"):
            said = bot.texts(config, language)
            for kind in ("greeting", "handover"):
                self.fields[f"{kind}_{language}"].widget.attrs["placeholder"] = said[kind]


@require_http_methods(["GET", "POST"])
@administrator_required
def bot_page(request: HtmxHttpRequest) -> HttpResponse:
    config = bot.bot_settings()
    if request.method == "POST":
        form = BotForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                bot.save_bot_settings(
                    request_agent(request), display_name=data["display_name"],
                    confidence_threshold=data["confidence_threshold"],
                    greeting_fr=data["greeting_fr"], greeting_en=data["greeting_en"],
                    handover_fr=data["handover_fr"], handover_en=data["handover_en"],
                    enabled_inbox_ids=list(data["inboxes"]),
                )
            except DomainError as error:
                field = error.field if isinstance(error, InvalidField) else None
                form.add_error(field if field in form.fields else None, error.message)
            else:
                messages.success(request, gettext("Bot settings saved."))
                return HttpResponseRedirect(reverse("web:settings_bot"))
    else:
        form = BotForm(initial={
            "inboxes": [inbox.pk for inbox in bot.bot_inboxes() if inbox.bot_enabled],
            "display_name": config.display_name,
            "confidence_threshold": config.confidence_threshold,
            "greeting_fr": config.greeting_fr, "greeting_en": config.greeting_en,
            "handover_fr": config.handover_fr, "handover_en": config.handover_en,
        })
    return render(request, "web/settings/bot.html", {
        "section": "settings", "form": form,
        "has_llm": bot.llm.is_configured(), "has_inboxes": bool(bot.bot_inboxes()),
    }, status=422 if form.errors else 200)


urlpatterns = [
    path("settings/bot/", bot_page, name="settings_bot"),
]
