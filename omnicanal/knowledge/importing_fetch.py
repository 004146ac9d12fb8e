"""Fetching a sitemap and its pages for an import, carefully: http and https only, a timeout,
a size limit, redirects followed by hand (each hop checked again), and no address on the
server's own network (loopback, private, link-local...) unless
`KNOWLEDGE_IMPORT_ALLOW_PRIVATE` says so. Pages are fetched one after the other.

The address is checked when the name is resolved; a name that resolves differently the
moment after (DNS rebinding) is not caught here.
"""

from __future__ import annotations

import gzip
import io
import ipaddress
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree

from django.conf import settings
from django.utils.translation import gettext_noop

MAX_REDIRECTS = 3
USER_AGENT = "Omnicanal knowledge import (+https://omnicanal.example)"


class FetchError(Exception):
    """Why a page could not be read, for the report: an untranslated message (marked with
    gettext_noop) and its values, translated where the report is shown."""

    def __init__(self, message: str, **values: Any) -> None:
        super().__init__(message % values if values else message)
        self.message_id = message
        self.values = {key: str(value) for key, value in values.items()}


def max_bytes() -> int:
    return int(getattr(settings, "KNOWLEDGE_IMPORT_MAX_BYTES", 5 * 1024 * 1024))


def max_pages() -> int:
    return int(getattr(settings, "KNOWLEDGE_IMPORT_MAX_PAGES", 500))


def check_url(url: str) -> None:
    """Refuse what the import may not fetch: another scheme, a host on our own network."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise FetchError(gettext_noop("Only http and https addresses can be imported."))
    if getattr(settings, "KNOWLEDGE_IMPORT_ALLOW_PRIVATE", False):
        return
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(
            parts.hostname, parts.port or (443 if parts.scheme == "https" else 80),
            type=socket.SOCK_STREAM)}
    except (OSError, UnicodeError) as error:
        raise FetchError(gettext_noop("The address could not be resolved.")) from error
    for address in addresses:
        ip = ipaddress.ip_address(str(address).split("%")[0])
        if not ip.is_global or ip.is_multicast:
            raise FetchError(
                gettext_noop("This address is on a private network: the import does not fetch it.")
            )


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects())


@dataclass
class Fetched:
    url: str  # after redirects
    body: bytes
    content_type: str
    charset: str


def fetch(url: str) -> Fetched:
    """GET a page within the limits; a FetchError says why not."""
    timeout = float(getattr(settings, "OUTBOUND_HTTP_TIMEOUT_SECONDS", 10))
    limit = max_bytes()
    for _hop in range(MAX_REDIRECTS + 1):
        check_url(url)
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
        try:
            response = _opener.open(request, timeout=timeout)
        except urllib.error.HTTPError as error:
            location = error.headers.get("Location") if error.code in {301, 302, 303, 307, 308} \
                else None
            error.close()
            if location:
                url = urljoin(url, location)
                continue
            raise FetchError(gettext_noop("The server answered %(status)s."), status=error.code) \
                from error
        except (urllib.error.URLError, OSError, ValueError) as error:
            raise FetchError(gettext_noop("The page could not be fetched: %(reason)s"),
                             reason=getattr(error, "reason", error)) from error
        with response:
            body = response.read(limit + 1)
            if len(body) > limit:
                raise FetchError(gettext_noop("The page is larger than the import's limit."))
            return Fetched(
                url=response.geturl(), body=body,
                content_type=response.headers.get_content_type(),
                charset=response.headers.get_content_charset() or "",
            )
    raise FetchError(gettext_noop("Too many redirections."))


def decode(fetched: Fetched) -> str:
    for encoding in (fetched.charset, "utf-8", "cp1252"):
        if not encoding:
            continue
        try:
            return fetched.body.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return fetched.body.decode("utf-8", errors="replace")


def _locations(xml: bytes) -> tuple[list[str], list[str]]:
    """(pages, nested sitemaps) listed in a sitemap or a sitemap index."""
    try:
        # The standard parser expands no external entity; a sitemap has no DTD anyway.
        if b"<!DOCTYPE" in xml[:2000] or b"<!ENTITY" in xml:
            raise FetchError(gettext_noop("The sitemap is not valid XML."))
        # A DOCTYPE or an entity was refused above, so nothing expands.
        root = ElementTree.fromstring(xml)  # noqa: S314
    except ElementTree.ParseError as error:
        raise FetchError(gettext_noop("The sitemap is not valid XML.")) from error
    kind = root.tag.rsplit("}", 1)[-1]
    locations = [
        (element.text or "").strip() for element in root.iter()
        if element.tag.rsplit("}", 1)[-1] == "loc" and (element.text or "").strip()
    ]
    return (locations, []) if kind != "sitemapindex" else ([], locations)


def _unzipped(body: bytes) -> bytes:
    """A sitemap.xml.gz's XML, within the size limit."""
    if body[:2] != b"\x1f\x8b":
        return body
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(body)) as unzipped:
            xml = unzipped.read(max_bytes() + 1)
    except (OSError, EOFError) as error:
        raise FetchError(gettext_noop("The sitemap is not valid XML.")) from error
    if len(xml) > max_bytes():
        raise FetchError(gettext_noop("The page is larger than the import's limit."))
    return xml


def sitemap_pages(url: str, *, same_host: bool = True) -> list[str]:
    """The pages a sitemap (or a sitemap index, one level of nesting) lists, without
    duplicates, on the sitemap's own host unless `same_host` is False, at most max_pages()."""
    host = urlsplit(url).hostname
    pages: list[str] = []
    seen: set[str] = set()
    pending = [url]
    sitemaps_read = 0
    while pending and len(pages) < max_pages():
        sitemap = pending.pop(0)
        sitemaps_read += 1
        if sitemaps_read > 50:
            break
        found, nested = _locations(_unzipped(fetch(sitemap).body))
        if sitemap == url:
            pending.extend(nested)
        for page in found:
            parts = urlsplit(page)
            if parts.scheme not in {"http", "https"} or page in seen:
                continue
            if same_host and parts.hostname != host:
                continue
            seen.add(page)
            pages.append(page)
    return pages[:max_pages()]
