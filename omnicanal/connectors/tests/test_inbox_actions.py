# ruff: noqa: F811 - the mail servers are fixtures imported here, named as parameters
"""The inbox actions behind Settings → Inboxes and /api/v1/inboxes: changing, disabling,
deleting, a new secret, and the buttons that really call out (send test, Telegram
setWebhook, e-mail test connection, against real servers and documented stubs)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from omnicanal.accounts.models import AuditLogEntry, User
from omnicanal.conftest import inbound
from omnicanal.connectors import actions
from omnicanal.connectors.api.adapter import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from omnicanal.connectors.tasks import send_message
from omnicanal.connectors.telegram.tests.stub import BOT_TOKEN, BotApiStub
from omnicanal.conversations.actions import reply
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Attachment, Conversation, DeliveryStatus, Inbox
from omnicanal.core.exceptions import Conflict, InvalidInput, PermissionDenied
from omnicanal.testing.mail_servers import (  # noqa: F401 - fixtures
    SMTP_PASSWORD,
    SMTP_USERNAME,
    Dovecot,
    SmtpRecorder,
    dovecot,
    smtp_server,
)
from omnicanal.testing.webhook_receiver import WebhookReceiver

pytestmark = pytest.mark.django_db


def audit(action: str) -> list[dict[str, Any]]:
    return [entry.data for entry in AuditLogEntry.objects.filter(action=action)]


# --- update_inbox / set_inbox_active -----------------------------------------------------


def test_update_inbox_renames_and_disables_in_one_go(admin: User, api_inbox: Inbox) -> None:
    actions.update_inbox(admin, api_inbox.pk, name="  Partner API ", is_active=False)
    api_inbox.refresh_from_db()
    assert (api_inbox.name, api_inbox.is_active) == ("Partner API", False)
    assert audit("inbox.renamed") == [{"previous": "Site API", "name": "Partner API"}]
    assert audit("inbox.disabled") == [{}]


def test_an_unchanged_state_writes_no_audit_entry(admin: User, api_inbox: Inbox) -> None:
    actions.set_inbox_active(admin, api_inbox.pk, True)
    assert not AuditLogEntry.objects.exists()


def test_only_administrators_change_inboxes(supervisor: User, api_inbox: Inbox) -> None:
    with pytest.raises(PermissionDenied):
        actions.set_inbox_active(supervisor, api_inbox.pk, False)
    with pytest.raises(PermissionDenied):
        actions.delete_inbox(supervisor, api_inbox.pk)


def test_a_reply_through_a_disabled_inbox_fails_at_once_saying_so(
    admin: User, api_inbox: Inbox, webhook_receiver: WebhookReceiver
) -> None:
    actions.update_inbox_settings(admin, api_inbox.pk, {"webhook_url": webhook_receiver.url})
    conversation = Conversation.objects.get(
        pk=ingest(api_inbox, inbound("m-1")).conversation_id)
    actions.set_inbox_active(admin, api_inbox.pk, False)
    message = reply(admin, conversation.pk, "Bonjour")
    assert send_message.call(message.pk) == "failed"
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.FAILED
    assert "disabled" in message.failure_reason
    assert webhook_receiver.requests == []


# --- delete_inbox ------------------------------------------------------------------------


def test_an_inbox_with_conversations_is_deleted_only_with_its_name(
    admin: User, api_inbox: Inbox
) -> None:
    conversation = Conversation.objects.get(
        pk=ingest(api_inbox, inbound("m-1")).conversation_id)
    with pytest.raises(InvalidInput):
        actions.delete_inbox(admin, api_inbox.pk, confirmation="wrong")
    assert Conversation.objects.filter(pk=conversation.pk).exists()
    assert actions.delete_inbox(admin, api_inbox.pk, confirmation="Site API") == 1
    assert not Inbox.objects.filter(pk=api_inbox.pk).exists()
    assert not Conversation.objects.filter(pk=conversation.pk).exists()
    assert audit("inbox.deleted") == [
        {"name": "Site API", "channel": "api", "conversations": 1}]


def test_deleting_removes_the_attachments_files(
    admin: User, api_inbox: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core.files.base import ContentFile

    conversation = Conversation.objects.get(
        pk=ingest(api_inbox, inbound("m-1")).conversation_id)
    message = conversation.messages.get()
    attachment = Attachment(message=message, filename="a.txt", content_type="text/plain")
    attachment.file.save("a.txt", ContentFile(b"hello"), save=True)
    storage, name = attachment.file.storage, attachment.file.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        actions.delete_inbox(admin, api_inbox.pk, confirmation="Site API")
    assert not storage.exists(name)


def test_an_inbox_that_carried_replies_elsewhere_is_not_deleted(
    admin: User, api_inbox: Inbox, email_inbox: Inbox
) -> None:
    from omnicanal.conversations.models import Message

    conversation = Conversation.objects.get(
        pk=ingest(email_inbox, inbound("m-1")).conversation_id)
    message = reply(admin, conversation.pk, "Bonjour")
    Message.objects.filter(pk=message.pk).update(inbox=api_inbox)
    with pytest.raises(Conflict):
        actions.delete_inbox(admin, api_inbox.pk)
    assert Inbox.objects.filter(pk=api_inbox.pk).exists()


# --- secrets -----------------------------------------------------------------------------


def test_regenerating_the_secret_returns_the_new_one_and_audits_without_it(
    admin: User, api_inbox: Inbox
) -> None:
    old = api_inbox.secret
    inbox, secret = actions.regenerate_inbox_secret(admin, api_inbox.pk)
    assert secret == inbox.secret != old
    assert audit("inbox.secret_regenerated") == [{}]


# --- send test ---------------------------------------------------------------------------


def test_send_test_posts_a_signed_event_and_reports_the_status(
    admin: User, api_inbox: Inbox, webhook_receiver: WebhookReceiver
) -> None:
    actions.update_inbox_settings(admin, api_inbox.pk, {"webhook_url": webhook_receiver.url})
    webhook_receiver.statuses.append(204)
    delivery = actions.send_test_event(admin, api_inbox.pk)
    assert (delivery.status, delivery.is_ok) == (204, True)
    [(headers, body)] = webhook_receiver.requests
    assert json.loads(body)["event"] == "test"
    # The receiver can check it exactly as it checks replies.
    assert headers[SIGNATURE_HEADER] == sign(api_inbox.secret, headers[TIMESTAMP_HEADER], body)


def test_send_test_reports_a_refusal_and_an_unreachable_receiver(
    admin: User, api_inbox: Inbox, webhook_receiver: WebhookReceiver
) -> None:
    actions.update_inbox_settings(admin, api_inbox.pk, {"webhook_url": webhook_receiver.url})
    webhook_receiver.statuses.append(401)
    assert actions.send_test_event(admin, api_inbox.pk).status == 401
    actions.update_inbox_settings(admin, api_inbox.pk, {"webhook_url": "http://127.0.0.1:9/x"})
    delivery = actions.send_test_event(admin, api_inbox.pk)
    assert delivery.status is None and "Could not reach" in delivery.error


def test_send_test_needs_a_webhook_url(admin: User, api_inbox: Inbox) -> None:
    with pytest.raises(InvalidInput):
        actions.send_test_event(admin, api_inbox.pk)


# --- Telegram setWebhook -----------------------------------------------------------------


@pytest.fixture
def bot_api() -> Iterator[BotApiStub]:
    stub = BotApiStub()
    yield stub
    stub.close()


def test_register_webhook_calls_telegram_setwebhook_with_the_secret_token(
    admin: User, bot_api: BotApiStub
) -> None:
    inbox = Inbox.objects.create(name="Bot", channel="telegram", settings={
        "bot_token": BOT_TOKEN, "secret_token": "s3cret-token", "api_base": bot_api.url})
    url = f"https://help.example.com/webhooks/telegram/{inbox.pk}/"
    assert actions.register_webhook(admin, inbox.pk, url) == "Webhook was set"
    assert bot_api.webhook is not None
    assert bot_api.webhook["url"] == url
    assert bot_api.webhook["secret_token"] == "s3cret-token"
    assert "message" in bot_api.webhook["allowed_updates"]  # type: ignore[operator]
    assert audit("inbox.webhook_registered") == [{"url": url}]


def test_telegram_refuses_an_http_webhook_and_the_admin_is_told(
    admin: User, bot_api: BotApiStub
) -> None:
    inbox = Inbox.objects.create(name="Bot", channel="telegram", settings={
        "bot_token": BOT_TOKEN, "secret_token": "s3cret-token", "api_base": bot_api.url})
    with pytest.raises(InvalidInput, match="An HTTPS URL must be provided"):
        actions.register_webhook(admin, inbox.pk, "http://localhost/webhooks/telegram/1/")
    assert not AuditLogEntry.objects.exists()


# --- e-mail test connection, against a real Dovecot and SMTP receiver ----------------------


@pytest.mark.xdist_group("dovecot")
def test_check_email_connection_logs_in_to_imap_and_smtp(
    admin: User, dovecot: Dovecot, smtp_server: SmtpRecorder
) -> None:
    settings = {
        "from_address": "support@omnicanal.test", **dovecot.settings("INBOX", "ssl"),
        "smtp_host": "127.0.0.1", "smtp_port": smtp_server.port, "smtp_security": "none",
        "smtp_username": SMTP_USERNAME, "smtp_password": SMTP_PASSWORD,
    }
    imap, smtp = actions.check_connection(admin, "email", settings)
    assert imap.is_ok, imap.detail
    assert "INBOX" in str(imap.detail)
    assert smtp.is_ok, smtp.detail
    assert "logged in as support" in str(smtp.detail)


@pytest.mark.xdist_group("dovecot")
def test_check_email_connection_reports_each_failure_without_the_password(
    admin: User, dovecot: Dovecot, smtp_server: SmtpRecorder
) -> None:
    settings = {
        "from_address": "support@omnicanal.test",
        **dovecot.settings("INBOX", "ssl"), "imap_password": "wrong-imap-pw",
        "smtp_host": "127.0.0.1", "smtp_port": smtp_server.port, "smtp_security": "none",
        "smtp_username": SMTP_USERNAME, "smtp_password": "wrong-smtp-pw",
    }
    imap, smtp = actions.check_connection(admin, "email", settings)
    assert not imap.is_ok and not smtp.is_ok
    assert "wrong-imap-pw" not in str(imap.detail) and "wrong-smtp-pw" not in str(smtp.detail)
    assert "535" in str(smtp.detail) or "uthentication" in str(smtp.detail)


@pytest.mark.xdist_group("dovecot")
def test_check_email_connection_uses_the_stored_password_when_left_masked(
    admin: User, dovecot: Dovecot
) -> None:
    inbox = actions.create_inbox(admin, name="Mail", channel="email", settings={
        "from_address": "support@omnicanal.test", **dovecot.settings("Missing", "ssl")})
    [imap, _smtp] = actions.check_connection(admin, "email", {
        **dovecot.settings("INBOX", "ssl"), "from_address": "support@omnicanal.test",
        "imap_password": actions.MASK}, inbox_id=inbox.pk)
    assert imap.is_ok, imap.detail


@pytest.mark.xdist_group("dovecot")
def test_check_email_connection_names_a_missing_folder(admin: User, dovecot: Dovecot) -> None:
    [imap, _smtp] = actions.check_connection(admin, "email", {
        "from_address": "support@omnicanal.test", **dovecot.settings("NoSuchFolder", "ssl")})
    assert not imap.is_ok
