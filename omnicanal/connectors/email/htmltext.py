"""HTML mail bodies to plain text, keeping what reply trimming needs to see.

Block elements become line breaks, `<blockquote>` content is prefixed with "> " like a
plain-text quote, and the visual separators mail clients put above a quoted message (an `<hr>`,
Outlook's bordered header box, Outlook for Mac's source section) become a `SEPARATOR` line so
that the trimmer can recognise "separator, then From:/Sent:/To:" without guessing from styles.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Cannot occur in decoded mail text (NUL is removed from every body before parsing).
SEPARATOR = "\x00separator\x00"

_BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "center",
        "dd",
        "div",
        "dl",
        "dt",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "ul",
    }
)
_SKIP_TAGS = frozenset({"head", "script", "style", "title", "template", "xml"})
_VOID_TAGS = frozenset({"br", "hr", "img", "meta", "link", "input", "base", "col", "wbr"})
_QUOTE_CONTAINER_IDS = frozenset(
    {"olk_src_body_section", "divrplyfwdmsg", "x_divrplyfwdmsg", "appendonsend"}
)
_BORDER_TOP = re.compile(r"border-top\s*:\s*solid|border-top-style\s*:\s*solid", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\n\f\v\u00a0\u200b\u2002\u2003\u2009]+")


class _TextBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.quote_depth = 0
        self.skip_depth = 0
        self.pre_depth = 0
        # Tags opened, with whether each one started a blockquote, so that mis-nested or
        # unclosed markup (common in mail) cannot leave the quote depth wrong for the rest.
        self.stack: list[tuple[str, bool]] = []

    def _flush(self) -> None:
        text = "".join(self.current)
        self.current = []
        if self.pre_depth == 0:
            text = _SPACES.sub(" ", text).strip()
        prefix = "> " * self.quote_depth
        for part in text.split("\n"):
            if part.strip():
                self.lines.append(prefix + part.rstrip())
            elif self.lines and self.lines[-1] != "":
                self.lines.append("")

    def _break(self, blank: bool = False) -> None:
        if self.current:
            self._flush()
        if blank and self.lines and self.lines[-1] != "":
            self.lines.append("")

    def _separator(self) -> None:
        self._break()
        self.lines.append(SEPARATOR)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            if tag not in _VOID_TAGS:
                self.skip_depth += 1
            return
        if self.skip_depth:
            return
        attributes = {name: (value or "") for name, value in attrs}
        if tag == "br":
            # A <br> ends the current line; one with nothing before it makes an empty line.
            if "".join(self.current).strip():
                self._flush()
            else:
                self.current = []
                self.lines.append("")
            return
        if tag == "hr":
            self._separator()
            return
        if tag in _VOID_TAGS:
            return
        is_quote = tag == "blockquote"
        if tag in _BLOCK_TAGS:
            self._break()
        element_id = attributes.get("id", "").lower()
        if element_id in _QUOTE_CONTAINER_IDS or (
            tag == "div" and _BORDER_TOP.search(attributes.get("style", ""))
        ):
            self._separator()
        if tag == "pre":
            self.pre_depth += 1
        if is_quote:
            self.quote_depth += 1
        self.stack.append((tag, is_quote))

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skip_depth = max(0, self.skip_depth - 1)
            return
        if self.skip_depth or tag in _VOID_TAGS:
            return
        if not any(open_tag == tag for open_tag, _ in self.stack):
            return
        if tag in _BLOCK_TAGS:
            self._break(blank=tag == "p")
        while self.stack:
            open_tag, was_quote = self.stack.pop()
            if was_quote:
                self.quote_depth = max(0, self.quote_depth - 1)
            if open_tag == "pre":
                self.pre_depth = max(0, self.pre_depth - 1)
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self.skip_depth:
            self.current.append(data)

    def text(self) -> str:
        self._break()
        return "\n".join(self.lines)


def html_to_text(html: str, *, keep_separators: bool = False) -> str:
    """Plain text of an HTML body; blockquotes become "> " lines.

    With `keep_separators`, visual separators are kept as `SEPARATOR` lines for the trimmer.
    """
    builder = _TextBuilder()
    try:
        builder.feed(html.replace("\x00", ""))
        builder.close()
    except (AssertionError, ValueError):
        # html.parser gives up on some broken declarations; what it produced so far is kept.
        pass
    text = builder.text()
    if not keep_separators:
        text = "\n".join(line for line in text.split("\n") if line != SEPARATOR)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
