"""`omnicanal survey_parse --kind K [--lang L] FILE`: one JSON object per line read, in order,
with exactly the contract's keys, through the product's parser."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

KEYS = ["text", "kind", "score", "opt_out", "comment"]


def run(path: Path, *args: str) -> list[dict[str, object]]:
    out = StringIO()
    call_command("survey_parse", *args, str(path), stdout=out)
    raw = out.getvalue()
    assert "\\u" not in raw  # accents and emoji are written as they are
    return [json.loads(line) for line in raw.splitlines()]


def test_each_line_gives_one_record_in_order(tmp_path: Path) -> None:
    replies = tmp_path / "replies.txt"
    replies.write_text("9 super\nneuf\n\nSTOP\n7 ou 8\nTrès bon accueil 😀\n", encoding="utf-8")
    records = run(replies, "--kind", "nps")
    assert [list(record) for record in records] == [KEYS] * 6
    assert records == [
        {"text": "9 super", "kind": "nps", "score": 9, "opt_out": False, "comment": "super"},
        {"text": "neuf", "kind": "nps", "score": 9, "opt_out": False, "comment": ""},
        {"text": "", "kind": "nps", "score": None, "opt_out": False, "comment": ""},
        {"text": "STOP", "kind": "nps", "score": None, "opt_out": True, "comment": ""},
        {"text": "7 ou 8", "kind": "nps", "score": None, "opt_out": False, "comment": "7 ou 8"},
        {"text": "Très bon accueil 😀", "kind": "nps", "score": None, "opt_out": False,
         "comment": "Très bon accueil 😀"},
    ]


def test_kind_and_language_are_passed_to_the_parser(tmp_path: Path) -> None:
    replies = tmp_path / "replies.txt"
    replies.write_bytes("\ufefftrès facile\r\nvery easy\r\nsept".encode())
    assert [r["score"] for r in run(replies, "--kind", "ces")] == [7, 7, 7]
    assert [r["score"] for r in run(replies, "--kind", "ces", "--lang", "fr")] == [7, None, 7]
    assert [r["score"] for r in run(replies, "--kind", "ces", "--lang", "en")] == [None, 7, None]
    assert [r["text"] for r in run(replies, "--kind", "csat")] == [
        "très facile", "very easy", "sept"]


def test_a_bad_kind_or_language_is_refused_with_the_choices(tmp_path: Path) -> None:
    replies = tmp_path / "replies.txt"
    replies.write_text("9\n", encoding="utf-8")
    with pytest.raises(CommandError, match="csat, nps, ces"):
        run(replies, "--kind", "stars")
    with pytest.raises(CommandError, match="fr, en or auto"):
        run(replies, "--kind", "nps", "--lang", "de")


def test_an_unreadable_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such file"):
        run(tmp_path / "missing.txt", "--kind", "nps")
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("très facile\n".encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        run(latin1, "--kind", "ces")
