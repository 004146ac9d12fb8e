"""Reading a customer's free-text answer to a survey: "9", "neuf", "9/10", "très facile",
"pas du tout satisfait", "STOP". A score is given only when the reply states one; anything
else is kept as a comment, never guessed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from omnicanal.surveys.models import SCALES

Lang = Literal["fr", "en", "auto"]


@dataclass(frozen=True)
class ParsedReply:
    # On the kind's scale, or None when the reply gives none (or is ambiguous).
    score: int | None
    # A request to receive no more surveys.
    opt_out: bool
    # The rest of the text ("" when nothing).
    comment: str


def parse_reply(text: str, kind: str, lang: Lang = "auto") -> ParsedReply:
    """GROUNDWORK PLACEHOLDER (replaced by the parser's branch): a lone number only."""
    low, high = SCALES[kind]
    stripped = text.strip()
    if stripped.upper() == "STOP":
        return ParsedReply(None, True, "")
    match = re.fullmatch(r"(\d{1,2})(.*)", stripped, re.DOTALL)
    if match and low <= int(match.group(1)) <= high:
        return ParsedReply(int(match.group(1)), False, match.group(2).strip())
    return ParsedReply(None, False, stripped)
