"""Signed public links to the files of our replies, for whoever must fetch them without an
account: a provider that takes media by URL (Twilio's MediaUrl, WhatsApp Cloud's `link`,
Messenger's attachment `url`) and the web chat visitor's widget.

A link is /files/<token>/<filename>: the token is the attachment's id signed with the
SECRET_KEY (django.core.signing, its own salt) and a timestamp, so it cannot be guessed or
altered, and it stops working after OUTGOING_MEDIA_LINK_SECONDS. Only files of outgoing
messages are served this way: what customers sent us stays behind the agents' login.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing
from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from omnicanal.conversations.attachments import MediaRules
from omnicanal.conversations.models import Attachment, Direction, Message

SALT = "omnicanal.connectors.media_links"


def token_for(attachment_id: int) -> str:
    return signing.dumps(attachment_id, salt=SALT, compress=False)


def attachment_id_from(token: str, *, max_age: int | None = None) -> int | None:
    """The attachment a token names, or None when it is forged, altered or expired."""
    try:
        value = signing.loads(
            token, salt=SALT,
            max_age=settings.OUTGOING_MEDIA_LINK_SECONDS if max_age is None else max_age,
        )
    except signing.BadSignature:  # SignatureExpired is one
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def link_path(attachment: Attachment) -> str:
    filename = attachment.filename or "attachment"
    return reverse("media_links:file", args=[token_for(attachment.pk), filename])


def public_link(attachment: Attachment) -> str:
    """The absolute link under PUBLIC_URL, or "" when none is configured (the provider could
    not reach a file on a private address)."""
    if not settings.PUBLIC_URL:
        return ""
    return settings.PUBLIC_URL + link_path(attachment)


def visitor_links(message: Message) -> list[dict[str, Any]]:
    """A reply's files as the web chat widget receives them: `name`, `size`, `content_type`
    and `url` (absolute under PUBLIC_URL, else a path on the server the widget talks to)."""
    if message.direction != Direction.OUTGOING:
        return []
    return [
        {
            "name": attachment.filename or "attachment",
            "size": attachment.size,
            "content_type": attachment.content_type or "application/octet-stream",
            "url": public_link(attachment) or link_path(attachment),
        }
        for attachment in message.attachments.all()
        if attachment.file
    ]


def by_url(rules: MediaRules, product: str) -> MediaRules:
    """The rules of a provider that fetches files from a link we give it: none while this
    installation has no public address."""
    if settings.PUBLIC_URL:
        return rules
    return MediaRules(refusal=_(
        "%(product)s fetches attachments from this server, and the server's public address "
        "(PUBLIC_URL) is not set: ask an administrator to set it."
    ) % {"product": product})


# Images a browser shows inline; everything else is a download.
_INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


@require_safe
def serve(request: HttpRequest, token: str, filename: str) -> FileResponse:
    """The file behind a signed link, to anyone holding it (no login: providers have none);
    404 for a forged, altered or expired link, or a file that is not ours to give."""
    attachment_id = attachment_id_from(token)
    attachment = (
        Attachment.objects.filter(pk=attachment_id, message__direction=Direction.OUTGOING)
        .exclude(file="")
        .first()
        if attachment_id is not None else None
    )
    if attachment is None:
        raise Http404("No such file, or the link has expired.")
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("This file is missing.") from exc
    content_type = (attachment.content_type or "").split(";")[0].strip().lower()
    response = FileResponse(
        handle,
        content_type=content_type or "application/octet-stream",
        as_attachment=content_type not in _INLINE_TYPES,
        filename=attachment.filename or "attachment",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    # The link is the only key: no shared cache keeps the file past its expiry.
    response["Cache-Control"] = "private, max-age=300"
    response["Referrer-Policy"] = "no-referrer"
    return response


# What providers document they take, by sniffed type (conversations.attachments.sniff).
IMAGES = frozenset({"image/jpeg", "image/png"})
GIF_WEBP = frozenset({"image/gif", "image/webp"})
OFFICE = frozenset({
    "application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
})
DOCUMENTS = frozenset({"application/pdf", "text/plain"}) | OFFICE
AUDIO = frozenset({"audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg"})
VIDEO = frozenset({"video/mp4", "video/3gpp"})
MB = 1024 * 1024
