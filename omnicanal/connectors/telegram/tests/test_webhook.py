"""Telegram: the secret-token check, and Updates → typed events and command lines."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from omnicanal.connectors.base import IdentityKind, InboundMessage, InboundRequest, SenderIdentity
from omnicanal.connectors.telegram.webhook import events, parse, parse_payload, verify
from omnicanal.connectors.webhooks import event_lines

FIXTURES = Path(__file__).parent / "fixtures"
GUIDE = FIXTURES / "official_webhook_guide_examples"
CONSTRUCTED = FIXTURES / "constructed"
GUIDE_TIME = "2015-09-07T17:05:32+00:00"
SENT = datetime(2024, 6, 10, 6, 13, 20, tzinfo=UTC)


def update(path: Path) -> Any:
    return json.loads(path.read_text())


def one_line(path: Path) -> dict[str, Any]:
    [only] = event_lines(path.name, events(update(path)))
    return only


def message(path: Path) -> InboundMessage:
    parsed = parse_payload(update(path))
    assert not parsed.updates
    [only] = parsed.messages
    return only


# --- verification ----------------------------------------------------------------------------


def request(token: str | None) -> InboundRequest:
    headers = {"x-telegram-bot-api-secret-token": token} if token is not None else {}
    body = (GUIDE / "02_message_text.json").read_bytes()
    return InboundRequest(body=body, headers=headers, url="https://help.example.com/hooks/tg")


def test_the_secret_token_header_must_equal_the_secret() -> None:
    assert verify(request("Sup3r_s3cret-token"), "Sup3r_s3cret-token")


@pytest.mark.parametrize(
    "token", [None, "", "Sup3r_s3cret-tokeN", "Sup3r_s3cret-token ", "Sup3r_s3cret"]
)
def test_a_missing_or_different_token_fails(token: str | None) -> None:
    assert not verify(request(token), "Sup3r_s3cret-token")


def test_without_a_configured_secret_nothing_verifies() -> None:
    assert not verify(request(""), "")


# --- the official guide's 13 examples ---------------------------------------------------------

GUIDE_KINDS = {
    "01_message_text_curl_intro.json": "message",
    "02_message_text.json": "message",
    "03_forwarded_message.json": "message",
    "04_forwarded_channel_message.json": "message",
    "05_message_with_reply.json": "message",
    "06_edited_message.json": "edit",
    "07_message_with_entities.json": "message",
    "08_message_with_audio.json": "message",
    "09_voice_message.json": "message",
    "10_message_with_document.json": "message",
    "11_inline_query.json": "ignored",
    "12_chosen_inline_result.json": "ignored",
    "13_callback_query.json": "message",
}


def test_the_kind_table_covers_every_guide_example() -> None:
    assert {p.name for p in GUIDE.glob("*.json")} == set(GUIDE_KINDS)


@pytest.mark.parametrize("name", sorted(GUIDE_KINDS))
def test_each_guide_example_gives_one_line_of_its_kind(name: str) -> None:
    assert one_line(GUIDE / name)["kind"] == GUIDE_KINDS[name]


def test_a_bot_command_is_a_message_whose_external_id_is_chat_and_message_id() -> None:
    assert one_line(GUIDE / "02_message_text.json") | {"file": None} == {
        "file": None,
        "kind": "message",
        "direction": "in",
        "external_id": "1111111:1365",
        "from": "1111111",
        "to": "1111111",
        "text": "/start",
        "attachments": [],
        "status": None,
        "provider_status": None,
        "timestamp": GUIDE_TIME,
        "reply_to": None,
        "error": None,
    }
    command = message(GUIDE / "02_message_text.json")
    assert command.sender.name == "Test Firstname Test Lastname"
    assert list(command.sender.identities) == [SenderIdentity(IdentityKind.TELEGRAM, "1111111")]
    assert command.raw["update_id"] == 10000


@pytest.mark.parametrize("name", ["03_forwarded_message.json", "04_forwarded_channel_message.json"])
def test_a_forwarded_message_is_from_whoever_forwarded_it(name: str) -> None:
    forwarded = one_line(GUIDE / name)
    assert (forwarded["from"], forwarded["external_id"], forwarded["text"]) == (
        "1111111",
        "1111111:1365",
        "/start",
    )


def test_a_reply_points_at_the_replied_message_in_its_own_chat() -> None:
    assert one_line(GUIDE / "05_message_with_reply.json")["reply_to"] == "1111112:1334"


def test_an_edit_keeps_the_message_id_and_takes_the_time_of_the_edit() -> None:
    edit = one_line(GUIDE / "06_edited_message.json")
    assert (edit["kind"], edit["external_id"], edit["text"], edit["timestamp"]) == (
        "edit",
        "1111111:1365",
        "Edited text",
        "2015-09-07T17:23:20+00:00",
    )
    assert edit["reply_to"] == "1111111:1365"  # the message it changes


def test_entities_do_not_change_the_plain_text() -> None:
    assert message(GUIDE / "07_message_with_entities.json").text == "Bold and italics"


@pytest.mark.parametrize(
    ("name", "attachment"),
    [
        ("08_message_with_audio.json", ("audio", "AwADBAADbXXXXXXXXXXXGBdhD2l6_XX", "audio/mpeg")),
        ("09_voice_message.json", ("audio", "AwADBAADbXXXXXXXXXXXGBdhD2l6_XX", "audio/ogg")),
        (
            "10_message_with_document.json",
            ("document", "AwADBAADbXXXXXXXXXXXGBdhD2l6_XX", "application/pdf"),
        ),
    ],
)
def test_files_keep_their_file_id_and_mime_type(name: str, attachment: tuple[str, ...]) -> None:
    parsed = message(GUIDE / name)
    assert [(a.type, a.url_or_id, a.mime_type) for a in parsed.attachments] == [attachment]
    assert (parsed.text, parsed.kind) == ("", "message")


def test_a_document_keeps_its_file_name() -> None:
    [document] = message(GUIDE / "10_message_with_document.json").attachments
    assert document.filename == "Testfile.pdf"


@pytest.mark.parametrize("name", ["11_inline_query.json", "12_chosen_inline_result.json"])
def test_inline_mode_updates_are_ignored_with_a_reason(name: str) -> None:
    parsed = parse_payload(update(GUIDE / name))
    assert not parsed.messages and "inline" in parsed.ignored_reason


def test_a_callback_query_is_a_message_with_the_query_id_and_its_data_when_no_keyboard() -> None:
    callback = one_line(GUIDE / "13_callback_query.json")
    assert (callback["kind"], callback["external_id"], callback["from"]) == (
        "message",
        "4382bfdwdsb323b2d9",
        "1111111",
    )
    assert callback["text"] == "Data from button callback"
    assert callback["reply_to"] == "1234csdbsk4839"  # the inline message it was attached to
    assert (callback["to"], callback["timestamp"]) == (None, None)


# --- constructed from the Bot API reference ---------------------------------------------------


def test_a_callback_query_shows_the_visible_button_text_when_the_keyboard_is_known() -> None:
    callback = one_line(CONSTRUCTED / "callback_query_with_keyboard.json")
    assert (callback["text"], callback["external_id"], callback["reply_to"], callback["to"]) == (
        "⭐⭐⭐⭐⭐ 5",
        "1822079546351893417",
        "424242424:300",
        "424242424",
    )


def test_a_photo_is_its_largest_size_with_the_caption_as_text() -> None:
    photo = message(CONSTRUCTED / "photo.json")
    assert photo.text == "Le colis est abîmé"
    assert [(a.type, a.url_or_id) for a in photo.attachments] == [
        ("image", "AgACAgQAAxkBAAIBZWZ_large")
    ]
    assert photo.sent_at == SENT


@pytest.mark.parametrize(
    ("name", "kind", "file_id", "mime"),
    [
        ("sticker.json", "sticker", "CAACAgIAAxkBAAIBZ2Z_sticker", ""),
        ("video.json", "video", "BAACAgQAAxkBAAIBaGZ_video", "video/mp4"),
        ("video_note.json", "video", "DQACAgQAAxkBAAIBaWZ_note", ""),
        ("animation.json", "video", "CgACAgQAAxkBAAIBamZ_gif", "video/mp4"),
    ],
)
def test_media_types_map_to_attachment_types(name: str, kind: str, file_id: str, mime: str) -> None:
    [attachment] = message(CONSTRUCTED / name).attachments  # an animation is not also a document
    assert (attachment.type, attachment.url_or_id, attachment.mime_type) == (kind, file_id, mime)


def test_a_location_and_a_venue_are_geo_attachments() -> None:
    [point] = message(CONSTRUCTED / "location.json").attachments
    [venue] = message(CONSTRUCTED / "venue.json").attachments
    assert (point.type, point.url_or_id) == ("location", "geo:48.85837,2.294481")
    assert (venue.url_or_id, venue.filename) == (
        "geo:48.85837,2.294481",
        "Tour Eiffel, Champ de Mars, 75007 Paris",
    )


def test_a_contact_is_a_card_with_e164_number_and_its_vcard() -> None:
    [card] = message(CONSTRUCTED / "contact.json").attachments
    assert (card.type, card.url_or_id, card.filename, card.mime_type) == (
        "contact",
        "tel:+33612345678",
        "Paul Durand",
        "text/vcard",
    )
    assert card.content is not None and card.content.startswith(b"BEGIN:VCARD")


def test_a_group_message_is_to_the_group_from_the_user() -> None:
    group = one_line(CONSTRUCTED / "group_reply.json")
    assert (group["from"], group["to"], group["external_id"], group["reply_to"]) == (
        "424242424",
        "-1001234567890",
        "-1001234567890:2001",
        "-1001234567890:1999",
    )


def test_a_channel_post_without_sender_is_from_the_channel() -> None:
    post = one_line(CONSTRUCTED / "channel_post.json")
    assert (post["kind"], post["from"], post["to"], post["external_id"]) == (
        "message",
        "-1009876543210",
        "-1009876543210",
        "-1009876543210:55",
    )
    assert message(CONSTRUCTED / "channel_post.json").sender.name == "Annonces"


def test_an_edited_channel_post_is_an_edit_of_that_post() -> None:
    edit = one_line(CONSTRUCTED / "edited_channel_post.json")
    assert (edit["kind"], edit["text"], edit["timestamp"], edit["reply_to"]) == (
        "edit",
        "Maintenance ce soir à 23h",
        "2024-06-10T06:15:20+00:00",
        "-1009876543210:55",
    )


def test_a_reaction_points_at_the_message_and_an_empty_one_removes_it() -> None:
    added = one_line(CONSTRUCTED / "message_reaction.json")
    removed = one_line(CONSTRUCTED / "message_reaction_removed.json")
    assert (added["kind"], added["text"], added["reply_to"], added["from"]) == (
        "reaction",
        "👍",
        "424242424:300",
        "424242424",
    )
    assert (removed["kind"], removed["text"], removed["reply_to"]) == (
        "reaction",
        None,
        "424242424:300",
    )


def test_deleted_business_messages_are_one_delete_each() -> None:
    deleted = event_lines("d", events(update(CONSTRUCTED / "deleted_business_messages.json")))
    assert [(x["kind"], x["reply_to"]) for x in deleted] == [
        ("delete", "424242424:110"),
        ("delete", "424242424:111"),
    ]


def test_a_poll_is_unsupported_but_kept() -> None:
    poll = message(CONSTRUCTED / "poll_message.json")
    assert (poll.kind, poll.external_id) == ("unsupported", "424242424:109")
    assert poll.raw["message"]["poll"]["question"] == "Quel créneau ?"


@pytest.mark.parametrize("name", ["new_chat_members.json", "my_chat_member_blocked.json"])
def test_membership_changes_are_ignored(name: str) -> None:
    parsed = parse_payload(update(CONSTRUCTED / name))
    assert not parsed.messages and parsed.ignored_reason


def test_an_unknown_update_type_is_unsupported_and_kept_raw() -> None:
    unknown = message(CONSTRUCTED / "unknown_update_type.json")
    assert (unknown.kind, unknown.external_id) == ("unsupported", "update:900000019")
    assert unknown.raw["brand_new_update"]["something"] == "new"


@pytest.mark.parametrize("payload", [None, [], "x", {}, {"update_id": 1}])
def test_bodies_with_nothing_to_ingest_are_ignored(payload: Any) -> None:
    parsed = parse_payload(payload)
    assert not parsed.messages and not parsed.updates and parsed.ignored_reason


def test_parsing_the_request_equals_parsing_its_update() -> None:
    raw = (GUIDE / "09_voice_message.json").read_bytes()
    request = InboundRequest(body=raw, headers={}, url="https://x/")
    assert parse(request) == parse_payload(json.loads(raw))
    assert parse(InboundRequest(body=b"{", headers={}, url="https://x/")).ignored_reason
