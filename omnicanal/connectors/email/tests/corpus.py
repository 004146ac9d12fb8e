"""Where the third-party test mail lives, and how their expected results are scored.

Copies are under fixtures/ (see fixtures/PROVENANCE.md). The full MIME corpus is too big to
copy whole: the files over 100 KB are read from the shared corpora when that checkout exists.
"""

from __future__ import annotations

import email
import email.policy
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from omnicanal.connectors.email.htmltext import html_to_text
from omnicanal.connectors.email.replies import parse_body

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The checkout sits next to shared/ (…/main/omnicanal/connectors/email/tests/corpus.py).
SHARED_CORPORA = Path(__file__).resolve().parents[5] / "shared" / "corpora" / "email"


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _lines(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


@dataclass(frozen=True)
class Case:
    name: str
    passed: bool
    got: str


def zapier_cases() -> Iterator[Case]:
    base = FIXTURES / "reply_trimming" / "zapier"
    expected: dict[str, Any] = json.loads((base / "expected.json").read_text())
    for relative, spec in expected.items():
        if relative.startswith("_") or "performance" in spec:
            continue
        text = (base / relative).read_text()
        reply = parse_body(text, is_html=False).reply_text
        ok = True
        if "visible_reply_equals" in spec:
            ok &= reply == spec["visible_reply_equals"]
        if "visible_reply_equals_after_strip" in spec:
            ok &= reply.strip() == spec["visible_reply_equals_after_strip"]
        ok &= all(s in reply for s in spec.get("visible_reply_contains", []))
        ok &= all(s not in reply for s in spec.get("visible_reply_not_contains", []))
        fragments = spec.get("fragments")
        if fragments:
            # Fragment i is visible unless the upstream test marks it hidden; without that
            # list, only the first fragment (the new text) is visible.
            hidden = fragments.get("hidden")
            for index, snippets in fragments.get("contains", {}).items():
                is_hidden = hidden[int(index)] if hidden else int(index) > 0
                for snippet in [snippets] if isinstance(snippets, str) else snippets:
                    if len(snippet) < 4:
                        continue  # "On", ">": too short to say anything about the reply
                    ok &= (snippet not in reply) if is_hidden else (snippet in reply)
            for index, snippet in fragments.get("startswith", {}).items():
                is_hidden = bool(hidden and hidden[int(index)])
                ok &= (snippet not in reply) if is_hidden else (snippet in reply)
            if fragments.get("count") == 1:
                ok &= reply == _lines(text)
        yield Case(f"zapier/{relative}", ok, reply)


def talon_cases() -> Iterator[Case]:
    base = FIXTURES / "reply_trimming" / "talon"
    expected: dict[str, Any] = json.loads((base / "expected.json").read_text())
    # Talon's reply keeps the signature; ours splits it off, so reply + signature is compared.
    for relative, spec in expected["plain_reply"].items():
        raw = (base / relative).read_bytes()
        if "expected_reply" in spec:
            message = email.message_from_bytes(raw, policy=email.policy.default)
            part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
            body = parse_body(part.get_content(), is_html=False)
            got = f"{body.reply_text}\n{body.signature}"
            ok = _squash(got) == _squash(spec["expected_reply"])
        else:
            body = parse_body(raw.decode(), is_html=False)
            got = body.reply_text
            ok = bool(got) and "From" not in got
        yield Case(f"talon/{relative}", ok, got)
    for relative, spec in expected["html_reply"].items():
        body = parse_body((base / relative).read_text(), is_html=True)
        got = f"{body.reply_text}\n{body.signature}"
        want = spec.get("expected_reply_text") or html_to_text(spec["expected_reply_html"])
        yield Case(f"talon/{relative}", _squash(got) == _squash(want), got)
    for relative, spec in expected["signature"].items():
        text = (base / relative).read_text()
        sender = (base / spec["sender_file"]).read_text().strip()
        signature = (base / spec["expected_signature_file"]).read_text().strip()
        body = parse_body(text, is_html=False, sender=sender)
        reply = text.strip()[: len(text.strip()) - len(signature)] if signature else text
        ok = body.signature == signature and _squash(body.reply_text) == _squash(reply)
        yield Case(f"talon/{relative}", ok, f"{body.reply_text}\n--sig--\n{body.signature}")


SISIMAI = FIXTURES / "bounces" / "sisimai"


def sisimai_expected() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SISIMAI / "expected.json").read_text())
    return data


def sisimai_path(relative: str) -> Path:
    return SISIMAI / "set-of-emails" / "maildir" / "bsd" / relative


FLANKER = FIXTURES / "mime" / "flanker" / "tests" / "fixtures" / "messages"


def mail_files(root: Path) -> list[Path]:
    return [p for p in sorted(root.rglob("*")) if p.is_file() and "LICENSE" not in p.name]
