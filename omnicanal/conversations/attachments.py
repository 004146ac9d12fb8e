"""Files an agent attaches to a reply: counted, sized, typed from their bytes (never from
what the browser claims), refused when they are programs or scripts, and checked against
what the reply's channel takes.

What a channel takes (`MediaRules`) is the channel's rule, known by its adapter in the
connectors app above this one: connectors registers the lookup at start-up
(`register_media_rules`), so that every caller of `actions.reply` (the workspace, the API, a
reply through another channel) gets the same check without having to remember it. With
nothing registered, no channel takes files.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from omnicanal.core.exceptions import InvalidInput

if TYPE_CHECKING:
    from omnicanal.conversations.models import Inbox


class UploadedFileLike(Protocol):
    """What `actions.reply` reads of a file: Django's UploadedFile, or a File on bytes."""

    @property
    def name(self) -> str | None: ...

    @property
    def size(self) -> int | None: ...

    def read(self, size: int = -1) -> bytes: ...

    def seek(self, offset: int, whence: int = 0) -> int: ...


@dataclass(frozen=True)
class MediaRules:
    """What a reply on a channel may carry. `max_count` 0: the channel sends no files, and
    `refusal` says why in words the agent reads. `content_types` empty: any type that is not
    refused as dangerous."""

    max_count: int = 0
    max_bytes: int = 0
    content_types: frozenset[str] = field(default_factory=frozenset)
    refusal: str | Promise = ""

    @property
    def accepts(self) -> bool:
        return self.max_count > 0


NO_MEDIA = MediaRules(refusal=_("This channel cannot send attachments."))

_rules_lookup: Callable[[Inbox], MediaRules] | None = None


def register_media_rules(lookup: Callable[[Inbox], MediaRules]) -> None:
    """Called once by the connectors app: the rules of the channel an inbox is on."""
    global _rules_lookup
    _rules_lookup = lookup


def media_rules_for(inbox: Inbox) -> MediaRules:
    return _rules_lookup(inbox) if _rules_lookup is not None else NO_MEDIA


# --- types -------------------------------------------------------------------------------

# The first bytes of the types we recognise (offset, bytes, type), checked in this order.
_SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\x89PNG\r\n\x1a\n", "image/png"),
    (0, b"\xff\xd8\xff", "image/jpeg"),
    (0, b"GIF87a", "image/gif"),
    (0, b"GIF89a", "image/gif"),
    (0, b"%PDF-", "application/pdf"),
    (0, b"PK\x03\x04", "application/zip"),
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),
    (0, b"OggS", "audio/ogg"),
    (0, b"ID3", "audio/mpeg"),
    (0, b"\xff\xfb", "audio/mpeg"),
    (0, b"\xff\xf3", "audio/mpeg"),
    (0, b"#!AMR", "audio/amr"),
    (0, b"\x1a\x45\xdf\xa3", "video/webm"),
    (0, b"{\\rtf", "application/rtf"),
    # Programs: refused whatever their name says.
    (0, b"MZ", "application/x-msdownload"),
    (0, b"\x7fELF", "application/x-executable"),
    (0, b"\xcf\xfa\xed\xfe", "application/x-mach-binary"),
    (0, b"\xce\xfa\xed\xfe", "application/x-mach-binary"),
    (0, b"\xca\xfe\xba\xbe", "application/java-vm"),
    (0, b"#!", "text/x-script"),
)

# Containers whose kind the name tells apart (an .xlsx and a .docx are both zip files; a
# .doc and an .xls both OLE storage): the name refines, it never overrides the bytes.
_REFINED_BY_NAME = {
    "application/zip": {
        ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ".odt": "application/vnd.oasis.opendocument.text",
        ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    },
    "application/x-ole-storage": {
        ".doc": "application/msword",
        ".xls": "application/vnd.ms-excel",
        ".ppt": "application/vnd.ms-powerpoint",
    },
    "text/plain": {".csv": "text/csv"},
}

# Programs, scripts and pages a customer's computer would run or a browser would render as
# ours; by type (sniffed) and by name (a script is text, so only its name tells).
DANGEROUS_TYPES = frozenset({
    "application/x-msdownload", "application/x-executable", "application/x-mach-binary",
    "application/java-vm", "text/x-script", "text/html", "image/svg+xml",
})
DANGEROUS_EXTENSIONS = frozenset({
    ".exe", ".com", ".bat", ".cmd", ".scr", ".pif", ".msi", ".msp", ".dll", ".cpl", ".jar",
    ".js", ".jse", ".mjs", ".vbs", ".vbe", ".wsf", ".wsh", ".hta", ".ps1", ".psm1", ".sh",
    ".bash", ".zsh", ".csh", ".command", ".app", ".apk", ".appx", ".msix", ".deb", ".rpm",
    ".dmg", ".pkg", ".reg", ".lnk", ".scf", ".inf", ".iso", ".img", ".vhd", ".html", ".htm",
    ".xhtml", ".svg", ".svgz", ".xml", ".xsl", ".php", ".py", ".pl", ".rb", ".docm", ".xlsm",
    ".pptm", ".chm", ".gadget", ".url", ".website",
})
_MARKUP = re.compile(rb"^\s*(<!doctype html|<html|<script|<svg|<\?xml)", re.IGNORECASE)


def sniff(head: bytes, filename: str) -> str:
    """The file's type from its first bytes (at least 512 of them when it has them), refined
    by its name only among types that share a container."""
    found = ""
    for offset, magic, content_type in _SIGNATURES:
        if head[offset:offset + len(magic)] == magic:
            found = content_type
            break
    if not found:
        if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
            found = "image/webp"
        elif head[:4] == b"RIFF" and head[8:12] == b"WAVE":
            found = "audio/wav"
        elif head[4:8] == b"ftyp":
            brand = head[8:12]
            found = ("video/3gpp" if brand.startswith(b"3g")
                     else "audio/mp4" if brand in (b"M4A ", b"M4B ") else "video/mp4")
        elif _MARKUP.match(head):
            found = "image/svg+xml" if b"<svg" in head.lower() else "text/html"
        elif _is_text(head):
            found = "text/plain"
        else:
            found = "application/octet-stream"
    extension = os.path.splitext(filename)[1].lower()
    return _REFINED_BY_NAME.get(found, {}).get(extension, found)


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Cut in the middle of a character at the end of the sample: still text.
        return exc.start >= len(head) - 3
    return True


def clean_filename(name: str) -> str:
    """The name as the customer will see it: no directories, no control characters, at most
    255 characters with its extension kept."""
    name = unicodedata.normalize("NFC", os.path.basename(name.replace("\\", "/")))
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip(" .")
    if not name:
        return "attachment"
    stem, extension = os.path.splitext(name)
    return stem[: 255 - len(extension[:20])] + extension[:20]


# --- checking ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedFile:
    file: UploadedFileLike
    filename: str
    content_type: str
    size: int


SNIFF_BYTES = 4096


def check_files(
    files: Sequence[UploadedFileLike], rules: MediaRules, channel: str | Promise
) -> list[CheckedFile]:
    """The files, typed, or InvalidInput naming the first problem and the way out."""
    if not files:
        return []
    if not rules.accepts:
        raise InvalidInput(rules.refusal or NO_MEDIA.refusal)
    max_count = min(rules.max_count, settings.OUTGOING_ATTACHMENTS_MAX_COUNT)
    if len(files) > max_count:
        # Two messages rather than ngettext: the limit is 1 or several, never 0.
        if max_count == 1:
            raise InvalidInput(
                _("%(channel)s takes one file per message: send them one at a time."),
                channel=channel,
            )
        raise InvalidInput(
            _("%(channel)s takes at most %(limit)s files per message."),
            channel=channel, limit=max_count,
        )
    max_bytes = min(rules.max_bytes or settings.OUTGOING_ATTACHMENT_MAX_BYTES,
                    settings.OUTGOING_ATTACHMENT_MAX_BYTES)
    checked = []
    for upload in files:
        filename = clean_filename(upload.name or "")
        size = upload.size if upload.size is not None else len(upload.read())
        upload.seek(0)
        if size == 0:
            raise InvalidInput(_("“%(name)s” is empty."), name=filename)
        if size > max_bytes:
            raise InvalidInput(
                _("“%(name)s” is %(size)s; %(channel)s takes files up to %(limit)s."),
                name=filename, size=filesizeformat(size), channel=channel,
                limit=filesizeformat(max_bytes),
            )
        head = upload.read(SNIFF_BYTES)
        upload.seek(0)
        content_type = sniff(head, filename)
        extension = os.path.splitext(filename)[1].lower()
        if content_type in DANGEROUS_TYPES or extension in DANGEROUS_EXTENSIONS:
            raise InvalidInput(
                _("“%(name)s” is not sent: programs, scripts and web pages could harm the "
                  "recipient's computer. Send a PDF or an image instead."),
                name=filename,
            )
        if rules.content_types and content_type not in rules.content_types:
            raise InvalidInput(
                _("%(channel)s cannot send “%(name)s” (%(type)s): the channel does not take "
                  "this kind of file."),
                channel=channel, name=filename, type=content_type,
            )
        checked.append(CheckedFile(upload, filename, content_type, size))
    return checked
