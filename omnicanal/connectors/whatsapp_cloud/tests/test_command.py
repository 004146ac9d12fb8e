"""`webhook_parse` / `webhook_verify` for WhatsApp Cloud, through call_command."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

from django.core.management import call_command

from omnicanal.connectors.webhooks import LINE_KEYS

FIXTURES = Path(__file__).parent / "fixtures"
VECTOR = json.loads((FIXTURES / "signature_vector.json").read_text())
BODY = FIXTURES / "signature_vector_body.json"


def run(*args: str) -> list[dict[str, Any]]:
    out = StringIO()
    call_command(*args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def write_bodies(tmp_path: Path, file: str, *keys: str) -> list[str]:
    data = json.loads((FIXTURES / "pywa_updates" / file).read_text())
    paths = []
    for key in keys:
        path = tmp_path / f"{key}.json"
        path.write_text(json.dumps(data[key]))
        paths.append(str(path))
    return paths


def test_every_line_has_exactly_the_contract_keys(tmp_path: Path) -> None:
    files = write_bodies(tmp_path, "message.json", "text", "contacts", "unsupported")
    files += write_bodies(tmp_path, "message_status.json", "failed")
    lines = run("webhook_parse", "--provider", "whatsapp_cloud", *files)
    assert [tuple(line) for line in lines] == [LINE_KEYS] * 4
    assert [line["file"] for line in lines] == files
    assert [line["kind"] for line in lines] == ["message", "message", "unsupported", "status"]


def test_a_status_line_names_our_message_and_both_numbers(tmp_path: Path) -> None:
    [file] = write_bodies(tmp_path, "message_status.json", "played")
    [line] = run("webhook_parse", "--provider", "whatsapp_cloud", file)
    assert line == {
        "file": file,
        "kind": "status",
        "direction": "out",
        "external_id": "wamid.xyzxyz",
        "from": "+972123456789",
        "to": "+972987654321",
        "text": None,
        "attachments": [],
        "status": "read",
        "provider_status": "played",
        "timestamp": "2023-07-15T00:20:58+00:00",
        "reply_to": None,
        "error": None,
    }


def test_a_body_with_two_messages_prints_two_lines(tmp_path: Path) -> None:
    data = json.loads((FIXTURES / "pywa_updates" / "message.json").read_text())
    body = data["text"]
    second = dict(data["reply"]["entry"][0]["changes"][0]["value"]["messages"][0], id="wamid.two")
    body["entry"][0]["changes"][0]["value"]["messages"].append(second)
    path = tmp_path / "two.json"
    path.write_text(json.dumps(body))
    lines = run("webhook_parse", "--provider", "whatsapp_cloud", str(path))
    assert [(x["external_id"], x["reply_to"]) for x in lines] == [
        ("wamid.xyzxyz", None),
        ("wamid.two", "wamid.xyzxyz=="),
    ]


def verify(*args: str) -> Any:
    url = "https://help.example.com/webhooks/whatsapp/1"
    [line] = run("webhook_verify", "--provider", "whatsapp_cloud", "--url", url, *args)
    return line


def test_verify_accepts_the_vector_and_rejects_a_changed_body(tmp_path: Path) -> None:
    header = f"X-Hub-Signature-256={VECTOR['expected_header']}"
    secret = VECTOR["app_secret"]
    assert verify("--secret", secret, "--header", header, str(BODY)) == {"valid": True}
    changed = tmp_path / "changed.json"
    changed.write_bytes(BODY.read_bytes().replace(b"PyWa.", b"PyWa!"))
    assert verify("--secret", secret, "--header", header, str(changed)) == {"valid": False}


def test_verify_rejects_a_wrong_secret_and_a_missing_header() -> None:
    header = f"X-Hub-Signature-256={VECTOR['expected_header']}"
    assert verify("--secret", "0" * 32, "--header", header, str(BODY)) == {"valid": False}
    assert verify("--secret", VECTOR["app_secret"], str(BODY)) == {"valid": False}
