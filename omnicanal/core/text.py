"""One normalisation for all text that enters: what the databases cannot store, removed.

PostgreSQL refuses a NUL character in text and jsonb ("unsupported Unicode escape sequence",
a DataError, so a 500), and neither database driver can encode a lone surrogate (half of a
UTF-16 pair, which JSON's "\\ud800" and Python's surrogateescape produce). Neither is ever
meaningful text. Every boundary where text enters calls this module, and decides what to do:
- a customer's content (a message, a name, a search) is kept minus the poison: it is what
  they sent, and refusing it would lose it;
- what an agent or an administrator types is refused with a 422 naming the field, so the
  person who can fix it sees why.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# NUL, and any surrogate code point: a valid pair never survives decoding as two code points
# in a Python str, so any surrogate left in a str is a lone one.
_POISON = re.compile("[\x00\ud800-\udfff]")


def has_poison(value: str) -> bool:
    """Whether the text holds a NUL or a lone surrogate."""
    return _POISON.search(value) is not None


def clean_text(value: str) -> str:
    """The text without NUL characters and lone surrogates (everything else untouched)."""
    return _POISON.sub("", value)


def clean_data(value: Any) -> Any:
    """`clean_text` applied to every string (keys included) of decoded JSON."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, Mapping):
        return {clean_data(key): clean_data(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [clean_data(item) for item in value]
    return value


def poisoned_paths(value: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Where decoded JSON holds poison: the path of each string (or key) that does."""
    if isinstance(value, str):
        return [path] if has_poison(value) else []
    found: list[tuple[str | int, ...]] = []
    if isinstance(value, Mapping):
        for key, item in value.items():
            key_text = str(key)
            if has_poison(key_text):
                found.append((*path, clean_text(key_text)))
            found.extend(poisoned_paths(item, (*path, clean_text(key_text))))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found.extend(poisoned_paths(item, (*path, index)))
    return found


def describe_path(path: tuple[str | int, ...]) -> str:
    """A field's path as a person reads it: `settings.imap_host`, `items[2].name`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text or "the value"
