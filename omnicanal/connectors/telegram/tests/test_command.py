"""The two commands' contract, shown with Telegram Updates: keys, lines, errors, verification."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from omnicanal.connectors import webhooks
from omnicanal.connectors.base import InboundRequest
from omnicanal.connectors.webhooks import LINE_KEYS, provider_names

GUIDE = Path(__file__).parent / "fixtures" / "official_webhook_guide_examples"


def run(*args: str) -> list[dict[str, Any]]:
    out = StringIO()
    call_command(*args, stdout=out)
    text = out.getvalue()
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def parse(*files: str | Path) -> list[dict[str, Any]]:
    return run("webhook_parse", "--provider", "telegram", *map(str, files))


def test_each_line_has_exactly_the_contract_keys_in_order() -> None:
    lines = parse(*sorted(GUIDE.glob("*.json")))
    assert len(lines) == 13
    assert {tuple(line) for line in lines} == {LINE_KEYS}


def test_a_voice_message_line() -> None:
    path = GUIDE / "09_voice_message.json"
    assert parse(path) == [
        {
            "file": str(path),
            "kind": "message",
            "direction": "in",
            "external_id": "1111111:1365",
            "from": "1111111",
            "to": "1111111",
            "text": None,
            "attachments": [
                {
                    "type": "audio",
                    "url_or_id": "AwADBAADbXXXXXXXXXXXGBdhD2l6_XX",
                    "mime_type": "audio/ogg",
                }
            ],
            "status": None,
            "provider_status": None,
            "timestamp": "2015-09-07T17:05:32+00:00",
            "reply_to": None,
            "error": None,
        }
    ]


def test_a_body_with_nothing_to_ingest_prints_one_ignored_line() -> None:
    path = GUIDE / "11_inline_query.json"
    assert parse(path) == [
        dict.fromkeys(LINE_KEYS)
        | {"file": str(path), "kind": "ignored", "direction": "in"}
        | {"attachments": []}
    ]


def test_unreadable_and_invalid_files_print_an_error_line_and_the_rest_still_parse(
    tmp_path: Path,
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"update_id": 1, "message": ')
    missing = tmp_path / "missing.json"
    good = GUIDE / "02_message_text.json"
    lines = parse(missing, broken, good)
    assert [(x["file"], x["kind"], x["error"] is not None) for x in lines] == [
        (str(missing), "ignored", True),
        (str(broken), "ignored", True),
        (str(good), "message", False),
    ]
    assert "not valid JSON" in lines[1]["error"]
    assert lines[0]["external_id"] is None


def test_a_directory_is_an_unreadable_file(tmp_path: Path) -> None:
    [line] = parse(tmp_path)
    assert line["error"]


def test_an_unknown_provider_is_refused() -> None:
    with pytest.raises(CommandError):
        call_command("webhook_parse", "--provider", "sms", str(GUIDE / "02_message_text.json"))


def verify(*args: str) -> Any:
    [line] = run(
        "webhook_verify",
        "--provider",
        "telegram",
        "--secret",
        "Sup3r_s3cret-token",
        "--url",
        "https://help.example.com/hooks/telegram",
        *args,
        str(GUIDE / "02_message_text.json"),
    )
    return line


def test_verify_checks_the_secret_token_header() -> None:
    assert verify("--header", "X-Telegram-Bot-Api-Secret-Token=Sup3r_s3cret-token") == {
        "valid": True
    }
    assert verify("--header", "x-telegram-bot-api-secret-token: Sup3r_s3cret-token") == {
        "valid": True
    }
    assert verify("--header", "X-Telegram-Bot-Api-Secret-Token=wrong") == {"valid": False}
    assert verify() == {"valid": False}


def test_verify_of_an_unreadable_file_is_false(tmp_path: Path) -> None:
    out = StringIO()
    call_command(
        "webhook_verify",
        "--provider",
        "telegram",
        "--secret",
        "s",
        "--url",
        "https://x/",
        "--header",
        "X-Telegram-Bot-Api-Secret-Token=s",
        str(tmp_path / "nope.json"),
        stdout=out,
        stderr=StringIO(),
    )
    assert json.loads(out.getvalue()) == {"valid": False}


def test_verify_refuses_a_header_without_a_value_separator() -> None:
    with pytest.raises(CommandError):
        verify("--header", "NoSeparatorHere")


@pytest.mark.parametrize("provider", provider_names())
def test_every_registered_provider_refuses_an_unsigned_request_and_ignores_an_empty_body(
    provider: str,
) -> None:
    request = InboundRequest(body=b"{}", headers={}, url="https://help.example.com/hooks/x")
    assert not webhooks.verify(provider, request, "secret")
    parsed = webhooks.parse(provider, request)
    assert not parsed.messages and not parsed.updates and parsed.ignored_reason


def test_an_unknown_provider_name_is_a_lookup_error() -> None:
    with pytest.raises(LookupError):
        webhooks.get_provider("carrier-pigeon")
