"""The French catalogue is complete: an untranslated string shows English to French agents."""

from __future__ import annotations

import re
from pathlib import Path

import omnicanal

CATALOGUE = Path(omnicanal.__file__).parent / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def entries() -> list[str]:
    return [e for e in CATALOGUE.read_text().split("\n\n") if 'msgid ""\nmsgstr ""' not in e[:40]]


def test_every_french_entry_is_translated_and_none_is_fuzzy() -> None:
    untranslated = [
        e for e in entries()
        if re.search(r'^msgstr ""$(?!\n")', e, re.M) and "msgid_plural" not in e
    ]
    fuzzy = [e for e in entries() if "#, fuzzy" in e or ", fuzzy" in e]

    assert untranslated == []
    assert fuzzy == []

