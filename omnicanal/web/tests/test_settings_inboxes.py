# ruff: noqa: F811 - the mail servers are fixtures imported here, named as parameters
"""Settings → Inboxes, as an administrator uses it: the list, a form generated from each
channel's schema with its errors beside the fields, secrets never shown back, disabling,
deleting with what happens to the conversations stated, and an audit entry per change."""

from __future__ import annotations

import pytest
from django.test import Client

from omnicanal.accounts.models import AuditLogEntry, User
from omnicanal.conftest import inbound
from omnicanal.connectors.telegram.tests.stub import BOT_TOKEN, BotApiStub
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Conversation, Inbox, Message
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


@pytest.fixture
def browser(admin: User) -> Client:
    admin.language = "en"
    admin.save(update_fields=["language"])
    client = Client()
    client.force_login(admin)
    return client


def actions_logged(action: str) -> list[AuditLogEntry]:
    return list(AuditLogEntry.objects.filter(action=action))


# --- the list --------------------------------------------------------------------------


def test_the_list_shows_each_inbox_with_its_channel_state_and_conversations(
    browser: Client, api_inbox: Inbox, email_inbox: Inbox
) -> None:
    ingest(api_inbox, inbound("m-1"))
    email_inbox.is_active = False
    email_inbox.save()
    page = browser.get("/settings/inboxes/").content.decode()
    assert "Site API" in page and "Support mail" in page
    assert "API" in page and "E-mail" in page
    assert "Enabled" in page and "Disabled" in page
    assert 'class="numeric">1<' in page
    assert "New inbox" in page


def test_the_list_is_for_administrators_only(supervisor: User) -> None:
    client = Client()
    client.force_login(supervisor)
    assert client.get("/settings/inboxes/").status_code == 403


# --- creating --------------------------------------------------------------------------


def test_new_inbox_offers_every_channel_and_both_whatsapp_providers(browser: Client) -> None:
    page = browser.get("/settings/inboxes/new/").content.decode()
    for path in ("/new/email/", "/new/api/", "/new/webchat/", "/new/sms/", "/new/telegram/",
                 "/new/messenger/", "/new/instagram/", "/new/whatsapp/?provider=twilio",
                 "/new/whatsapp/?provider=whatsapp_cloud"):
        assert path in page
    assert "Step 2 of 2" not in page


def test_welcome_shows_the_onboarding_banner(browser: Client) -> None:
    page = browser.get("/settings/inboxes/new/?welcome=1").content.decode()
    assert "Step 2 of 2: connect your first channel" in page
    assert "welcome=1" in page  # kept on the way to the channel's form


def test_the_email_form_is_generated_from_the_schema(browser: Client) -> None:
    page = browser.get("/settings/inboxes/new/email/").content.decode()
    assert 'name="from_address"' in page
    assert 'name="smtp_password" autocomplete="new-password"' in page or \
        ('name="smtp_password"' in page and 'type="password"' in page)
    assert '<select name="smtp_security"' in page
    assert 'type="number" name="imap_port"' in page
    assert "Test connection" in page


def test_creating_an_email_inbox_stores_it_audits_it_and_shows_the_secret_once(
    browser: Client,
) -> None:
    answer = browser.post("/settings/inboxes/new/email/", {
        "name": "Support", "from_address": "Support@Example.com", "smtp_host": "",
        "smtp_security": "starttls", "imap_security": "ssl", "imap_auth": "password",
        "smtp_password": "hunter2",
    })
    inbox = Inbox.objects.get(name="Support")
    assert answer.status_code == 302 and answer["Location"] == f"/settings/inboxes/{inbox.pk}/"
    assert inbox.settings["from_address"] == "support@example.com"
    assert inbox.settings["smtp_password"] == "hunter2"
    first = browser.get(answer["Location"]).content.decode()
    assert inbox.secret in first
    # Shown once: the next visit does not show it, and the password never.
    again = browser.get(answer["Location"]).content.decode()
    assert inbox.secret not in again
    assert "hunter2" not in first and "hunter2" not in again
    [entry] = actions_logged("inbox.created")
    assert "hunter2" not in str(entry.data)


def test_schema_errors_show_beside_their_fields(browser: Client) -> None:
    answer = browser.post("/settings/inboxes/new/sms/", {
        "name": "SMS", "provider": "twilio", "account_sid": "nope", "auth_token": "t0k",
        "from_number": "0612", "api_base": "https://api.twilio.com",
    })
    assert answer.status_code == 422
    page = answer.content.decode()
    assert 'id="id_account_sid_error"' in page
    assert 'id="id_from_number_error"' in page
    assert not Inbox.objects.filter(name="SMS").exists()
    # What was typed in a secret is not sent back either.
    assert "t0k" not in page


def test_a_problem_with_the_settings_as_a_whole_shows_above_the_form(browser: Client) -> None:
    answer = browser.post("/settings/inboxes/new/sms/", {
        "name": "SMS", "provider": "twilio", "auth_token": "t0k",
        "account_sid": "AC" + "0" * 32, "api_base": "https://api.twilio.com",
    })
    assert answer.status_code == 422
    assert "Give from_number (E.164) or messaging_service_sid." in answer.content.decode()


def test_a_web_chat_gets_a_site_token_its_origins_one_per_line_and_a_colour(browser: Client) -> None:
    form = browser.get("/settings/inboxes/new/webchat/").content.decode()
    assert 'name="site_token"' in form and 'value="' in form
    answer = browser.post("/settings/inboxes/new/webchat/", {
        "name": "Chat", "site_token": "site-token-123",
        "allowed_origins": "https://www.example.com\n\nhttps://shop.example.com\n",
        "away_after_seconds": "120", "color": "#c2410c",
    })
    assert answer.status_code == 302
    inbox = Inbox.objects.get(name="Chat")
    assert inbox.settings["allowed_origins"] == [
        "https://www.example.com", "https://shop.example.com"]
    assert inbox.settings["color"] == "#c2410c"
    # The widget is told its colour.
    config = Client().get("/webchat/site-token-123/config",
                          HTTP_ORIGIN="https://shop.example.com").json()
    assert config["color"] == "#c2410c"
    page = browser.get(answer["Location"]).content.decode()
    assert 'type="color" name="color" value="#c2410c"' in page
    assert 'data-site-token="site-token-123"' in page  # the snippet, escaped
    assert f"/settings/inboxes/{inbox.pk}/preview/" in page


def test_a_web_chat_names_its_e_mail_inbox_from_a_list_not_by_number(
    browser: Client, email_inbox: Inbox
) -> None:
    Inbox.objects.create(name="Boutique", channel="api")
    form = browser.get("/settings/inboxes/new/webchat/").content.decode()
    options = form[form.index('name="email_inbox_id"'):]
    options = options[:options.index("</select>")]
    assert f'<option value="{email_inbox.pk}">{email_inbox.name}</option>' in options
    assert "Boutique" not in options  # not an e-mail inbox
    answer = browser.post("/settings/inboxes/new/webchat/", {
        "name": "Chat", "site_token": "site-token-123", "away_after_seconds": "120",
        "color": "#c2410c", "email_inbox_id": str(email_inbox.pk),
    })
    assert answer.status_code == 302
    assert Inbox.objects.get(name="Chat").settings["email_inbox_id"] == email_inbox.pk


def test_the_web_chat_preview_loads_the_real_widget(browser: Client) -> None:
    inbox = Inbox.objects.create(name="Chat", channel="webchat", settings={
        "site_token": "site-token-123"})
    page = browser.get(f"/settings/inboxes/{inbox.pk}/preview/").content.decode()
    assert 'src="/widget.js" data-site-token="site-token-123"' in page
    assert "http://testserver" in page  # the origin to allow, said


def test_a_telegram_inbox_gets_a_secret_token_generated(browser: Client) -> None:
    answer = browser.post("/settings/inboxes/new/telegram/", {
        "name": "Bot", "bot_token": "123:abc", "api_base": "https://api.telegram.org",
    })
    assert answer.status_code == 302
    inbox = Inbox.objects.get(name="Bot")
    assert len(inbox.settings["secret_token"]) >= 20
    page = browser.get(answer["Location"]).content.decode()
    assert f"http://testserver/webhooks/telegram/{inbox.pk}/" in page
    assert inbox.settings["secret_token"] not in page and "123:abc" not in page


# --- editing ---------------------------------------------------------------------------


def test_editing_keeps_a_secret_left_empty_and_never_renders_it(browser: Client) -> None:
    inbox = Inbox.objects.create(name="Mail", channel="email", settings={
        "from_address": "a@example.com", "smtp_host": "smtp.example.com",
        "smtp_password": "hunter2"})
    page = browser.get(f"/settings/inboxes/{inbox.pk}/").content.decode()
    assert "hunter2" not in page
    assert "Set: leave empty to keep it" in page
    answer = browser.post(f"/settings/inboxes/{inbox.pk}/", {
        "name": "Mail desk", "from_address": "a@example.com", "smtp_host": "smtp2.example.com",
        "smtp_security": "starttls", "imap_security": "ssl", "imap_auth": "password",
        "smtp_password": "",
    })
    assert answer.status_code == 302
    inbox.refresh_from_db()
    assert inbox.name == "Mail desk"
    assert inbox.settings["smtp_host"] == "smtp2.example.com"
    assert inbox.settings["smtp_password"] == "hunter2"
    assert [e.data for e in actions_logged("inbox.renamed")] == [
        {"previous": "Mail", "name": "Mail desk"}]
    assert len(actions_logged("inbox.settings_changed")) == 1


def test_an_edit_error_shows_beside_the_field_and_changes_nothing(
    browser: Client, email_inbox: Inbox
) -> None:
    answer = browser.post(f"/settings/inboxes/{email_inbox.pk}/", {
        "name": "Support mail", "from_address": "not an address",
        "smtp_security": "starttls", "imap_security": "ssl", "imap_auth": "password",
    })
    assert answer.status_code == 422
    assert 'id="id_from_address_error"' in answer.content.decode()
    email_inbox.refresh_from_db()
    assert email_inbox.settings["from_address"] == "support@omnicanal.example"


def test_regenerating_the_secret_shows_the_new_one_once(
    browser: Client, api_inbox: Inbox
) -> None:
    old = api_inbox.secret
    answer = browser.post(f"/settings/inboxes/{api_inbox.pk}/secret/")
    api_inbox.refresh_from_db()
    assert api_inbox.secret != old
    assert api_inbox.secret in browser.get(answer["Location"]).content.decode()
    assert len(actions_logged("inbox.secret_regenerated")) == 1


# --- disabling and deleting ------------------------------------------------------------


def test_disabling_and_enabling_are_audited_and_stated(browser: Client, api_inbox: Inbox) -> None:
    browser.post(f"/settings/inboxes/{api_inbox.pk}/active/", {"is_active": "0"})
    api_inbox.refresh_from_db()
    assert api_inbox.is_active is False
    page = browser.get(f"/settings/inboxes/{api_inbox.pk}/").content.decode()
    assert "receives nothing and sends nothing" in page
    browser.post(f"/settings/inboxes/{api_inbox.pk}/active/", {"is_active": "1"})
    api_inbox.refresh_from_db()
    assert api_inbox.is_active is True
    assert len(actions_logged("inbox.disabled")) == 1
    assert len(actions_logged("inbox.enabled")) == 1


def test_an_inbox_without_conversations_is_deleted_at_once(
    browser: Client, api_inbox: Inbox
) -> None:
    page = browser.get(f"/settings/inboxes/{api_inbox.pk}/delete/").content.decode()
    assert "has no conversation: it is deleted at once" in page
    answer = browser.post(f"/settings/inboxes/{api_inbox.pk}/delete/")
    assert answer.status_code == 302
    assert not Inbox.objects.filter(pk=api_inbox.pk).exists()
    assert [e.data["conversations"] for e in actions_logged("inbox.deleted")] == [0]


def test_deleting_an_inbox_with_conversations_states_it_and_needs_its_name(
    browser: Client, api_inbox: Inbox
) -> None:
    ingest(api_inbox, inbound("m-1"))
    ingest(api_inbox, inbound("m-2", email="paul@example.fr"))
    page = browser.get(f"/settings/inboxes/{api_inbox.pk}/delete/").content.decode()
    assert "Its 2 conversations will be deleted with it, for good" in page
    assert "disable the inbox instead" in page
    refused = browser.post(f"/settings/inboxes/{api_inbox.pk}/delete/",
                           {"confirmation": "site api"})
    assert refused.status_code == 422
    assert Conversation.objects.filter(inbox=api_inbox).count() == 2
    answer = browser.post(f"/settings/inboxes/{api_inbox.pk}/delete/",
                          {"confirmation": "Site API"})
    assert answer.status_code == 302
    assert not Inbox.objects.filter(pk=api_inbox.pk).exists()
    assert not Conversation.objects.exists() and not Message.objects.exists()
    assert [e.data["conversations"] for e in actions_logged("inbox.deleted")] == [2]


@pytest.mark.parametrize("path", [
    "/settings/inboxes/{pk}/active/", "/settings/inboxes/{pk}/delete/",
    "/settings/inboxes/{pk}/secret/", "/settings/inboxes/{pk}/",
])
def test_changes_need_the_csrf_token(admin: User, api_inbox: Inbox, path: str) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    assert client.post(path.format(pk=api_inbox.pk), {}).status_code == 403




# --- the buttons that call out -----------------------------------------------------------


@pytest.mark.xdist_group("dovecot")
def test_test_connection_reports_each_server_and_saves_nothing(
    browser: Client, dovecot: Dovecot, smtp_server: SmtpRecorder
) -> None:
    imap = dovecot.settings("INBOX", "ssl")
    answer = browser.post("/settings/inboxes/new/email/", {
        "do": "check", "name": "Support", "from_address": "support@omnicanal.test",
        **{key: str(value) for key, value in imap.items()}, "imap_auth": "password",
        "smtp_host": "127.0.0.1", "smtp_port": str(smtp_server.port), "smtp_security": "none",
        "smtp_username": SMTP_USERNAME, "smtp_password": SMTP_PASSWORD,
    })
    page = answer.content.decode()
    assert answer.status_code == 200
    assert page.count('class="check-ok"') == 2, page[page.find("check-results"):][:800]
    assert "folder INBOX opened" in page and "logged in as support" in page
    assert not Inbox.objects.exists()
    assert dovecot.password not in page and SMTP_PASSWORD not in page


def test_send_test_shows_the_receivers_answer(
    browser: Client, api_inbox: Inbox, webhook_receiver: WebhookReceiver
) -> None:
    api_inbox.settings = {"webhook_url": webhook_receiver.url}
    api_inbox.save()
    webhook_receiver.statuses.append(500)
    page = browser.post(f"/settings/inboxes/{api_inbox.pk}/test-event/").content.decode()
    assert "The receiver answered 500: replies would fail." in page
    page = browser.post(f"/settings/inboxes/{api_inbox.pk}/test-event/").content.decode()
    assert "The receiver answered 200." in page


def test_the_telegram_button_sets_the_webhook_at_the_bot_api(browser: Client) -> None:
    stub = BotApiStub()
    try:
        inbox = Inbox.objects.create(name="Bot", channel="telegram", settings={
            "bot_token": BOT_TOKEN, "secret_token": "s3cret", "api_base": stub.url})
        # Telegram only calls HTTPS: over http the admin reads Telegram's refusal.
        page = browser.post(f"/settings/inboxes/{inbox.pk}/register-webhook/").content.decode()
        assert "An HTTPS URL must be provided" in page
        page = browser.post(f"/settings/inboxes/{inbox.pk}/register-webhook/",
                            secure=True).content.decode()
        assert "The provider answered: Webhook was set" in page
        assert stub.webhook is not None
        assert stub.webhook["url"] == f"https://testserver/webhooks/telegram/{inbox.pk}/"
    finally:
        stub.close()


def test_an_email_form_submitted_as_shown_creates_the_inbox(browser: Client) -> None:
    # The defaults the form shows are ones the schema accepts (an e-mail port of 0 is not).

    page = browser.get("/settings/inboxes/new/email/").content.decode()
    assert 'name="smtp_port" value="0"' not in page
    answer = browser.post("/settings/inboxes/new/email/", {
        "name": "Support", "from_address": "support@example.com", "smtp_port": "",
        "imap_port": "", "smtp_security": "starttls", "imap_security": "ssl",
        "imap_auth": "password", "imap_mailbox": "INBOX",
    })
    assert answer.status_code == 302
    assert Inbox.objects.get(name="Support").settings["from_address"] == "support@example.com"
