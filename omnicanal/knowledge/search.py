"""The help center's search: French and English stemming, accents ignored, a few synonyms
per language (search_words.json), and snippets with the matching words highlighted.

Both databases give the same hits. PostgreSQL uses its full-text search with the `french` or
`english` configuration over `unaccent(...)` of the title and body. SQLite (and a PostgreSQL
without the `unaccent` extension) looks the stems up in `Article.search_index`, written at
save time with the same Snowball stemmers (snowballstemmer) and the same stop words.
"""

from __future__ import annotations

import json
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache, reduce
from operator import and_, or_
from pathlib import Path

import snowballstemmer
from django.db import connection
from django.db.models import F, Func, Q, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from omnicanal.knowledge.content import text_blocks
from omnicanal.knowledge.models import Article, Locale

MAX_QUERY_WORDS = 8
MAX_RESULTS = 50
SNIPPET_LENGTH = 220
# Characters of context kept before the first match when a block is cut.
SNIPPET_LEAD = 70
# A snippet shorter than this borrows the next block, after a visible separator.
SNIPPET_SHORT = 110
# Shorter blocks are taken for headings: not borrowed to fill a snippet.
SNIPPET_PARAGRAPH = 40
WORD = re.compile(r"\w+")
STEMMER_LANGUAGES = {Locale.FR: "french", Locale.EN: "english"}
LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})


def fold(text: str) -> str:
    """Lower case without accents: "Résiliation" → "resiliation"."""
    decomposed = unicodedata.normalize("NFKD", text.translate(LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def words(text: str) -> list[str]:
    return WORD.findall(fold(text))


@cache
def _search_words() -> dict[str, dict[str, list]]:
    path = Path(__file__).with_name("search_words.json")
    data: dict[str, dict[str, list]] = json.loads(path.read_text(encoding="utf-8"))
    return data


@cache
def stop_words(locale: str) -> frozenset[str]:
    # Compared with the folded word, as PostgreSQL compares `unaccent(text)`'s words with
    # its (accented) list: "été" folds to "ete", which neither database drops.
    return frozenset(_search_words()[locale]["stopwords"])


_stemmers: dict[str, snowballstemmer.stemmer] = {}
# A Snowball stemmer keeps its state in the object: one call at a time.
_stemmer_lock = threading.Lock()


@lru_cache(maxsize=100_000)
def stem(locale: str, word: str) -> str:
    with _stemmer_lock:
        if locale not in _stemmers:
            _stemmers[locale] = snowballstemmer.stemmer(STEMMER_LANGUAGES[Locale(locale)])
        result: str = _stemmers[locale].stemWord(word)
        return result


def stems(locale: str, text: str) -> list[str]:
    stop = stop_words(locale)
    return [stem(locale, word) for word in words(text) if word not in stop]


def index_text(locale: str, title: str, body: str, body_format: str) -> str:
    """What `Article.search_index` holds: the stems, a space on each side of every one."""
    found = stems(locale, " ".join([title, *text_blocks(body, body_format)]))
    return f" {' '.join(found)} " if found else ""


@dataclass(frozen=True)
class Alternative:
    """One way a query word may appear: its folded words (PostgreSQL stems them itself) and
    their stems (what `search_index` holds)."""

    text: str
    stems: tuple[str, ...]


def _alternative(locale: str, phrase: str) -> Alternative | None:
    found = tuple(stems(locale, phrase))
    return Alternative(" ".join(words(phrase)), found) if found else None


@cache
def _synonyms(locale: str) -> dict[str, tuple[Alternative, ...]]:
    """Each single word's stem → every member of its synonym groups."""
    table: dict[str, list[Alternative]] = {}
    for group in _search_words()[locale]["synonyms"]:
        members = [alt for phrase in group if (alt := _alternative(locale, phrase))]
        for member in members:
            if len(member.stems) == 1:
                table.setdefault(member.stems[0], []).extend(members)
    return {key: tuple(dict.fromkeys(value)) for key, value in table.items()}


def query_terms(locale: str, query: str) -> list[tuple[Alternative, ...]]:
    """The query's words, each with the alternatives that satisfy it: an article matches
    when it holds one alternative of every word."""
    terms: list[tuple[Alternative, ...]] = []
    stop = stop_words(locale)
    for word in [w for w in words(query) if w not in stop][:MAX_QUERY_WORDS]:
        own = Alternative(word, (stem(locale, word),))
        alternatives = tuple(dict.fromkeys([own, *_synonyms(locale).get(own.stems[0], ())]))
        if alternatives not in terms:
            terms.append(alternatives)
    return terms


@dataclass(frozen=True)
class SearchHit:
    article: Article
    snippet: SafeString


def search(locale: str, query: str, limit: int = MAX_RESULTS) -> list[SearchHit]:
    """Published articles of the language holding every word of the query (or a synonym),
    best first, each with its snippet."""
    terms = query_terms(locale, query)
    if not terms:
        return []
    articles = Article.objects.published().filter(locale=locale).select_related("category")
    if connection.vendor == "postgresql" and has_unaccent():
        found = list(_postgresql_search(articles, locale, terms)[:limit])
    else:
        found = _index_search(articles, terms)[:limit]
    return [SearchHit(article, snippet(article, terms)) for article in found]


def _postgresql_search(
    articles: QuerySet[Article], locale: str, terms: list[tuple[Alternative, ...]]
) -> QuerySet[Article]:
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

    config = STEMMER_LANGUAGES[Locale(locale)]
    vector = SearchVector(Func(F("title"), function="unaccent"), weight="A", config=config) + (
        SearchVector(Func(F("body"), function="unaccent"), weight="B", config=config)
    )
    query = reduce(and_, (
        reduce(or_, (
            SearchQuery(alt.text, config=config,
                        search_type="phrase" if len(alt.stems) > 1 else "plain")
            for alt in alternatives
        ))
        for alternatives in terms
    ))
    return (
        articles.annotate(document=vector, rank=SearchRank(vector, query))
        .filter(document=query)
        .order_by("-rank", "title")
    )


def _index_search(
    articles: QuerySet[Article], terms: list[tuple[Alternative, ...]]
) -> list[Article]:
    condition = reduce(and_, (
        reduce(or_, (Q(search_index__contains=f" {' '.join(alt.stems)} ")
                     for alt in alternatives))
        for alternatives in terms
    ))

    def score(article: Article) -> float:
        # Like PostgreSQL's weights: a word in the title counts more than in the body.
        title = f" {' '.join(stems(article.locale, article.title))} "
        total = 0.0
        for alternatives in terms:
            for alt in alternatives:
                needle = f" {' '.join(alt.stems)} "
                total += article.search_index.count(needle) + 4 * title.count(needle)
        return total

    candidates = list(articles.filter(condition))
    return sorted(candidates, key=lambda article: (-score(article), article.title))


@cache
def _unaccent_in(database: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'unaccent'")
        return cursor.fetchone() is not None


def has_unaccent() -> bool:
    """Whether PostgreSQL has the `unaccent` extension (the migration creates it when the
    role may; otherwise the search falls back on the stored index)."""
    return _unaccent_in(str(connection.settings_dict["NAME"]))


def snippet(article: Article, terms: list[tuple[Alternative, ...]]) -> SafeString:
    """The passage that best matches, the matching words in <mark>, cut at word boundaries
    with an ellipsis; a short passage is followed by the next block after a separator, so
    paragraphs never run together. Everything else escaped."""
    wanted = {s for alternatives in terms for alt in alternatives for s in alt.stems}
    blocks = text_blocks(article.body, article.body_format)
    if not blocks:
        return mark_safe("")
    locale, stop = article.locale, stop_words(article.locale)

    def matches(block: str) -> list[re.Match[str]]:
        return [m for m in WORD.finditer(block)
                if (folded := fold(m.group())) not in stop and stem(locale, folded) in wanted]

    found = [(index, matches(block)) for index, block in enumerate(blocks)]
    best, best_matches = max(
        found, key=lambda item: (len({fold(m.group()) for m in item[1]}), len(item[1]),
                                 -item[0]),
    )
    parts = [_window(blocks[best], best_matches)]
    if len(blocks[best]) < SNIPPET_SHORT:
        # Another passage that matches, else the next one if it reads as a paragraph
        # (a heading alone after a separator reads as a fragment).
        others = [(index, found_in) for index, found_in in found if index != best and found_in]
        if others:
            index, found_in = min(others, key=lambda item: (item[0] < best, item[0]))
            parts.append(_window(blocks[index], found_in))
        elif best + 1 < len(blocks) and len(blocks[best + 1]) >= SNIPPET_PARAGRAPH:
            parts.append(_window(blocks[best + 1], []))
    separator = mark_safe(' <span class="snippet-sep" aria-hidden="true">·</span> ')
    return mark_safe(separator.join(parts))


def _window(block: str, found: list[re.Match[str]]) -> str:
    start = 0
    if found and found[0].start() > SNIPPET_LEAD and len(block) > SNIPPET_LENGTH:
        start = block.rfind(" ", 0, found[0].start() - SNIPPET_LEAD // 2) + 1
    end = len(block)
    if end - start > SNIPPET_LENGTH:
        cut = block.rfind(" ", start, start + SNIPPET_LENGTH)
        end = cut if cut > start else start + SNIPPET_LENGTH
    pieces: list[str] = ["…" if start else ""]
    position = start
    for match in found:
        if match.start() < start or match.end() > end:
            continue
        pieces += [escape(block[position:match.start()]), f"<mark>{escape(match.group())}</mark>"]
        position = match.end()
    pieces.append(escape(block[position:end]))
    if end < len(block):
        pieces.append("…")
    return "".join(pieces)
