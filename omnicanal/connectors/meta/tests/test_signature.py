"""X-Hub-Signature-256 and the subscription handshake (WhatsApp Cloud, Messenger, Instagram)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from omnicanal.connectors.base import InboundRequest
from omnicanal.connectors.meta.signature import compute_signature, verify, verify_subscription

FIXTURES = Path(__file__).parent / "fixtures"
VECTOR = json.loads((FIXTURES / "signature_vector.json").read_text())
BODY = (FIXTURES / "signature_vector_body.json").read_bytes()
SECRET = VECTOR["app_secret"]


def signed(body: bytes, signature: str | None) -> InboundRequest:
    headers = {"x-hub-signature-256": signature} if signature is not None else {}
    return InboundRequest(body=body, headers=headers, url="https://help.example.com/hooks/meta")


def test_the_vector_body_verifies_with_its_app_secret() -> None:
    assert compute_signature(BODY, SECRET) == VECTOR["expected_header"]
    assert verify(signed(BODY, VECTOR["expected_header"]), SECRET)


def test_header_names_are_matched_case_insensitively() -> None:
    request = InboundRequest(
        body=BODY, headers={"X-Hub-Signature-256": VECTOR["expected_header"]}, url="https://x/"
    )
    assert verify(request, SECRET)


def test_uppercase_hex_is_the_same_signature() -> None:
    upper = "sha256=" + VECTOR["expected_header"].removeprefix("sha256=").upper()
    assert verify(signed(BODY, upper), SECRET)


@pytest.mark.parametrize("position", [0, len(BODY) // 2, len(BODY) - 1])
def test_a_body_changed_by_one_byte_fails(position: int) -> None:
    changed = bytearray(BODY)
    changed[position] ^= 0x01
    assert not verify(signed(bytes(changed), VECTOR["expected_header"]), SECRET)


def test_the_same_json_pretty_printed_fails() -> None:
    pretty = json.dumps(json.loads(BODY), indent=2).encode()
    assert not verify(signed(pretty, VECTOR["expected_header"]), SECRET)


def test_a_wrong_app_secret_fails() -> None:
    assert not verify(signed(BODY, VECTOR["expected_header"]), SECRET[:-1] + "7")


@pytest.mark.parametrize(
    "signature",
    [
        None,
        "",
        "sha256=",
        "54edfa1d7259e0eb13c677cc7d73d1b5c86cfa12433d19156e058ab9251bc441",
        "sha1=54edfa1d7259e0eb13c677cc7d73d1b5c86cfa12433d19156e058ab9251bc441",
        "sha256=zz",
    ],
    ids=["missing", "empty", "no-digest", "no-scheme", "sha1-scheme", "not-hex"],
)
def test_a_missing_or_malformed_header_fails(signature: str | None) -> None:
    assert not verify(signed(BODY, signature), SECRET)


def test_an_empty_app_secret_verifies_nothing() -> None:
    assert not verify(signed(BODY, compute_signature(BODY, "")), "")


def handshake(**overrides: str) -> dict[str, str]:
    query = {"hub.mode": "subscribe", "hub.verify_token": "s3cret", "hub.challenge": "1158201444"}
    return {**query, **overrides}


def test_the_subscription_handshake_echoes_the_challenge_for_the_right_token() -> None:
    assert verify_subscription(handshake(), "s3cret") == "1158201444"


@pytest.mark.parametrize(
    ("query", "token"),
    [
        (handshake(**{"hub.verify_token": "wrong"}), "s3cret"),
        (handshake(**{"hub.mode": "unsubscribe"}), "s3cret"),
        (handshake(**{"hub.challenge": ""}), "s3cret"),
        ({"hub.mode": "subscribe", "hub.challenge": "1"}, "s3cret"),
        (handshake(**{"hub.verify_token": ""}), ""),
    ],
    ids=["wrong-token", "wrong-mode", "no-challenge", "no-token", "no-token-configured"],
)
def test_the_subscription_handshake_is_refused_otherwise(query: dict[str, str], token: str) -> None:
    assert verify_subscription(query, token) is None
