"""An agent's photo: uploaded on their profile page, shown beside their replies in the web chat
widget (a public page) and in the workspace.

Not secret (a customer sees it), but the URL says nothing about the agent: a random file name
per upload (`models.agent_photo_path`), no id, no e-mail. The file is checked by its first
bytes, not by its name or the browser's content type: only PNG, JPEG, GIF and WebP images of
at most `MAX_PHOTO_BYTES` are kept, and they are served with the type found then (and
`nosniff`), so an uploaded page or script can never be served as one. No Pillow: the photo is
shown at a fixed size by the browser, nothing here needs to decode it.
"""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from omnicanal.accounts.models import User
from omnicanal.core.exceptions import InvalidInput

MAX_PHOTO_BYTES = 2 * 1024 * 1024

# Leading bytes -> (content type, extension).
_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"GIF87a", "image/gif", ".gif"),
    (b"GIF89a", "image/gif", ".gif"),
)
CONTENT_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".gif": "image/gif",
                 ".webp": "image/webp"}


def sniff_image(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) of a PNG, JPEG, GIF or WebP image by its first bytes."""
    for magic, content_type, extension in _SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", ".webp"
    return None


def set_photo(agent: User, upload: UploadedFile) -> User:
    """The agent's new photo (the old file is deleted once the new one is saved)."""
    size = upload.size or 0
    if size > MAX_PHOTO_BYTES:
        raise InvalidInput(
            _("The photo is too large: at most %(limit)s MB."), limit=MAX_PHOTO_BYTES // 2**20
        )
    if size == 0:
        raise InvalidInput(_("The file is empty."))
    upload.seek(0)
    found = sniff_image(upload.read(16))
    upload.seek(0)
    if found is None:
        raise InvalidInput(_("The photo must be a PNG, JPEG, GIF or WebP image."))
    _content_type, extension = found
    old = agent.photo.name
    with transaction.atomic():
        # The extension is the one the bytes say, whatever the file was called.
        agent.photo.save(f"photo{extension}", upload, save=False)
        agent.save(update_fields=["photo"])
    if old:
        transaction.on_commit(lambda: agent.photo.storage.delete(old))
    return agent


def remove_photo(agent: User) -> User:
    old = agent.photo.name
    if not old:
        return agent
    agent.photo = ""
    agent.save(update_fields=["photo"])
    transaction.on_commit(lambda: agent.photo.storage.delete(old))
    return agent


def photo_url(agent: User | None) -> str:
    """The photo's path on this server ("" without one); public, cacheable for good."""
    if agent is None or not agent.photo.name:
        return ""
    return reverse("agent_photo", args=[agent.photo.name.rsplit("/", 1)[-1]])


def find_photo(name: str) -> tuple[User, str] | None:
    """The agent whose current photo file is `name`, and its content type."""
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    content_type = CONTENT_TYPES.get(extension)
    if content_type is None or "/" in name:
        return None
    agent = User.objects.filter(photo=f"agent-photos/{name}", is_active=True).first()
    return (agent, content_type) if agent is not None else None
