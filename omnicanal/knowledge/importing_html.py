"""Reading a web page as knowledge-base articles, with the standard library's HTML parser.

A page is one article (its <h1>, else its <title>; its main content without the site's
navigation, header, footer, scripts and forms), or, when it is a FAQ, one article per
question: schema.org FAQPage JSON-LD, <details>/<summary> pairs, <dl> definition lists, or
headings most of which end with a question mark, each heading with what follows it.
The HTML written here is only a first cut: `knowledge.actions.save_article` sanitises it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

VOID = {"br", "hr", "img", "meta", "link", "input", "source", "wbr", "col", "area", "base"}
# Never content: the site's furniture and what cannot be read.
DROPPED = {
    "script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form",
    "button", "iframe", "svg", "canvas", "select", "textarea", "object", "embed", "video",
    "audio", "head", "dialog",
}
# Kept as they are (the rest is unwrapped: its text and kept children stay).
KEPT = {
    "p", "br", "strong", "em", "b", "i", "u", "ul", "ol", "li", "a", "h2", "h3", "h4",
    "blockquote", "code", "pre", "img", "table", "thead", "tbody", "tr", "th", "td", "hr",
}
RENAMED = {"h1": "h2", "h5": "h4", "h6": "h4", "dt": "h3", "dd": "p", "summary": "h3"}
BLOCKS = {"div", "section", "article", "main", "details", "dl", "figure", "figcaption"}
KEPT_ATTRIBUTES = {"a": ("href", "title"), "img": ("src", "alt"), "th": ("colspan", "rowspan"),
                   "td": ("colspan", "rowspan")}
# Not worth an article: a question without an answer, a page without text.
MIN_BODY_CHARACTERS = 2


@dataclass
class Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)
    parent: Node | None = None

    def elements(self) -> list[Node]:
        return [child for child in self.children if isinstance(child, Node)]

    def walk(self) -> list[Node]:
        """This node and every element inside it, in document order."""
        found = [self]
        for child in self.elements():
            found.extend(child.walk())
        return found

    def find_all(self, *tags: str) -> list[Node]:
        return [node for node in self.walk()[1:] if node.tag in tags]

    def find(self, *tags: str) -> Node | None:
        return next(iter(self.find_all(*tags)), None)

    def text(self) -> str:
        parts: list[str] = []
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            elif child.tag not in DROPPED:
                parts.append(child.text())
                if child.tag in {"br", "p", "li", "div", "tr"}:
                    parts.append(" ")
        return " ".join("".join(parts).split())


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document")
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {name: value or "" for name, value in attrs}, parent=self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(
            Node(tag, {name: value or "" for name, value in attrs}, parent=self.current)
        )

    def handle_endtag(self, tag: str) -> None:
        # Close up to the matching open element; a stray end tag is ignored.
        node: Node | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


@dataclass
class PageArticle:
    title: str
    body: str  # HTML
    language: str = ""  # the page's lang attribute, "fr"/"en", or ""
    group: str = ""  # the page's title when the page was split into questions


def _attribute(value: str) -> str:
    return escape(value, quote=True)


def to_html(nodes: list[Node | str]) -> str:
    """The kept part of these nodes as HTML: furniture dropped, layout elements unwrapped."""
    out: list[str] = []
    for node in nodes:
        if isinstance(node, str):
            out.append(escape(node, quote=False))
            continue
        if node.tag in DROPPED:
            continue
        tag = RENAMED.get(node.tag, node.tag)
        inner = to_html(node.children)
        if tag not in KEPT:
            # A layout element keeps its content; a block one keeps the line apart.
            out.append(f"\n{inner}\n" if node.tag in BLOCKS else inner)
            continue
        attributes = "".join(
            f' {name}="{_attribute(node.attrs[name])}"'
            for name in KEPT_ATTRIBUTES.get(tag, ()) if node.attrs.get(name)
        )
        if tag in VOID:
            out.append(f"<{tag}{attributes}>")
        else:
            out.append(f"<{tag}{attributes}>{inner}</{tag}>")
    return "".join(out)


def _tidy(html: str) -> str:
    lines = [line.strip() for line in html.splitlines()]
    return "\n".join(line for line in lines if line)


def _main_content(root: Node) -> Node:
    for node in root.walk():
        if node.tag == "main" or node.attrs.get("role") == "main":
            return node
    articles = root.find_all("article")
    if len(articles) == 1:
        return articles[0]
    return root.find("body") or root


def _language(root: Node) -> str:
    html = root.find("html")
    value = (html.attrs.get("lang", "") if html else "").lower()[:2]
    return value if value in {"fr", "en"} else ""


def _page_title(root: Node, main: Node) -> str:
    heading = main.find("h1") or root.find("h1")
    if heading is not None and heading.text():
        return heading.text()
    title = root.find("title")
    return title.text() if title is not None else ""


def _json_ld_questions(root: Node) -> list[tuple[str, str]]:
    """The questions and answers of a schema.org FAQPage in the page's JSON-LD."""
    found: list[tuple[str, str]] = []

    def visit(item: Any) -> None:
        if isinstance(item, list):
            for element in item:
                visit(element)
            return
        if not isinstance(item, dict):
            return
        kinds = item.get("@type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if "FAQPage" in kinds:
            entities = item.get("mainEntity") or []
            for question in entities if isinstance(entities, list) else [entities]:
                if not isinstance(question, dict):
                    continue
                answer = question.get("acceptedAnswer") or question.get("suggestedAnswer")
                if isinstance(answer, list):
                    answer = answer[0] if answer else None
                text = answer.get("text", "") if isinstance(answer, dict) else ""
                name = question.get("name", "")
                if isinstance(name, str) and isinstance(text, str) and name.strip():
                    found.append((" ".join(name.split()), text))
        visit(item.get("@graph"))

    for script in root.find_all("script"):
        if script.attrs.get("type", "").lower() != "application/ld+json":
            continue
        try:
            visit(json.loads("".join(c for c in script.children if isinstance(c, str))))
        except ValueError:
            continue
    return found


def _details_questions(main: Node) -> list[tuple[str, str]]:
    pairs = []
    for details in main.find_all("details"):
        summary = details.find("summary")
        if summary is None:
            continue
        rest = [child for child in details.children if child is not summary]
        pairs.append((summary.text(), to_html(rest)))
    return pairs


def _definition_questions(main: Node) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for definitions in main.find_all("dl"):
        question: str | None = None
        answer: list[Node | str] = []
        for child in definitions.elements():
            if child.tag == "dt":
                if question:
                    pairs.append((question, to_html(answer)))
                question, answer = child.text(), []
            elif child.tag == "dd":
                answer.extend(child.children)
                answer.append("\n")
        if question:
            pairs.append((question, to_html(answer)))
    return pairs


def _heading_questions(main: Node) -> list[tuple[str, str]]:
    """Headings of one level (h2, else h3) most of which are questions, each with the
    elements that follow it up to the next heading of that level or above."""
    for level in ("h2", "h3"):
        headings = main.find_all(level)
        questions = [h for h in headings if h.text().rstrip().endswith("?")]
        if len(questions) < 2 or 2 * len(questions) < len(headings):
            continue
        higher = {"h1", "h2", "h3"} if level == "h3" else {"h1", "h2"}
        pairs = []
        for heading in questions:
            parent = heading.parent
            assert parent is not None
            siblings = parent.children
            start = siblings.index(heading) + 1
            answer: list[Node | str] = []
            for sibling in siblings[start:]:
                if isinstance(sibling, Node) and (
                    sibling.tag in higher or sibling.find(*sorted(higher)) is not None
                ):
                    break
                answer.append(sibling)
            pairs.append((heading.text(), to_html(answer)))
        return pairs
    return []


def _usable(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(q.strip(), _tidy(a)) for q, a in pairs
            if q.strip() and len(_plain(a)) >= MIN_BODY_CHARACTERS]


def _plain(html: str) -> str:
    return parse(html).text()


def _absolute_links(root: Node, base_url: str) -> None:
    """Links and images of a fetched page made absolute: relative, they would point at our
    own help center once the article is there."""
    for node in root.walk():
        for name in ("href", "src"):
            value = node.attrs.get(name, "").strip()
            if value and not value.startswith("#"):
                node.attrs[name] = urljoin(base_url, value)


def page_articles(html: str, fallback_title: str = "", base_url: str = "") -> list[PageArticle]:
    """The articles in one page: one, or one per question of a FAQ. `base_url`, the page's
    address when it was fetched, makes its relative links absolute."""
    root = parse(html)
    if base_url:
        _absolute_links(root, base_url)
    language = _language(root)
    main = _main_content(root)
    title = _page_title(root, main) or fallback_title
    for finder in (lambda: _json_ld_questions(root), lambda: _details_questions(main),
                   lambda: _definition_questions(main), lambda: _heading_questions(main)):
        pairs = _usable(finder())
        if len(pairs) >= 2:
            return [PageArticle(question[:200], answer, language, title)
                    for question, answer in pairs]
    # One article: the page's own heading is its title, not a part of its body.
    heading = main.find("h1") or root.find("h1")
    if heading is not None and heading.parent is not None:
        heading.parent.children.remove(heading)
    body = _tidy(to_html(main.children))
    if len(_plain(body)) < MIN_BODY_CHARACTERS:
        return []
    return [PageArticle(title[:200], body, language)]


def plain_text(html: str) -> str:
    """The words of an HTML fragment, for language detection."""
    return _plain(html)
