"""Small real files for attachment tests: the first bytes are what the type sniffer reads."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64 + b"a receipt"
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
EXE = b"MZ\x90\x00\x03" + b"\x00" * 60 + b"This program cannot be run in DOS mode."


def upload(name: str, content: bytes, claimed_type: str = "application/octet-stream") -> (
    SimpleUploadedFile
):
    """A file as the browser posts it, with the type it claims (never trusted)."""
    return SimpleUploadedFile(name, content, content_type=claimed_type)


def open_link(url: str) -> tuple[int, bytes, dict[str, str]]:
    """GET a signed link as an anonymous visitor through the test client: status, body,
    headers (lower-case)."""
    parts = urlsplit(url)
    response: Any = Client().get(parts.path)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, body, {k.lower(): v for k, v in response.headers.items()}
