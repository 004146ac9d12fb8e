"""An article cut into the passages retrieval ranks: its title alone (most questions are a
rephrasing of a title), then its body in groups of paragraphs that stay under one heading
and under `MAX_CHUNK_CHARS`, each embedded with the title in front of it.

Pure functions of the text: the database path (`vectors_store`) and the FAQ evaluation
(`evaluation`) cut the same way.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from omnicanal.knowledge.content import text_blocks
from omnicanal.knowledge.models import BodyFormat

# About a paragraph or two: long enough to answer, short enough that one topic dominates
# its vector (the encoder averages what it reads).
MAX_CHUNK_CHARS = 600
# A group this long is closed at the end of its paragraph: one paragraph, one topic.
MIN_CHUNK_CHARS = 250
HTML_HEADING = re.compile(r"<h[1-6]\b[^>]*>(.*?)</h[1-6]>", re.I | re.S)
MARKDOWN_MARKS = re.compile(r"^\s*(?:#{1,6}\s+|[-*+]\s+|>\s*|\d+[.)]\s+)")
MARKDOWN_INLINE = re.compile(r"[*_`]+|!?\[([^\]]*)\]\([^)]*\)")
MARKDOWN_HEADING = re.compile(r"^\s*#{1,6}\s+")


@dataclass(frozen=True)
class Chunk:
    position: int
    # What the bot quotes and the copilot inserts (plain text).
    text: str
    # What the encoder and the keyword index read: the title, then the text.
    indexed_text: str

    @property
    def digest(self) -> str:
        return text_digest(self.indexed_text)


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _blocks(body: str, body_format: str) -> list[tuple[str, bool]]:
    """(plain text, is a heading) for each block of the body."""
    if body_format == BodyFormat.HTML:
        found = []
        for index, piece in enumerate(HTML_HEADING.split(body)):
            # split() with one group: odd pieces are the headings' inner HTML.
            for block in text_blocks(piece, body_format):
                found.append((block, index % 2 == 1))
        return found
    found = []
    # Markdown and plain text: paragraphs are separated by blank lines, list items by lines.
    for paragraph in re.split(r"\n\s*\n", body):
        lines = [line for line in paragraph.splitlines() if line.strip()]
        if not lines:
            continue
        if all(MARKDOWN_MARKS.match(line) for line in lines) or any(
            MARKDOWN_HEADING.match(line) for line in lines
        ):
            pieces = lines
        else:
            pieces = [" ".join(lines)]
        for piece in pieces:
            is_heading = bool(MARKDOWN_HEADING.match(piece))
            plain = MARKDOWN_INLINE.sub(lambda m: m.group(1) or "", MARKDOWN_MARKS.sub("", piece))
            plain = " ".join(plain.split())
            if plain:
                found.append((plain, is_heading))
    return found


def _split_long(text: str, limit: int) -> list[str]:
    """A block longer than `limit`, cut at sentence ends (or spaces) into pieces under it."""
    if len(text) <= limit:
        return [text]
    sentences = re.split(r"(?<=[.!?])\s+", text)
    pieces: list[str] = []
    current = ""
    for sentence in sentences:
        while len(sentence) > limit:
            cut = sentence.rfind(" ", 0, limit)
            cut = cut if cut > 0 else limit
            if current:
                pieces.append(current)
                current = ""
            pieces.append(sentence[:cut])
            sentence = sentence[cut:].strip()
        if current and len(current) + 1 + len(sentence) > limit:
            pieces.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}".strip()
    if current:
        pieces.append(current)
    return pieces


def chunk_article(title: str, body: str, body_format: str) -> list[Chunk]:
    """The title chunk (position 0), then the body's groups in reading order."""
    title = " ".join(title.split())
    groups: list[str] = []
    current: list[str] = []
    heading = ""
    size = 0
    for text, is_heading in _blocks(body, body_format):
        if is_heading:
            if current:
                groups.append(" ".join(current))
            current, size, heading = [], 0, text
            continue
        for piece in _split_long(text, MAX_CHUNK_CHARS):
            if current and size + len(piece) > MAX_CHUNK_CHARS:
                groups.append(" ".join(current))
                current, size = [], 0
            if not current and heading:
                current, size = [heading], len(heading)
            current.append(piece)
            size += len(piece) + 1
        if size >= MIN_CHUNK_CHARS:
            groups.append(" ".join(current))
            current, size = [], 0
    if current:
        groups.append(" ".join(current))
    elif heading:
        groups.append(heading)
    opening = groups[0] if groups else ""
    chunks = [Chunk(0, opening, title)]
    for position, group in enumerate(groups, start=1):
        chunks.append(Chunk(position, group, f"{title}\n{group}" if title else group))
    return chunks
