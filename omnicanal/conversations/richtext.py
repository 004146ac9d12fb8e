"""Rich text written by agents (the e-mail composer): what HTML we keep, and its plain text.

The composer writes a small Markdown (its toolbar inserts it): `**bold**`, `*italic*`,
`- ` and `1. ` lists, `[words](https://…)` links. One text box for every channel keeps
drafts, canned replies, emoji and typing signals the same everywhere; on a channel that
takes HTML (e-mail) `markdown_to_html` makes the HTML part and `html_to_text` the plain
one, so the customer never sees the asterisks.

An allow-list, not a block-list: the composer's toolbar makes bold, italic, lists and links,
so those (and the paragraphs and line breaks an editor produces) are all a reply may hold.
Everything else (styles, classes, images, scripts, handlers) is dropped by nh3, on the way
in and again before it is shown.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3
from django.utils.html import escape

ALLOWED_TAGS = {"p", "br", "div", "strong", "b", "em", "i", "ul", "ol", "li", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
# Markup and spaces: what is left when a text says nothing (empty paragraphs, breaks).
_MARKUP_OR_SPACE = re.compile(r"<[^>]*>|&nbsp;|\s")


def sanitize_reply_html(html: str) -> str:
    """The agent's HTML reduced to the allow-list; empty when nothing visible is left."""
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    ).strip()
    return cleaned if _MARKUP_OR_SPACE.sub("", cleaned) else ""


class _TextWriter(HTMLParser):
    """Plain text of sanitised HTML: paragraphs and breaks as new lines, list items with
    their bullet or number, a link's address after its words (a text-only reader must be
    able to follow it)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.lists: list[list[int]] = []  # per open list: [is_ordered, next number]
        self.href_stack: list[str] = []

    def _newline(self) -> None:
        if self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag in ("p", "div", "ul", "ol"):
            self._newline()
            if tag in ("ul", "ol"):
                self.lists.append([tag == "ol", 1])
        elif tag == "li":
            self._newline()
            indent = "  " * max(len(self.lists) - 1, 0)
            if self.lists and self.lists[-1][0]:
                self.parts.append(f"{indent}{self.lists[-1][1]}. ")
                self.lists[-1][1] += 1
            else:
                self.parts.append(f"{indent}- ")
        elif tag == "a":
            self.href_stack.append(dict(attrs).get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "li":
            self._newline()
        elif tag in ("p", "div", "ul", "ol"):
            if tag in ("ul", "ol") and self.lists:
                self.lists.pop()
            # A blank line between blocks, as the agent wrote them.
            self._newline()
            if not self.lists:
                self.parts.append("\n")
        elif tag == "a" and self.href_stack:
            href = self.href_stack.pop()
            shown = href.removeprefix("mailto:")
            if href and not "".join(self.parts).endswith(shown):
                self.parts.append(f" ({shown})")

    def handle_data(self, data: str) -> None:
        self.parts.append(data.replace("\xa0", " "))


def html_to_text(html: str) -> str:
    """The plain-text alternative of a sanitised reply (the e-mail's text part, search)."""
    writer = _TextWriter()
    writer.feed(html)
    writer.close()
    lines = [line.rstrip() for line in "".join(writer.parts).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_ITALIC = re.compile(r"(?<![\w*])[*_](?=\S)(.+?)(?<=\S)[*_](?![\w*])")
_LINK = re.compile(r"\[([^\]\n]+)\]\(((?:https?://|mailto:|tel:)[^\s)]+)\)")
_BULLET = re.compile(r"^\s*[-*•]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d+[.)]\s+(.*)$")
_MARKUP = re.compile(r"\*\*\S|(?<![\w*])[*_]\S|\]\(|^\s*(?:[-*•]|\d+[.)])\s", re.MULTILINE)


def has_markup(text: str) -> bool:
    """Whether the composer's text uses any of its formatting (else plain text suffices)."""
    return bool(_MARKUP.search(text))


def _inline(line: str) -> str:
    """One escaped line with its links, bold and italic. Escaping comes first: the agent's
    `<` stays a character, and the only tags are the ones made here."""
    # NUL marks the links set aside below; a NUL of the agent's own is dropped.
    html = str(escape(line.replace("\x00", "")))
    links: list[str] = []

    def keep_link(match: re.Match[str]) -> str:
        links.append(f'<a href="{match.group(2)}">{match.group(1)}</a>')
        return f"\x00{len(links) - 1}\x00"

    # Links first, set aside: an address's underscores are not italics.
    html = _LINK.sub(keep_link, html)
    html = _BOLD.sub(r"<strong>\1</strong>", html)
    html = _ITALIC.sub(r"<em>\1</em>", html)
    return re.sub("\x00(\\d+)\x00", lambda match: links[int(match.group(1))], html)


def markdown_to_html(text: str) -> str:
    """The composer's Markdown as HTML: paragraphs (a blank line apart) with line breaks,
    bulleted and numbered lists. The caller sanitises (`sanitize_reply_html`)."""
    blocks: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []
    list_tag = ""

    def flush_paragraph() -> None:
        if paragraph:
            blocks.append("<p>" + "<br>".join(paragraph) + "</p>")
            paragraph.clear()

    def flush_list() -> None:
        nonlocal list_tag
        if items:
            blocks.append(f"<{list_tag}>" + "".join(f"<li>{i}</li>" for i in items)
                          + f"</{list_tag}>")
            items.clear()
        list_tag = ""

    for line in text.replace("\r\n", "\n").split("\n"):
        bullet, numbered = _BULLET.match(line), _NUMBERED.match(line)
        item = bullet or numbered
        if item:
            tag = "ul" if bullet else "ol"
            flush_paragraph()
            if list_tag and list_tag != tag:
                flush_list()
            list_tag = tag
            items.append(_inline(item.group(1)))
        elif not line.strip():
            flush_paragraph()
            flush_list()
        else:
            flush_list()
            paragraph.append(_inline(line.strip()))
    flush_paragraph()
    flush_list()
    return "".join(blocks)
