"""Inbound media: what a messaging webhook only names (a URL, a media id, a file_id) is
fetched by a task after commit and stored as the attachment's file.

Providers keep media briefly (WhatsApp Cloud: 30 days, Messenger CDN links: hours; Telegram
file paths: one hour once asked for), so the fetch runs right after ingest, not on view.
"""

from __future__ import annotations

import datetime as dt
import logging
import mimetypes

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from omnicanal.connectors.base import SendError
from omnicanal.connectors.registry import adapter_for
from omnicanal.conversations.actions import note_on_message, store_attachment_content
from omnicanal.conversations.models import Attachment, Inbox, Message, OutboxEvent

logger = logging.getLogger(__name__)

# WhatsApp documents go up to 100 MB; we keep less and tell the agent. Override with the
# INBOUND_MEDIA_MAX_BYTES setting.
DEFAULT_MAX_BYTES = 25 * 1024 * 1024
MAX_ATTEMPTS = 4
# Locations and shared contacts are stored as geo:/tel: references, not files to fetch.
NOT_FETCHED_PREFIXES = ("geo:", "tel:")


def max_bytes() -> int:
    return int(getattr(settings, "INBOUND_MEDIA_MAX_BYTES", DEFAULT_MAX_BYTES))


def enqueue_media_fetches(event: OutboxEvent) -> None:
    """`message.created` handler: a fetch for each of the message's attachments still remote.
    Enqueued in the transaction that marks the event handled, so a crash loses none."""
    if not event.payload.get("remote_media"):
        return
    channel = Inbox.objects.filter(pk=event.payload.get("inbox_id")).values_list(
        "channel", flat=True
    ).first()
    if channel is None or not adapter_for(channel).fetches_media:
        return  # the URLs stay on the attachments, as the sender gave them
    ids = Attachment.objects.filter(message_id=event.payload.get("message_id"), file="").exclude(
        remote_ref=""
    ).values_list("pk", "remote_ref")
    for pk, ref in ids:
        if not ref.startswith(NOT_FETCHED_PREFIXES):
            fetch_attachment.enqueue(pk)


@task()
def fetch_attachment(attachment_id: int, attempt: int = 1) -> str:
    """Download one attachment. A deleted one, or one already downloaded, is left alone."""
    attachment = (
        Attachment.objects.select_related("message__inbox", "message__conversation")
        .filter(pk=attachment_id)
        .first()
    )
    if attachment is None:
        return "gone"
    if attachment.file:
        return "already fetched"
    message = attachment.message
    inbox = message.inbox
    try:
        # An adapter that fetches nothing (`fetches_media` false) refuses for good.
        adapter = adapter_for(inbox.channel)
        limit = max_bytes()
        response = adapter.fetch_media(attachment.remote_ref, dict(inbox.settings), limit)
        if response.status >= 400:
            raise SendError(
                f"HTTP {response.status} fetching the media",
                is_permanent=response.status < 500 and response.status not in (408, 429),
            )
    except (SendError, LookupError) as exc:
        is_permanent = not isinstance(exc, SendError) or exc.is_permanent
        if is_permanent or attempt >= MAX_ATTEMPTS:
            _record_failure(message, attachment, str(exc))
            return "failed"
        delay = dt.timedelta(seconds=settings.SEND_RETRY_BASE_SECONDS * 2 ** (attempt - 1))
        fetch_attachment.using(run_after=timezone.now() + delay).enqueue(
            attachment_id, attempt + 1
        )
        return "retrying"
    content_type = attachment.content_type or response.headers.get("content-type", "")
    content_type = content_type.split(";")[0].strip()
    stored = store_attachment_content(
        attachment.pk, response.body, content_type, _filename(attachment, content_type)
    )
    return "fetched" if stored else "already fetched"


def _filename(attachment: Attachment, content_type: str) -> str:
    if attachment.filename:
        return attachment.filename
    extension = mimetypes.guess_extension(content_type) or ""
    return f"attachment-{attachment.pk}{extension}"


def _record_failure(message: Message, attachment: Attachment, reason: str) -> None:
    # Attachment has no field for it: the reason goes in the message's metadata, by id, so
    # the workspace can say why an image is missing instead of showing nothing.
    logger.warning("attachment %s not fetched: %s", attachment.pk, reason)
    note_on_message(
        message.pk, "media_errors", {str(attachment.pk): reason[:500]}, change="media_error"
    )
