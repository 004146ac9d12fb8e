"""The conversation page's "More" menu and what goes with it: export, merge, split, transfer
to a team with a note, and replying through another channel. Thin views over
`omnicanal.conversations.tools` and `omnicanal.conversations.export`.

The menu's forms are plain POSTs answered by a redirect (merging lands on the target), so that
a live refresh of the page never closes the menu while the agent is typing a transfer note.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from omnicanal.accounts.decorators import request_agent
from omnicanal.accounts.models import User
from omnicanal.connectors.messaging import (
    last_customer_message_at,
    reply_restriction,
    window_error,
)
from omnicanal.contacts.naming import contact_display_name
from omnicanal.conversations import actions, export, tools
from omnicanal.conversations.attachments import UploadedFileLike
from omnicanal.conversations.models import (
    Attachment,
    Conversation,
    Direction,
    Inbox,
    Message,
)
from omnicanal.conversations.queries import contact_timeline
from omnicanal.core.exceptions import DomainError, InvalidInput, NotFound
from omnicanal.web.timeline import timeline_days
from omnicanal.web.views import (
    HtmxHttpRequest,
    _access,
    _after_write,
    _conversation_url,
    _error_response,
    agent_required,
)


@dataclass(frozen=True)
class ReplyChannelOption:
    """A choice in the composer's channel list: the inbox, the address, and why the channel
    would refuse a free-form message now (then the option is disabled)."""

    value: str
    channel_label: str
    inbox_name: str
    address: str
    restriction: str | None


@dataclass(frozen=True)
class SnoozePreset:
    """A one-click wake-up time of the snooze menu; `value` is what the custom field would
    hold (a local date and time), so the preset and the field post the same thing."""

    label: str
    value: str
    moment: dt.datetime


def snooze_presets(now: dt.datetime) -> list[SnoozePreset]:
    """In an hour, tomorrow morning, next Monday morning: in the team's time zone, as the
    snooze view reads them."""
    local = timezone.localtime(now).replace(second=0, microsecond=0)
    morning = dt.time(9, 0)
    tomorrow = dt.datetime.combine(local.date() + dt.timedelta(days=1), morning, local.tzinfo)
    days_to_monday = 7 - local.weekday()  # a Monday's "next Monday" is a week later
    monday = dt.datetime.combine(local.date() + dt.timedelta(days=days_to_monday), morning,
                                 local.tzinfo)
    moments = [
        (gettext("In one hour"), local + dt.timedelta(hours=1)),
        (gettext("In three hours"), local + dt.timedelta(hours=3)),
        (gettext("Tomorrow morning"), tomorrow),
        (gettext("Next Monday morning"), monday),
    ]
    return [
        SnoozePreset(label, moment.strftime("%Y-%m-%dT%H:%M"), moment)
        for label, moment in moments
    ]


def timeline_context(conversation: Conversation) -> dict[str, Any]:
    """The timeline: the current conversation's days of grouped messages, then every other
    conversation of the contact as one collapsed block (`contact_timeline`)."""
    history = contact_timeline(conversation)
    contact_name = contact_display_name(conversation.contact)
    return {
        "timeline_days": timeline_days(history.messages, contact_name,
                                       contact=conversation.contact),
        "timeline_is_truncated": history.is_truncated,
        "other_conversations": [
            (block, timeline_days(block.messages, contact_name, contact=conversation.contact))
            for block in history.others
        ],
    }


def tools_context(conversation: Conversation) -> dict[str, Any]:
    """What the header's menus, the timeline and the composer's channel choice show."""
    return {
        **timeline_context(conversation),
        "snooze_presets": snooze_presets(timezone.now()),
        # A lone message has nothing to be split from: no button the action would refuse.
        "can_split": conversation.messages.exclude(direction=Direction.ACTIVITY)[1:2].exists(),
        "merge_candidates": tools.merge_candidates(conversation),
        "reply_channel_options": [
            ReplyChannelOption(
                value=choice.value,
                channel_label=choice.inbox.get_channel_display(),
                inbox_name=choice.inbox.name,
                address=choice.identity.value,
                restriction=reply_restriction(conversation, inbox=choice.inbox),
            )
            for choice in tools.reply_channels(conversation)
        ],
    }


def _id(value: str, refusal: str | Promise) -> int:
    if not value.isdigit():
        raise InvalidInput(refusal)
    return int(value)


def _page_redirect(request: HtmxHttpRequest, conversation_id: int) -> HttpResponseRedirect:
    return HttpResponseRedirect(_conversation_url(conversation_id, request.GET.urlencode()))


@require_GET
@agent_required
def conversation_export(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    """The transcript as a download: `format` html (printable) or json; `notes` includes the
    internal notes, labelled."""

    def attachment_url(attachment: Attachment) -> str:
        return request.build_absolute_uri(
            reverse("web:attachment_download", args=[attachment.pk])
        )

    try:
        exported = export.export_conversation(
            request_agent(request), conversation_id, request.GET.get("format", ""),
            include_notes=request.GET.get("notes") == "1", attachment_url=attachment_url,
        )
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        return _error_response(request, exc, _conversation_url(conversation_id, ""))
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    # Personal data: no shared cache may keep a copy.
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@agent_required
def conversation_merge(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    """Merge this conversation into `target`; the agent lands on the target."""
    try:
        target_id = _id(request.POST.get("target", ""),
                        gettext_lazy("Choose a conversation to merge into."))
        target = tools.merge_conversations(request_agent(request), conversation_id, target_id)
    except DomainError as exc:
        if exc.status == 404 and not Conversation.objects.filter(pk=conversation_id).exists():
            raise Http404(exc.message) from exc
        return _error_response(request, exc, _conversation_url(conversation_id, ""))
    messages.success(
        request,
        gettext("Conversation #%(source)d was merged into this one.") % {
            "source": conversation_id
        },
    )
    return HttpResponseRedirect(_conversation_url(target.pk, request.GET.urlencode()))


@require_POST
@agent_required
def message_split(
    request: HtmxHttpRequest, conversation_id: int, message_id: int
) -> HttpResponse:
    """Move a customer's message to a new conversation; the agent stays on this one, where
    an activity line links the new one."""
    _access(request, conversation_id)
    if not Message.objects.filter(pk=message_id, conversation_id=conversation_id).exists():
        raise Http404("No such message in this conversation.")
    try:
        new = tools.split_message(request_agent(request), message_id)
    except DomainError as exc:
        return _error_response(request, exc, _conversation_url(conversation_id, ""))
    messages.success(
        request,
        gettext("The message was moved to the new conversation #%(number)d.") % {
            "number": new.pk
        },
    )
    return _page_redirect(request, conversation_id)


@require_POST
@agent_required
def conversation_transfer(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    """Transfer to `team` with the internal `note`."""
    note = request.POST.get("note", "")

    def write(agent: User) -> object:
        team_id = _id(request.POST.get("team", ""), gettext_lazy("Choose a team."))
        return tools.transfer_to_team(agent, conversation_id, team_id, note)

    return _after_write(request, conversation_id, write)


def reply_via(
    agent: User, conversation_id: int, text: str, via: str, *, seen_message_id: int | None,
    attachments: Sequence[UploadedFileLike] = (),
) -> Message:
    """The composer's reply when the agent chose another channel (`via` = "inbox:identity");
    called by `views.conversation_reply`, which has checked the method and the login."""
    inbox_id, _, identity_id = via.partition(":")
    refusal = gettext_lazy("This channel cannot reach the contact.")
    inbox_pk, identity_pk = _id(inbox_id, refusal), _id(identity_id, refusal)
    check_reply_window(agent, conversation_id, inbox_pk)
    return tools.reply_via(
        agent, conversation_id, text, inbox_id=inbox_pk, identity_id=identity_pk,
        seen_message_id=seen_message_id, attachments=attachments,
    )


def check_reply_window(agent: User, conversation_id: int, inbox_id: int) -> None:
    """A channel that would refuse a free-form message now (a closed WhatsApp window) is
    refused before anything is written: the window is the channel's rule, so it is asked of
    the connectors here, at the edge, not by the conversations app below them."""
    conversation = actions.access_conversation(agent, conversation_id)
    inbox = Inbox.objects.filter(pk=inbox_id).first()
    if inbox is None:
        return  # tools.reply_via refuses an inbox that cannot reach the contact
    error = window_error(
        inbox.channel, last_customer_message_at(conversation, inbox=inbox), timezone.now()
    )
    if error is not None:
        raise InvalidInput(gettext_lazy(error.message))  # marked in connectors.messaging
