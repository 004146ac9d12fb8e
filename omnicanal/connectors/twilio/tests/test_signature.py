"""X-Twilio-Signature, checked against twilio-python's own vectors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from omnicanal.connectors.base import InboundRequest
from omnicanal.connectors.twilio.webhook import compute_signature, form_params, verify

VECTORS = json.loads((Path(__file__).parent / "fixtures" / "signature_vectors.json").read_text())
BY_NAME = {v["name"]: v for v in VECTORS["vectors"]}
FORM_VECTORS = [v for v in VECTORS["vectors"] if "params" in v]
BASE_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"


def form_request(url: str, params: dict[str, str], signature: str | None) -> InboundRequest:
    headers = {"x-twilio-signature": signature} if signature is not None else {}
    return InboundRequest(body=urlencode(params).encode(), headers=headers, url=url)


@pytest.mark.parametrize("vector", FORM_VECTORS, ids=lambda v: v["name"])
def test_each_form_vector_verifies_at_its_own_url(vector: dict[str, Any]) -> None:
    request = form_request(vector["url"], vector["params"], vector["expected_signature"])
    assert (
        compute_signature(vector["url"], form_params(request.body), "12345")
        == (vector["expected_signature"])
    )
    assert verify(request, vector["auth_token"])


@pytest.mark.parametrize(
    ("received_url", "signed_vector"),
    [
        ("https://mycompany.com/myapp.php?foo=1&bar=2", "https_with_port_443_added"),
        ("https://mycompany.com:443/myapp.php?foo=1&bar=2", "form_params"),
        ("http://mycompany.com/myapp.php?foo=1&bar=2", "http_with_port_80_added"),
    ],
)
def test_a_default_port_may_appear_in_either_the_signed_or_the_received_url(
    received_url: str, signed_vector: str
) -> None:
    vector = BY_NAME[signed_vector]
    assert verify(
        form_request(received_url, vector["params"], vector["expected_signature"]), "12345"
    )


def test_a_url_signed_for_https_does_not_verify_as_http() -> None:
    vector = BY_NAME["form_params"]
    url = vector["url"].replace("https://", "http://")
    assert not verify(form_request(url, vector["params"], vector["expected_signature"]), "12345")


def test_repeated_params_sign_each_distinct_value_sorted() -> None:
    vector = BY_NAME["duplicate_keys_sorted_dedup"]
    body = urlencode([tuple(pair) for pair in vector["params_multi"]]).encode()
    request = InboundRequest(
        body=body, headers={"x-twilio-signature": vector["expected_signature"]}, url=vector["url"]
    )
    assert verify(request, "12345")


def test_a_json_body_is_covered_by_the_body_sha256_in_the_signed_url() -> None:
    vector = BY_NAME["json_body_with_bodySHA256"]
    request = InboundRequest(
        body=vector["body"].encode(),
        headers={"x-twilio-signature": vector["expected_signature"]},
        url=vector["url"],
    )
    assert verify(request, "12345")


def test_a_json_body_changed_by_one_byte_fails_even_with_the_right_url_signature() -> None:
    vector = BY_NAME["json_body_with_bodySHA256"]
    request = InboundRequest(
        body=vector["body"].replace("value", "valuf").encode(),
        headers={"x-twilio-signature": vector["expected_signature"]},
        url=vector["url"],
    )
    assert not verify(request, "12345")


def test_a_param_value_changed_by_one_character_fails() -> None:
    vector = BY_NAME["form_params"]
    params = {**vector["params"], "Digits": "1235"}
    assert not verify(form_request(vector["url"], params, vector["expected_signature"]), "12345")


def test_an_extra_param_fails() -> None:
    vector = BY_NAME["form_params"]
    params = {**vector["params"], "Body": "hello"}
    assert not verify(form_request(vector["url"], params, vector["expected_signature"]), "12345")


def test_the_wrong_auth_token_fails() -> None:
    vector = BY_NAME["form_params"]
    request = form_request(vector["url"], vector["params"], vector["expected_signature"])
    assert not verify(request, "12346")


@pytest.mark.parametrize("signature", [None, "", "not-base64", "RSOYDt4T1cUTdK1PDd93/VVr8B8"])
def test_a_missing_empty_or_mangled_signature_fails(signature: str | None) -> None:
    vector = BY_NAME["form_params"]
    assert not verify(form_request(vector["url"], vector["params"], signature), "12345")


def test_an_empty_auth_token_verifies_nothing() -> None:
    signature = compute_signature(BASE_URL, {}, "")
    assert not verify(form_request(BASE_URL, {}, signature), "")


def test_a_get_webhook_is_signed_over_the_url_alone() -> None:
    url = BASE_URL + "&MessageSid=SM1&Body=Hi"
    request = InboundRequest(
        body=b"",
        headers={"X-Twilio-Signature": compute_signature(url, {}, "12345")},
        url=url,
        method="GET",
    )
    assert verify(request, "12345")
