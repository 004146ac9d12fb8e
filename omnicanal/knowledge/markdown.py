"""Articles written in Markdown: rendered with markdown-it-py (CommonMark and tables, raw HTML
left as text), then cleaned by nh3 with the help center's tags.

Images may only come from our own article files (`/knowledge/files/...`, `/help/files/...`)
or an https address: an author cannot make readers' browsers call a plain-http tracker or a
`data:` URL. For the help center (`public=True`) our workspace file addresses are rewritten to
the public ones, which serve only the files of published public articles.
"""

from __future__ import annotations

from functools import cache

import nh3
from django.utils.html import linebreaks
from markdown_it import MarkdownIt

# What an article's HTML may hold, whether written as HTML or rendered from Markdown.
ARTICLE_TAGS = {
    "p", "br", "strong", "em", "b", "i", "u", "ul", "ol", "li", "a", "h2", "h3", "h4",
    "blockquote", "code", "pre", "img", "table", "thead", "tbody", "tr", "th", "td", "hr",
}
WORKSPACE_FILES = "/knowledge/files/"
PUBLIC_FILES = "/help/files/"
# Markdown's levels folded onto the tags an article may hold: the page's title is its h1.
HEADING_TAGS = {"h1": "h2", "h5": "h4", "h6": "h4"}


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
        ["table", "strikethrough"]
    )


def _own_or_https(value: str) -> bool:
    return value.startswith((WORKSPACE_FILES, PUBLIC_FILES, "https://"))


def _filter(public: bool):  # type: ignore[no-untyped-def]
    def attribute_filter(tag: str, attribute: str, value: str) -> str | None:
        if tag == "img" and attribute == "src" and not _own_or_https(value):
            return None
        if public and attribute in ("src", "href") and value.startswith(WORKSPACE_FILES):
            return PUBLIC_FILES + value[len(WORKSPACE_FILES):]
        return value

    return attribute_filter


def clean_html(html: str, *, public: bool = False) -> str:
    """Article HTML reduced to ARTICLE_TAGS, links to http(s)/mailto, images to our files."""
    return nh3.clean(
        html, tags=ARTICLE_TAGS, url_schemes={"http", "https", "mailto"},
        attribute_filter=_filter(public),
    )


def render_markdown(text: str, *, public: bool = False) -> str:
    """The Markdown as cleaned HTML, headings folded onto h2-h4."""
    parser = _parser()
    tokens = parser.parse(text)
    for token in tokens:
        if token.type in ("heading_open", "heading_close") and token.tag in HEADING_TAGS:
            token.tag = HEADING_TAGS[token.tag]
    html = parser.renderer.render(tokens, parser.options, {})
    return clean_html(html, public=public)


def render_body(body: str, body_format: str, *, public: bool = False) -> str:
    """An article's body as cleaned HTML, whatever its format (the editor's preview)."""
    if body_format == "html":
        return clean_html(body, public=public)
    if body_format == "text":
        return str(linebreaks(body, autoescape=True))
    return render_markdown(body, public=public)
