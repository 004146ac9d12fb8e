"""`webhook_parse` / `webhook_verify` for Twilio, through call_command."""

from __future__ import annotations

import json
import shutil
from io import StringIO
from pathlib import Path
from typing import Any

from django.core.management import call_command

from omnicanal.connectors.twilio.webhook import compute_signature

FIXTURES = Path(__file__).parent / "fixtures"
CONSTRUCTED = FIXTURES / "constructed"
VECTORS = {
    v["name"]: v for v in json.loads((FIXTURES / "signature_vectors.json").read_text())["vectors"]
}


def run(*args: str) -> list[dict[str, Any]]:
    out = StringIO()
    call_command(*args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_parse_prints_one_status_line_per_callback_with_the_mapped_status() -> None:
    files = [str(CONSTRUCTED / f"status_{s}.json") for s in ("queued", "undelivered", "delivered")]
    lines = run("webhook_parse", "--provider", "twilio", *files)
    assert [(x["file"], x["kind"], x["status"], x["provider_status"]) for x in lines] == [
        (files[0], "status", None, "queued"),
        (files[1], "status", "undelivered", "undelivered"),
        (files[2], "status", "delivered", "delivered"),
    ]


def test_parse_prints_a_whatsapp_image_with_its_media(tmp_path: Path) -> None:
    path = shutil.copy(CONSTRUCTED / "whatsapp_image.json", tmp_path / "image.json")
    [line] = run("webhook_parse", "--provider", "twilio", str(path))
    assert line["kind"] == "message"
    assert line["from"] == "+34612345678"
    assert line["text"] == "Así llegó la caja"
    assert line["attachments"] == [
        {
            "type": "image",
            "url_or_id": "https://api.twilio.com/2010-04-01/Accounts/AC0123456789abcdef0123456789"
            "abcdef/Messages/MM00000000000000000000000000000005/Media/ME00000000000000000000000000000032",
            "mime_type": "image/jpeg",
        }
    ]


def fields_file(tmp_path: Path, params: dict[str, str]) -> str:
    path = tmp_path / "fields.json"
    path.write_text(json.dumps(params))
    return str(path)


def verify(*args: str) -> Any:
    [line] = run("webhook_verify", "--provider", "twilio", "--secret", "12345", *args)
    return line


def test_verify_rebuilds_the_form_from_the_fields_file(tmp_path: Path) -> None:
    vector = VECTORS["form_params"]
    file = fields_file(tmp_path, vector["params"])
    header = f"X-Twilio-Signature={vector['expected_signature']}"
    assert verify("--url", vector["url"], "--header", header, file) == {"valid": True}


def test_verify_says_false_for_a_field_changed_by_one_character(tmp_path: Path) -> None:
    vector = VECTORS["form_params"]
    file = fields_file(tmp_path, {**vector["params"], "To": "+18005551213"})
    header = f"X-Twilio-Signature={vector['expected_signature']}"
    assert verify("--url", vector["url"], "--header", header, file) == {"valid": False}


def test_verify_says_false_without_the_signature_header(tmp_path: Path) -> None:
    vector = VECTORS["form_params"]
    assert verify("--url", vector["url"], fields_file(tmp_path, vector["params"])) == {
        "valid": False
    }


def test_verify_accepts_repeated_fields_as_lists(tmp_path: Path) -> None:
    vector = VECTORS["duplicate_keys_sorted_dedup"]
    grouped: dict[str, list[str]] = {}
    for name, value in vector["params_multi"]:
        grouped.setdefault(name, []).append(value)
    path = tmp_path / "multi.json"
    path.write_text(json.dumps(grouped))
    header = f"X-Twilio-Signature: {vector['expected_signature']}"
    assert verify("--url", vector["url"], "--header", header, str(path)) == {"valid": True}


def test_verify_takes_the_raw_json_body_when_the_url_carries_body_sha256(tmp_path: Path) -> None:
    vector = VECTORS["json_body_with_bodySHA256"]
    path = tmp_path / "body.json"
    path.write_bytes(vector["body"].encode())
    header = f"X-Twilio-Signature={vector['expected_signature']}"
    assert verify("--url", vector["url"], "--header", header, str(path)) == {"valid": True}
    path.write_bytes(vector["body"].encode() + b" ")
    assert verify("--url", vector["url"], "--header", header, str(path)) == {"valid": False}


def test_verify_checks_a_real_looking_inbound_message(tmp_path: Path) -> None:
    params = json.loads((CONSTRUCTED / "whatsapp_text.json").read_text())
    url = "https://help.example.com/webhooks/twilio/3"
    signature = compute_signature(url, {k: [v] for k, v in params.items()}, "tok")
    file = fields_file(tmp_path, params)
    args = ["--url", url, "--header", f"x-twilio-signature={signature}", file]
    assert run("webhook_verify", "--provider", "twilio", "--secret", "tok", *args) == [
        {"valid": True}
    ]
    assert run("webhook_verify", "--provider", "twilio", "--secret", "nope", *args) == [
        {"valid": False}
    ]
