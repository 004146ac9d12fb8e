"""An article's body read as the help center shows it: its text blocks (for search and
snippets) and its outline (headings with anchors, for the table of contents)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from django.utils.text import slugify

from omnicanal.knowledge.markdown import render_markdown
from omnicanal.knowledge.models import BodyFormat

# Tags that end a block of text: their content never runs into the next block's.
BLOCK_BOUNDARY = re.compile(
    r"</?(?:p|li|h[1-6]|blockquote|pre|td|th|tr|table|ul|ol|div|hr)\b[^>]*>|<br\s*/?>", re.I
)
TAG = re.compile(r"<[^>]+>")
SPACES = re.compile(r"\s+")
HEADING = re.compile(r"<(h[23])>(.*?)</\1>", re.I | re.S)


def text_blocks(body: str, body_format: str) -> list[str]:
    """The body's paragraphs, list items and headings as plain text, one string each."""
    texts: list[str]
    if body_format == BodyFormat.MARKDOWN:
        body, body_format = render_markdown(body), BodyFormat.HTML
    if body_format == BodyFormat.HTML:
        texts = [html.unescape(TAG.sub("", piece)) for piece in BLOCK_BOUNDARY.split(body)]
    else:
        texts = re.split(r"\n", body)
    return [cleaned for text in texts if (cleaned := SPACES.sub(" ", text).strip())]


@dataclass(frozen=True)
class Heading:
    anchor: str
    text: str
    level: int


def outline(body_html: str) -> tuple[str, list[Heading]]:
    """The cleaned HTML with an id on each h2/h3, and those headings in order.

    The ids are added after sanitising (which drops every id an author wrote), so they are
    ours: slugs of the heading's text, numbered when two headings read the same.
    """
    headings: list[Heading] = []
    used: set[str] = set()

    def anchor(match: re.Match[str]) -> str:
        tag, inner = match.group(1).lower(), match.group(2)
        text = SPACES.sub(" ", html.unescape(TAG.sub("", inner))).strip()
        base = slugify(text)[:60] or "section"
        slug, number = base, 2
        while slug in used:
            slug, number = f"{base}-{number}", number + 1
        used.add(slug)
        headings.append(Heading(slug, text, int(tag[1])))
        return f'<{tag} id="{slug}">{inner}</{tag}>'

    return HEADING.sub(anchor, body_html), headings
