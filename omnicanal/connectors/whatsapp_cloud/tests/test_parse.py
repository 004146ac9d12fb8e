"""WhatsApp Cloud API bodies (pywa's fixtures) → typed events and command lines."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from omnicanal.connectors.base import (
    DeliveryUpdate,
    IdentityKind,
    InboundMessage,
    InboundRequest,
    SenderIdentity,
)
from omnicanal.connectors.webhooks import event_lines
from omnicanal.connectors.whatsapp_cloud.webhook import events, parse, parse_payload

UPDATES = Path(__file__).parent / "fixtures" / "pywa_updates"


def payload(file: str, key: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((UPDATES / file).read_text())[key]
    return data


def message(file: str, key: str) -> InboundMessage:
    parsed = parse_payload(payload(file, key))
    assert not parsed.updates
    [only] = parsed.messages
    return only


def line(file: str, key: str) -> dict[str, Any]:
    [only] = event_lines(f"{file}:{key}", events(payload(file, key)))
    return only


# Every payload in the corpus, with the kind it must parse to. The table must stay complete.
EXPECTED_KINDS = {
    ("message.json", "text"): "message",
    ("message.json", "image"): "message",
    ("message.json", "media_with_url"): "message",
    ("message.json", "video"): "message",
    ("message.json", "document"): "message",
    ("message.json", "audio"): "message",
    ("message.json", "voice"): "message",
    ("message.json", "static_sticker"): "message",
    ("message.json", "animated_sticker"): "message",
    ("message.json", "reaction"): "reaction",
    ("message.json", "unreaction_empty"): "reaction",
    ("message.json", "unreaction_no_emoji"): "reaction",
    ("message.json", "current_location"): "message",
    ("message.json", "chosen_location"): "message",
    ("message.json", "contacts"): "message",
    ("message.json", "order"): "message",
    ("message.json", "unsupported"): "unsupported",
    ("message.json", "unsupported_with_type"): "unsupported",
    ("message.json", "reply"): "message",
    ("message.json", "forwarded"): "message",
    ("message.json", "forwarded_many_times"): "message",
    ("message.json", "interactive_message_with_err"): "unsupported",
    ("message.json", "referral"): "message",
    ("callback_button.json", "button"): "message",
    ("callback_button.json", "quick_reply"): "message",
    ("callback_button.json", "quick_reply_without_context"): "message",
    ("callback_selection.json", "callback"): "message",
    ("callback_selection.json", "description"): "message",
    ("edited_message.json", "image"): "edit",
    ("deleted_message.json", "revoke"): "delete",
    ("message_status.json", "sent"): "status",
    ("message_status.json", "delivered"): "status",
    ("message_status.json", "read"): "status",
    ("message_status.json", "played"): "status",
    ("message_status.json", "failed"): "status",
    ("message_status.json", "with_tracker"): "status",
    ("message_status.json", "group"): "status",
}


def test_the_kind_table_covers_every_payload_in_the_corpus() -> None:
    in_corpus = {
        (path.name, key) for path in UPDATES.glob("*.json") for key in json.loads(path.read_text())
    }
    assert in_corpus == set(EXPECTED_KINDS)


@pytest.mark.parametrize(("file", "key"), list(EXPECTED_KINDS), ids="/".join)
def test_each_corpus_payload_gives_one_line_of_its_kind(file: str, key: str) -> None:
    assert line(file, key)["kind"] == EXPECTED_KINDS[(file, key)]


def test_a_text_message_gives_ids_addresses_text_and_time() -> None:
    text = message("message.json", "text")
    assert text.external_id == "wamid.xyzxyz"
    assert text.text == "Body Text"
    assert text.sent_at == datetime(2023, 10, 11, 16, 53, 43, tzinfo=UTC)
    assert text.sender.name == "Test Name"
    assert list(text.sender.identities) == [
        SenderIdentity(IdentityKind.WHATSAPP, "+972987654321"),
        SenderIdentity(IdentityKind.PHONE, "+972987654321"),
    ]
    assert text.raw["text"] == {"body": "Body Text"}
    assert line("message.json", "text") | {"file": None} == {
        "file": None,
        "kind": "message",
        "direction": "in",
        "external_id": "wamid.xyzxyz",
        "from": "+972987654321",
        "to": "+972123456789",
        "text": "Body Text",
        "attachments": [],
        "status": None,
        "provider_status": None,
        "timestamp": "2023-10-11T16:53:43+00:00",
        "reply_to": None,
        "error": None,
    }


@pytest.mark.parametrize(
    ("key", "attachment", "caption"),
    [
        ("image", ("image", "65463453", "image/jpeg"), ""),
        ("media_with_url", ("image", "65463453", "image/jpeg"), ""),
        ("video", ("video", "765756756", "video/mp4"), "caption"),
        ("document", ("document", "1234567890987654321", "application/pdf"), "caption"),
        ("audio", ("audio", "1234567890987654321", "audio/ogg; codecs=opus"), ""),
        ("voice", ("audio", "1234567890987654321", "audio/ogg; codecs=opus"), ""),
        ("static_sticker", ("sticker", "1234567890987654321", "image/webp"), ""),
        ("animated_sticker", ("sticker", "1234567890987654321", "image/webp"), ""),
    ],
)
def test_media_keep_the_media_id_mime_type_and_caption(
    key: str, attachment: tuple[str, str, str], caption: str
) -> None:
    media = message("message.json", key)
    assert [(a.type, a.url_or_id, a.mime_type) for a in media.attachments] == [attachment]
    assert media.text == caption


def test_a_document_keeps_its_filename() -> None:
    [document] = message("message.json", "document").attachments
    assert document.filename == "filename.pdf"


def test_locations_become_geo_uris_with_the_place_as_label() -> None:
    [current] = message("message.json", "current_location").attachments
    [chosen] = message("message.json", "chosen_location").attachments
    assert (current.type, current.url_or_id, current.filename) == (
        "location",
        "geo:12.25089,43.90539",
        "",
    )
    assert (chosen.url_or_id, chosen.filename) == (
        "geo:37.4611978,-122.2164385",
        "Facebook HQ, 1 Hacker Way, Menlo Park, CA 94025",
    )


def test_shared_contacts_become_contact_cards_with_e164_numbers() -> None:
    cards = message("message.json", "contacts").attachments
    assert [(c.type, c.filename, c.url_or_id) for c in cards] == [
        ("contact", "Chandler Bing", "tel:+15555555555"),
        ("contact", "Monica", "tel:+16666666666"),
        ("contact", "Rachel Green", "tel:+17777777777"),
    ]


def test_a_reaction_points_at_the_reacted_message() -> None:
    reaction = message("message.json", "reaction")
    assert (reaction.kind, reaction.text) == ("reaction", "\N{FACE WITH OPEN MOUTH}")
    assert reaction.thread.reply_to_external_id == "wamid.yzxyzx="
    assert line("message.json", "reaction")["reply_to"] == "wamid.yzxyzx="


@pytest.mark.parametrize("key", ["unreaction_empty", "unreaction_no_emoji"])
def test_a_reaction_without_emoji_is_a_removed_reaction(key: str) -> None:
    removed = message("message.json", key)
    assert (removed.kind, removed.text) == ("reaction", "")
    assert removed.thread.reply_to_external_id == "wamid.yzxyzx="


@pytest.mark.parametrize(
    ("file", "key", "external_id", "reply_to"),
    [
        ("callback_button.json", "button", "wamid.xyzxyz", "wamid.xyzxyz"),
        ("callback_button.json", "quick_reply", "wamid.xsidjw", "wamid.xyzxyz=="),
        ("callback_button.json", "quick_reply_without_context", "wamid.xsidjx", ""),
        ("callback_selection.json", "callback", "wamid.zyzxyz", "wamid.xyzxyz"),
        ("callback_selection.json", "description", "wamid.zyzxyz", "wamid.xyzxyz"),
    ],
)
def test_button_and_list_replies_are_messages_with_the_visible_title(
    file: str, key: str, external_id: str, reply_to: str
) -> None:
    chosen = message(file, key)
    assert (chosen.kind, chosen.text) == ("message", "title")  # not "callback_data"
    assert chosen.external_id == external_id
    assert chosen.thread.reply_to_external_id == reply_to


def test_a_reply_points_at_the_quoted_message_but_a_forward_does_not() -> None:
    assert message("message.json", "reply").thread.reply_to_external_id == "wamid.xyzxyz=="
    assert message("message.json", "forwarded").thread.reply_to_external_id == ""
    assert message("message.json", "forwarded_many_times").text == "text forwarded many times"


def test_an_ad_referral_message_keeps_its_text() -> None:
    referred = message("message.json", "referral")
    assert (referred.external_id, referred.text) == ("wamid.ID", "BODY")
    assert referred.raw["referral"]["ctwa_clid"] == "CTWA_CLID"


def test_an_edit_refers_to_the_original_and_carries_the_new_content() -> None:
    edit = message("edited_message.json", "image")
    assert edit.kind == "edit"
    assert edit.external_id == "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA="
    assert edit.thread.reply_to_external_id == (
        "wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA="
    )
    assert edit.text == "Updated image caption"
    assert [(a.type, a.url_or_id) for a in edit.attachments] == [("image", "1234567890")]
    assert (
        line("edited_message.json", "image")["from"],
        line("edited_message.json", "image")["to"],
    ) == (
        "+16505551234",
        "+15550783881",
    )
    assert edit.sent_at == datetime(2025, 6, 13, 22, 42, 55, tzinfo=UTC)


def test_a_revoke_is_a_delete_and_non_phone_placeholders_stay_as_given() -> None:
    assert line("deleted_message.json", "revoke") | {"file": None} == {
        "file": None,
        "kind": "delete",
        "direction": "in",
        "external_id": "<WHATSAPP_MESSAGE_ID>",
        "from": "<WHATSAPP_USER_PHONE_NUMBER>",
        "to": "<BUSINESS_DISPLAY_PHONE_NUMBER>",
        "text": None,
        "attachments": [],
        "status": None,
        "provider_status": None,
        "timestamp": "2023-10-11T16:53:43+00:00",
        "reply_to": "<ORIGINAL_WHATSAPP_MESSAGE_ID>",
        "error": None,
    }


def test_an_order_is_a_message_summarising_its_items() -> None:
    order = message("message.json", "order")
    assert order.text.splitlines() == [
        "Order from catalog 354160437058781:",
        "- 3 x HAMBURGER at 30 ILS",
        "- 2 x FRENCH_FRIES at 35 ILS",
        "- 2 x SODA at 10 ILS",
    ]
    assert order.raw["order"]["catalog_id"] == "354160437058781"


@pytest.mark.parametrize("key", ["unsupported", "unsupported_with_type"])
def test_unsupported_content_is_kept_raw_with_its_id(key: str) -> None:
    unsupported = message("message.json", key)
    assert unsupported.kind == "unsupported"
    assert unsupported.external_id == "wamid.xyzxyz"
    assert unsupported.raw["errors"][0]["code"] == 131051
    assert unsupported.text == ""


def test_an_interactive_message_without_content_is_unsupported_and_keeps_its_context() -> None:
    broken = message("message.json", "interactive_message_with_err")
    assert broken.kind == "unsupported"
    assert broken.thread.reply_to_external_id == "wamid.gvwegfretge=="


@pytest.mark.parametrize(
    ("key", "status", "moment"),
    [
        ("sent", "sent", datetime(2023, 10, 25, 20, 49, 5, tzinfo=UTC)),
        ("delivered", "delivered", datetime(2023, 10, 25, 20, 49, 5, tzinfo=UTC)),
        ("read", "read", datetime(2023, 7, 15, 0, 20, 58, tzinfo=UTC)),
        ("played", "read", datetime(2023, 7, 15, 0, 20, 58, tzinfo=UTC)),
        ("failed", "failed", datetime(2023, 7, 15, 0, 20, 58, tzinfo=UTC)),
        ("with_tracker", "sent", datetime(2023, 10, 25, 20, 49, 5, tzinfo=UTC)),
    ],
)
def test_statuses_become_delivery_updates_keeping_the_provider_value(
    key: str, status: str, moment: datetime
) -> None:
    parsed = parse_payload(payload("message_status.json", key))
    assert not parsed.messages
    [update] = parsed.updates
    assert update == DeliveryUpdate(
        external_id="wamid.xyzxyz",
        status=status,  # type: ignore[arg-type]
        provider_status=payload("message_status.json", key)["entry"][0]["changes"][0]["value"][
            "statuses"
        ][0]["status"],
        error=update.error,
        timestamp=moment,
        recipient="+972987654321",
    )
    status_line = line("message_status.json", key)
    assert (status_line["from"], status_line["to"], status_line["direction"]) == (
        "+972123456789",
        "+972987654321",
        "out",
    )


def test_a_failed_status_carries_the_error_code_and_details() -> None:
    [update] = parse_payload(payload("message_status.json", "failed")).updates
    assert update.error == (
        "130472: User's number is part of an experiment (Failed to send message because this "
        "user's phone number is part of an experiment)"
    )


def test_a_group_status_keeps_the_group_id_as_recipient() -> None:
    status_line = line("message_status.json", "group")
    assert (status_line["external_id"], status_line["to"], status_line["status"]) == (
        "<WHATSAPP_MESSAGE_ID>",
        "fowefinoewcnw",
        "read",
    )


def test_a_status_with_no_delivery_meaning_is_reported_with_a_null_status() -> None:
    # Constructed: a status value outside the documented four (and "played").
    body = copy.deepcopy(payload("message_status.json", "sent"))
    body["entry"][0]["changes"][0]["value"]["statuses"][0]["status"] = "deleted"
    status_line = line_of(body)
    assert (status_line["kind"], status_line["status"], status_line["provider_status"]) == (
        "status",
        None,
        "deleted",
    )
    assert parse_payload(body).ignored_reason


def line_of(body: Any) -> dict[str, Any]:
    [only] = event_lines("constructed", events(body))
    return only


def with_message(extra: dict[str, Any]) -> dict[str, Any]:
    body = copy.deepcopy(payload("message.json", "text"))
    message_object = body["entry"][0]["changes"][0]["value"]["messages"][0]
    message_object.pop("text")
    message_object.update(extra)
    return body


def test_a_system_message_about_a_number_change_is_shown_as_text() -> None:
    # Constructed from Meta's documented "system" message.
    body = with_message(
        {
            "type": "system",
            "system": {
                "body": "Test Name changed from 972987654321 to 972987650000",
                "wa_id": "972987650000",
                "type": "user_changed_number",
            },
        }
    )
    assert line_of(body)["kind"] == "message"
    assert line_of(body)["text"] == "Test Name changed from 972987654321 to 972987650000"


def test_a_welcome_request_is_ignored() -> None:
    assert line_of(with_message({"type": "request_welcome"}))["kind"] == "ignored"


def test_an_unknown_message_type_is_unsupported_not_an_error() -> None:
    body = with_message({"type": "hologram", "hologram": {"id": "1"}})
    assert line_of(body)["kind"] == "unsupported"
    assert parse_payload(body).messages[0].raw["hologram"] == {"id": "1"}


def test_a_message_echo_from_the_business_app_is_outgoing() -> None:
    # Constructed from Meta's documented smb_message_echoes webhook (coexistence numbers).
    body = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "smb_message_echoes",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "15550783881",
                                "phone_number_id": "106540352242922",
                            },
                            "message_echoes": [
                                {
                                    "from": "15550783881",
                                    "to": "16505551234",
                                    "id": "wamid.ECHO1",
                                    "timestamp": "1749854575",
                                    "type": "text",
                                    "text": {"body": "Sent from the phone app"},
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }
    echo_line = line_of(body)
    assert (echo_line["kind"], echo_line["direction"]) == ("message", "out")
    assert (echo_line["from"], echo_line["to"]) == ("+15550783881", "+16505551234")
    [echo] = parse_payload(body).messages
    assert echo.is_outgoing_echo
    # ingest() files it under the customer it was sent to.
    assert echo.sender.identities[0] == SenderIdentity(IdentityKind.WHATSAPP, "+16505551234")


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        {"object": "page", "entry": []},
        {"object": "whatsapp_business_account", "entry": []},
        {
            "object": "whatsapp_business_account",
            "entry": [{"changes": [{"field": "account_update", "value": {"event": "X"}}]}],
        },
    ],
    ids=["null", "list", "other-object", "no-entries", "account-update"],
)
def test_bodies_with_nothing_to_ingest_are_ignored_with_a_reason(body: Any) -> None:
    parsed = parse_payload(body)
    assert not parsed.messages and not parsed.updates
    assert parsed.ignored_reason
    assert line_of(body)["kind"] == "ignored"


def test_a_request_body_that_is_not_json_is_ignored() -> None:
    request = InboundRequest(body=b"\xff not json", headers={}, url="https://x.example/wa")
    assert parse(request).ignored_reason


def test_parsing_the_request_equals_parsing_its_payload() -> None:
    raw = (UPDATES.parent / "signature_vector_body.json").read_bytes()
    parsed = parse(InboundRequest(body=raw, headers={}, url="https://x.example/wa"))
    assert parsed == parse_payload(json.loads(raw))
    assert parsed.messages[0].text == "Hey there! I am using PyWa."
    assert parsed.messages[0].sender.name == "PyWa Tests"
