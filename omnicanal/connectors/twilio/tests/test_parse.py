"""Twilio SMS/WhatsApp bodies (constructed from the documented fields) → typed events."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from omnicanal.connectors.base import (
    DeliveryUpdate,
    IdentityKind,
    InboundMessage,
    InboundRequest,
    SenderIdentity,
)
from omnicanal.connectors.twilio.webhook import address, events, parse, parse_fields
from omnicanal.connectors.webhooks import UnmappedStatus, event_lines

FIXTURES = Path(__file__).parent / "fixtures" / "constructed"
MEDIA = "https://api.twilio.com/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages"


def fields(name: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((FIXTURES / name).read_text())
    return data


def message(name: str) -> InboundMessage:
    parsed = parse_fields(fields(name))
    assert not parsed.updates
    [only] = parsed.messages
    return only


def update(name: str) -> DeliveryUpdate:
    parsed = parse_fields(fields(name))
    assert not parsed.messages
    [only] = parsed.updates
    return only


def line(name: str) -> dict[str, Any]:
    [only] = event_lines(name, events(fields(name)))
    return only


def test_an_sms_gives_its_sid_text_and_sender_phone() -> None:
    sms = message("sms_inbound.json")
    assert sms.external_id == "SM00000000000000000000000000000001"
    assert sms.text == "Bonjour, ma commande n'est pas arrivée."
    assert sms.kind == "message"
    assert list(sms.sender.identities) == [SenderIdentity(IdentityKind.PHONE, "+33612345678")]
    assert sms.raw["AccountSid"] == "AC0123456789abcdef0123456789abcdef"
    assert sms.sent_at is None  # Twilio does not say when


def test_an_sms_line_has_e164_from_and_our_number_as_to() -> None:
    assert line("sms_inbound.json") | {"file": None} == {
        "file": None,
        "kind": "message",
        "direction": "in",
        "external_id": "SM00000000000000000000000000000001",
        "from": "+33612345678",
        "to": "+14155238886",
        "text": "Bonjour, ma commande n'est pas arrivée.",
        "attachments": [],
        "status": None,
        "provider_status": None,
        "timestamp": None,
        "reply_to": None,
        "error": None,
    }


def test_mms_media_keep_order_urls_and_content_types() -> None:
    mms = message("mms_inbound.json")
    assert mms.external_id == "MM00000000000000000000000000000002"
    assert [(a.type, a.url_or_id, a.mime_type) for a in mms.attachments] == [
        (
            "image",
            f"{MEDIA}/MM00000000000000000000000000000002/Media/ME00000000000000000000000000000014",
            "image/jpeg",
        ),
        (
            "document",
            f"{MEDIA}/MM00000000000000000000000000000002/Media/ME00000000000000000000000000000015",
            "application/pdf",
        ),
    ]


def test_a_whatsapp_sender_is_a_whatsapp_and_a_phone_identity_with_profile_name() -> None:
    text = message("whatsapp_text.json")
    assert text.text == "Hola, ¿dónde está mi pedido?"
    assert text.sender.name == "Lucía Fernández"
    assert list(text.sender.identities) == [
        SenderIdentity(IdentityKind.WHATSAPP, "+34612345678"),
        SenderIdentity(IdentityKind.PHONE, "+34612345678"),
    ]
    assert (line("whatsapp_text.json")["from"], line("whatsapp_text.json")["to"]) == (
        "+34612345678",
        "+14155238886",
    )


def test_a_whatsapp_reply_points_at_the_quoted_message() -> None:
    reply = message("whatsapp_reply.json")
    assert reply.thread.reply_to_external_id == "SM00000000000000000000000000000063"
    assert line("whatsapp_reply.json")["reply_to"] == "SM00000000000000000000000000000063"


def test_a_button_reply_is_a_message_with_the_visible_button_text() -> None:
    button = message("whatsapp_button.json")
    assert button.kind == "message"
    assert button.text == "Oui, je confirme"
    assert button.thread.reply_to_external_id == "MM00000000000000000000000000000062"


def test_a_button_reply_without_body_falls_back_to_button_text_not_payload() -> None:
    body = {**fields("whatsapp_button.json"), "Body": ""}
    [button] = parse_fields(body).messages
    assert button.text == "Oui, je confirme"


@pytest.mark.parametrize(
    ("name", "kind", "mime"),
    [
        ("whatsapp_image.json", "image", "image/jpeg"),
        ("whatsapp_voice.json", "audio", "audio/ogg"),
        ("whatsapp_sticker.json", "sticker", "image/webp"),
        ("whatsapp_contact.json", "contact", "text/vcard"),
    ],
)
def test_whatsapp_media_are_typed_from_content_type_and_message_type(
    name: str, kind: str, mime: str
) -> None:
    [attachment] = message(name).attachments
    assert (attachment.type, attachment.mime_type) == (kind, mime)
    assert attachment.url_or_id.startswith(f"{MEDIA}/MM")


def test_a_whatsapp_location_becomes_a_geo_attachment_labelled_with_place() -> None:
    located = message("whatsapp_location.json")
    [place] = located.attachments
    assert place.type == "location"
    assert place.url_or_id == "geo:48.85837,2.294481"
    assert place.filename == "Tour Eiffel, Champ de Mars, 5 Av. Anatole France, 75007 Paris"
    assert located.text == ""
    assert located.kind == "message"


def test_whatsapp_content_twilio_cannot_relay_is_unsupported_and_kept() -> None:
    unsupported = message("whatsapp_unsupported.json")
    assert unsupported.kind == "unsupported"
    assert unsupported.external_id == "SM0000000000000000000000000000000b"
    assert unsupported.raw["MessageType"] == "unsupported"


@pytest.mark.parametrize(
    ("name", "status", "provider_status", "error"),
    [
        ("status_sent.json", "sent", "sent", ""),
        ("status_delivered.json", "delivered", "delivered", ""),
        ("status_whatsapp_read.json", "read", "read", ""),
        ("status_failed.json", "failed", "failed", "30008"),
        (
            "status_undelivered.json",
            "undelivered",
            "undelivered",
            "30003: Unreachable destination handset",
        ),
    ],
)
def test_status_callbacks_map_to_delivery_updates(
    name: str, status: str, provider_status: str, error: str
) -> None:
    result = update(name)
    assert (result.status, result.provider_status, result.error) == (status, provider_status, error)
    assert result.external_id == fields(name)["MessageSid"]
    assert result.recipient == address(fields(name)["To"])


def test_a_whatsapp_status_line_strips_the_channel_prefix() -> None:
    assert line("status_whatsapp_read.json") | {"file": None} == {
        "file": None,
        "kind": "status",
        "direction": "out",
        "external_id": "SM0000000000000000000000000000002a",
        "from": "+14155238886",
        "to": "+34612345678",
        "text": None,
        "attachments": [],
        "status": "read",
        "provider_status": "read",
        "timestamp": None,
        "reply_to": None,
        "error": None,
    }


@pytest.mark.parametrize("provider_status", ["queued", "accepted", "scheduled", "sending"])
def test_pre_send_statuses_are_reported_unmapped_and_update_nothing(provider_status: str) -> None:
    body = {**fields("status_queued.json"), "MessageStatus": provider_status}
    [event] = events(body)
    assert event.item == UnmappedStatus("SM00000000000000000000000000000028", provider_status)
    parsed = parse_fields(body)
    assert not parsed.messages and not parsed.updates
    assert provider_status in parsed.ignored_reason
    [status_line] = event_lines("f", [event])
    assert (status_line["kind"], status_line["status"], status_line["provider_status"]) == (
        "status",
        None,
        provider_status,
    )


def test_a_voice_call_webhook_is_ignored() -> None:
    parsed = parse_fields(fields("voice_call.json"))
    assert not parsed.messages and not parsed.updates
    assert "voice call" in parsed.ignored_reason
    assert line("voice_call.json")["kind"] == "ignored"


@pytest.mark.parametrize("payload", [{}, [], "MessageSid=SM1", None, {"Body": "no sid"}])
def test_a_body_without_a_message_is_ignored_never_an_error(payload: Any) -> None:
    [event] = events(payload)
    assert event_lines("f", [event])[0]["kind"] == "ignored"


def test_a_form_encoded_request_parses_like_its_fields() -> None:
    body = urlencode(fields("whatsapp_image.json")).encode()
    request = InboundRequest(body=body, headers={}, url="https://example.com/hooks/twilio")
    assert parse(request) == parse_fields(fields("whatsapp_image.json"))


def test_the_older_sms_sid_field_is_an_external_id_too() -> None:
    body = {k: v for k, v in fields("sms_inbound.json").items() if k != "MessageSid"}
    body.pop("SmsMessageSid")
    [sms] = parse_fields(body).messages
    assert sms.external_id == "SM00000000000000000000000000000001"


def test_short_codes_and_alphanumeric_senders_stay_as_given() -> None:
    assert address("12345") == "12345"
    assert address("ACME") == "ACME"
    assert address("whatsapp:+34 612 34 56 78") == "+34612345678"
