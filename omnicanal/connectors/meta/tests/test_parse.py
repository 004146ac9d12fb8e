"""Messenger and Instagram bodies → typed events and command lines."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from omnicanal.connectors.base import IdentityKind, InboundMessage, InboundRequest, SenderIdentity
from omnicanal.connectors.meta.webhook import (
    instagram_events,
    messenger_events,
    parse_instagram,
    parse_messenger,
)
from omnicanal.connectors.webhooks import event_lines, to_parsed

FIXTURES = Path(__file__).parent / "fixtures"
PAGE, PSID = "106540352242922", "5732918406812345"
IG, IGSID = "17841400000000000", "6123456789012345"
CORPUS_TIME = datetime(2016, 3, 12, 6, 29, 57, 627000, tzinfo=UTC)
CONSTRUCTED_TIME = datetime(2024, 6, 10, 6, 13, 20, 123000, tzinfo=UTC)


def body(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def lines(name: str, channel: str = "messenger") -> list[dict[str, Any]]:
    parse_events = instagram_events if channel == "instagram" else messenger_events
    return event_lines(name, parse_events(body(name)))


def one_line(name: str, channel: str = "messenger") -> dict[str, Any]:
    [only] = lines(name, channel)
    return only


def message(name: str, channel: str = "messenger") -> InboundMessage:
    parse_events = instagram_events if channel == "instagram" else messenger_events
    parsed = to_parsed(parse_events(body(name)))
    [only] = parsed.messages
    return only


# --- the fbmessenger corpus ------------------------------------------------------------------


def test_a_text_message_uses_the_mid_and_page_scoped_ids_as_strings() -> None:
    assert one_line("fbmessenger/messenger_message.json") | {"file": None} == {
        "file": None,
        "kind": "message",
        "direction": "in",
        "external_id": "mid.1457764197618:41d102a3e1ae206a38",
        "from": "1234",
        "to": "1234",
        "text": "hello, world!",
        "attachments": [],
        "status": None,
        "provider_status": None,
        "timestamp": "2016-03-12T06:29:57.627000+00:00",
        "reply_to": None,
        "error": None,
    }
    text = message("fbmessenger/messenger_message.json")
    assert list(text.sender.identities) == [SenderIdentity(IdentityKind.MESSENGER, "1234")]
    assert text.sent_at == CORPUS_TIME
    assert text.raw["message"]["seq"] == 73


def test_a_delivery_is_a_delivered_status_per_mid() -> None:
    [update] = to_parsed(messenger_events(body("fbmessenger/messenger_delivery.json"))).updates
    assert (update.external_id, update.status, update.provider_status) == (
        "mid.1458668856218:ed81099e15d3f4f233",
        "delivered",
        "delivery",
    )
    assert (update.timestamp, update.recipient) == (CORPUS_TIME, "1234")
    status_line = one_line("fbmessenger/messenger_delivery.json")
    assert (status_line["kind"], status_line["direction"], status_line["from"]) == (
        "status",
        "out",
        "1234",
    )


def test_a_read_is_a_read_status_without_message_id_because_it_is_a_watermark() -> None:
    [update] = to_parsed(messenger_events(body("fbmessenger/messenger_read.json"))).updates
    assert (update.external_id, update.status, update.timestamp) == ("", "read", CORPUS_TIME)
    assert one_line("fbmessenger/messenger_read.json")["external_id"] is None


def test_a_postback_without_title_is_a_message_with_its_payload() -> None:
    postback = message("fbmessenger/messenger_postback.json")
    assert (postback.kind, postback.text, postback.external_id) == (
        "message",
        "USER_DEFINED_PAYLOAD",
        "",
    )
    assert postback.sent_at == CORPUS_TIME


@pytest.mark.parametrize(
    "name", ["fbmessenger/messenger_optin.json", "fbmessenger/messenger_account_linking.json"]
)
def test_optins_and_account_linking_are_ignored_with_a_reason(name: str) -> None:
    parsed = parse_messenger(InboundRequest(json.dumps(body(name)).encode(), {}, "https://x/"))
    assert not parsed.messages and not parsed.updates
    assert parsed.ignored_reason.startswith("a messenger ")
    assert one_line(name)["kind"] == "ignored"


# --- constructed from Meta's documentation ---------------------------------------------------


def test_a_quick_reply_is_a_message_with_the_visible_title() -> None:
    reply = message("constructed/messenger_quick_reply.json")
    assert (reply.kind, reply.text, reply.external_id) == ("message", "Track my order", "m_qr_001")


def test_a_postback_with_title_uses_the_title_and_mid() -> None:
    postback = message("constructed/messenger_postback_title.json")
    assert (postback.text, postback.external_id) == ("Talk to an agent", "m_pb_008")


def test_a_reply_points_at_the_quoted_mid() -> None:
    assert one_line("constructed/messenger_reply_to.json")["reply_to"] == "m_page_001"


def test_attachments_are_typed_and_keep_their_urls() -> None:
    attachments = one_line("constructed/messenger_attachments.json")["attachments"]
    assert [(a["type"], a["url_or_id"].rsplit("/", 1)[-1]) for a in attachments] == [
        ("image", "photo.jpg"),
        ("document", "invoice.pdf"),
        ("audio", "audioclip.mp4"),
        ("video", "clip.mp4"),
    ]
    assert message("constructed/messenger_attachments.json").text == ""


def test_the_like_button_is_a_sticker() -> None:
    [like] = message("constructed/messenger_like_sticker.json").attachments
    assert (like.type, like.url_or_id) == (
        "sticker",
        "https://scontent.xx.fbcdn.net/v/t39.1997-6/like.png",
    )


def test_a_location_is_a_geo_attachment() -> None:
    [place] = message("constructed/messenger_location.json").attachments
    assert (place.type, place.url_or_id, place.filename) == (
        "location",
        "geo:48.85837,2.294481",
        "Pinned Location",
    )


def test_a_shared_link_becomes_the_message_text() -> None:
    link = message("constructed/messenger_fallback_link.json")
    assert (link.kind, link.text, link.attachments) == (
        "message",
        "https://example.com/produit/42",
        [],
    )


def test_an_echo_is_an_outgoing_message_from_the_page_filed_under_the_customer() -> None:
    echo_line = one_line("constructed/messenger_echo.json")
    assert (echo_line["kind"], echo_line["direction"], echo_line["from"], echo_line["to"]) == (
        "message",
        "out",
        PAGE,
        PSID,
    )
    echo = message("constructed/messenger_echo.json")
    assert echo.is_outgoing_echo
    assert list(echo.sender.identities) == [SenderIdentity(IdentityKind.MESSENGER, PSID)]


def test_a_reaction_points_at_the_reacted_message_and_unreact_clears_the_emoji() -> None:
    reacted = message("constructed/messenger_reaction.json")
    assert (reacted.kind, reacted.text, reacted.thread.reply_to_external_id) == (
        "reaction",
        "\u2764\ufe0f",
        "m_page_001",
    )
    removed = message("constructed/messenger_unreaction.json")
    assert (removed.kind, removed.text, removed.thread.reply_to_external_id) == (
        "reaction",
        "",
        "m_page_001",
    )


def test_an_edit_carries_the_new_text_and_points_at_the_edited_message() -> None:
    edit_line = one_line("constructed/messenger_message_edit.json")
    assert (edit_line["kind"], edit_line["text"], edit_line["reply_to"]) == (
        "edit",
        "Yes, that one please",
        "m_reply_002",
    )


def test_a_delivery_of_several_mids_gives_one_status_each() -> None:
    status_lines = lines("constructed/messenger_delivery_many.json")
    assert [(x["external_id"], x["status"]) for x in status_lines] == [
        ("m_page_001", "delivered"),
        ("m_page_002", "delivered"),
    ]


def test_standby_messages_are_parsed_like_messaging_ones() -> None:
    assert message("constructed/messenger_standby.json").text == "Anyone there?"


def test_a_batch_keeps_event_order_and_drops_only_the_silent_events() -> None:
    batch = lines("constructed/messenger_batch.json")
    assert [(x["kind"], x["external_id"]) for x in batch] == [
        ("message", "m_batch_1"),
        ("status", None),
    ]


def test_an_unknown_messaging_event_is_unsupported_and_kept_raw() -> None:
    unknown = message("constructed/messenger_unknown_event.json")
    assert unknown.kind == "unsupported"
    assert unknown.raw["brand_new_event"] == {"foo": "bar"}
    assert unknown.sent_at == CONSTRUCTED_TIME


def test_page_feed_changes_are_ignored() -> None:
    assert one_line("constructed/page_feed_change.json")["kind"] == "ignored"


def test_instagram_messages_use_instagram_scoped_ids() -> None:
    text_line = one_line("constructed/instagram_message.json", "instagram")
    assert (text_line["from"], text_line["to"], text_line["reply_to"]) == (
        IGSID,
        IG,
        "aWdfZAG1faXRlbTow",
    )
    text = message("constructed/instagram_message.json", "instagram")
    assert list(text.sender.identities) == [SenderIdentity(IdentityKind.INSTAGRAM, IGSID)]


def test_the_body_object_decides_the_identity_kind_whatever_the_inbox() -> None:
    misfiled = message("constructed/instagram_message.json", "messenger")
    assert misfiled.sender.identities[0].kind == IdentityKind.INSTAGRAM


def test_an_instagram_unsend_is_a_delete_of_that_mid() -> None:
    deleted_line = one_line("constructed/instagram_deleted.json", "instagram")
    assert (deleted_line["kind"], deleted_line["reply_to"]) == ("delete", "aWdfZAG1faXRlbTox")


def test_instagram_unsupported_content_is_unsupported() -> None:
    assert one_line("constructed/instagram_unsupported.json", "instagram")["kind"] == "unsupported"


def test_an_instagram_story_mention_shows_its_link() -> None:
    mention = message("constructed/instagram_story_mention.json", "instagram")
    assert mention.text == "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=2"


def test_an_instagram_read_names_the_message_read() -> None:
    read_line = one_line("constructed/instagram_read.json", "instagram")
    assert (read_line["kind"], read_line["external_id"], read_line["status"]) == (
        "status",
        "aWdfZAG1faXRlbTo1",
        "read",
    )


def test_an_instagram_echo_is_outgoing() -> None:
    echo_line = one_line("constructed/instagram_echo.json", "instagram")
    assert (echo_line["direction"], echo_line["from"], echo_line["to"]) == ("out", IG, IGSID)


def test_an_instagram_image_is_an_image_attachment() -> None:
    [image] = message("constructed/instagram_image.json", "instagram").attachments
    assert image.type == "image"


@pytest.mark.parametrize(
    "payload",
    [None, "text", [], {"object": "whatsapp_business_account", "entry": []}, {"entry": []}],
)
def test_bodies_with_nothing_to_ingest_are_ignored(payload: Any) -> None:
    parsed = to_parsed(messenger_events(payload))
    assert not parsed.messages and not parsed.updates and parsed.ignored_reason


def test_a_request_that_is_not_json_is_ignored() -> None:
    assert parse_instagram(InboundRequest(b"<html>", {}, "https://x/")).ignored_reason
