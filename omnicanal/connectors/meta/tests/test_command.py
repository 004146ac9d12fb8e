"""`webhook_parse` / `webhook_verify` for Messenger and Instagram, through call_command."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from omnicanal.connectors.meta.signature import compute_signature

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = FIXTURES / "fbmessenger"


def run(*args: str) -> list[dict[str, Any]]:
    out = StringIO()
    call_command(*args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_parse_prints_the_corpus_as_one_line_per_event_and_ignores_silent_bodies() -> None:
    names = ["message", "postback", "delivery", "read", "optin", "account_linking"]
    files = [str(CORPUS / f"messenger_{n}.json") for n in names]
    lines = run("webhook_parse", "--provider", "messenger", *files)
    assert [(x["kind"], x["status"], x["text"]) for x in lines] == [
        ("message", None, "hello, world!"),
        ("message", None, "USER_DEFINED_PAYLOAD"),
        ("status", "delivered", None),
        ("status", "read", None),
        ("ignored", None, None),
        ("ignored", None, None),
    ]
    assert all(x["from"] == x["to"] == "1234" for x in lines[:4])
    assert all(x["from"] is None and x["error"] is None for x in lines[4:])


def test_parse_prints_an_instagram_echo_as_outgoing() -> None:
    [line] = run(
        "webhook_parse",
        "--provider",
        "instagram",
        str(FIXTURES / "constructed/instagram_echo.json"),
    )
    assert (line["kind"], line["direction"], line["text"]) == (
        "message",
        "out",
        "Yes, size M is available.",
    )


@pytest.mark.parametrize("provider", ["messenger", "instagram"])
def test_verify_uses_the_app_secret_signature(provider: str, tmp_path: Path) -> None:
    raw = (CORPUS / "messenger_message.json").read_bytes()
    path = tmp_path / "body.json"
    path.write_bytes(raw)
    good = f"X-Hub-Signature-256={compute_signature(raw, 'app-secret')}"
    base = ["webhook_verify", "--provider", provider, "--url", "https://x.example/hook"]
    assert run(*base, "--secret", "app-secret", "--header", good, str(path)) == [{"valid": True}]
    assert run(*base, "--secret", "other", "--header", good, str(path)) == [{"valid": False}]
    path.write_bytes(raw.replace(b"hello", b"hellO"))
    assert run(*base, "--secret", "app-secret", "--header", good, str(path)) == [{"valid": False}]
