"""How much of one e-mail is read: MIME nesting depth and part count, before parsing.

The stdlib parser recurses once per nested part (a 2,000-deep multipart is a RecursionError)
and builds every part in memory (50,000 parts take a minute). Both limits are enforced here,
on the raw bytes, before the parser runs: the mail is cut at the first part past a limit and
the parser reads the rest as an unterminated multipart, so the customer's text and the parts
before the limit are kept, and the reasons go with the message (`incomplete`), shown to
the agent. Attachment count and size are limited where attachments are collected
(parsing.py), with the same flag.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings

_BOUNDARY = re.compile(rb'boundary\s*=\s*(?:"([^"\r\n]*)"|([^\s;"]+))', re.IGNORECASE)
_MESSAGE_PART = re.compile(rb"^content-type:\s*message/(?:rfc822|global)\b", re.IGNORECASE)
_ATTACHED_MESSAGE = b"\x00message"  # a stack entry for an attached message (no boundary)


@dataclass(frozen=True)
class ReadableMail:
    raw: bytes
    # Why the mail was cut, in words an agent reads; empty when it was read whole.
    incomplete: tuple[str, ...] = ()


def readable_part(raw: bytes, *, max_depth: int | None = None,
                  max_parts: int | None = None) -> ReadableMail:
    """The prefix of `raw` within the nesting and part limits (settings EMAIL_MAX_MIME_*)."""
    max_depth = settings.EMAIL_MAX_MIME_DEPTH if max_depth is None else max_depth
    max_parts = settings.EMAIL_MAX_MIME_PARTS if max_parts is None else max_parts
    if b"boundary" not in raw.lower() and not _has_attached_message(raw):
        return ReadableMail(raw)
    # A stack of open multiparts (their boundaries) and attached messages.
    stack: list[bytes] = []
    parts = 0
    in_headers = True
    next_block_is_headers = False
    part_start = 0
    offset = 0
    for line in raw.splitlines(keepends=True):
        start, offset = offset, offset + len(line)
        bare = line.rstrip(b"\r\n \t")
        if bare.startswith(b"--") and stack:
            closing = bare.endswith(b"--") and bare[2:-2] in stack
            name = bare[2:-2] if closing else bare[2:]
            if name in stack:
                while stack and stack[-1] != name:
                    stack.pop()
                if closing:
                    stack.pop()
                    continue
                parts += 1
                if parts > max_parts:
                    return ReadableMail(
                        raw[:start],
                        (f"more than {max_parts} MIME parts: the parts after them "
                         "were not read",),
                    )
                part_start = start
                in_headers = True
                continue
        if not in_headers:
            continue
        if not bare:
            in_headers = next_block_is_headers
            next_block_is_headers = False
            continue
        declared = _BOUNDARY.search(line)
        is_message = _MESSAGE_PART.match(line) is not None
        if declared or is_message:
            stack.append(
                (declared.group(1) or declared.group(2)) if declared else _ATTACHED_MESSAGE
            )
            next_block_is_headers = next_block_is_headers or is_message
            if len(stack) > max_depth:
                return ReadableMail(
                    raw[:part_start],
                    (f"MIME parts nested more than {max_depth} levels deep: the deeper "
                     "parts were not read",),
                )
    return ReadableMail(raw)


def _has_attached_message(raw: bytes) -> bool:
    return b"message/" in raw.lower()
