"""What each inbox setting is called and what it is for, in the reader's language.

The channels' settings schemas (pydantic) name their fields; a pydantic `title` must be a
plain string, fixed at import in one language, so the translatable labels and help texts
live here, keyed by field name (a name means the same thing in every channel's schema).
The settings page reads `label_for` / `help_for`; a field missing here shows its name.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

LABELS: dict[str, Promise] = {
    "help_center_contact": _("Receives the help center's contact form"),
    "webhook_url": _("Webhook URL"),
    "from_address": _("From address"),
    "from_name": _("From name"),
    "smtp_host": _("SMTP server"),
    "smtp_port": _("SMTP port"),
    "smtp_security": _("SMTP security"),
    "smtp_username": _("SMTP user name"),
    "smtp_password": _("SMTP password"),
    "imap_host": _("IMAP server"),
    "imap_port": _("IMAP port"),
    "imap_security": _("IMAP security"),
    "imap_ca_file": _("IMAP CA bundle file"),
    "imap_username": _("IMAP user name"),
    "imap_auth": _("IMAP sign-in method"),
    "imap_password": _("IMAP password"),
    "imap_access_token": _("OAuth2 access token"),
    "imap_access_token_file": _("OAuth2 access token file"),
    "imap_mailbox": _("IMAP folder"),
    "imap_move_to": _("Move processed mail to"),
    "site_token": _("Site token"),
    "allowed_origins": _("Allowed origins"),
    "business_calendar_id": _("Business calendar"),
    "business_hours": _("Own business hours"),
    "wait_message": _("Message while waiting"),
    "email_inbox_id": _("E-mail inbox for unseen replies"),
    "away_after_seconds": _("E-mail an unseen reply after (seconds)"),
    "help_center_url": _("Help center URL"),
    "color": _("Colour"),
    "position": _("Chat button position"),
    "greeting": _("Greeting"),
    "prechat_name": _("Ask for the name"),
    "prechat_email": _("Ask for the e-mail address"),
    "prechat_phone": _("Ask for the phone number"),
    "prechat_attributes": _("Ask for custom attributes"),
    "sound": _("Sound on a new reply"),
    "provider": _("Provider"),
    "account_sid": _("Account SID"),
    "auth_token": _("Auth token"),
    "from_number": _("Sender number"),
    "messaging_service_sid": _("Messaging service SID"),
    "status_callback": _("Status callback URL"),
    "trust_forwarded_headers": _("Trust X-Forwarded headers from a proxy"),
    "mms": _("Sends MMS (picture messages)"),
    "api_base": _("API base URL"),
    "phone_number_id": _("Phone number ID"),
    "access_token": _("Access token"),
    "app_secret": _("App secret"),
    "verify_token": _("Verify token"),
    "app_id": _("App ID"),
    "api_version": _("Graph API version"),
    "bot_token": _("Bot token"),
    "secret_token": _("Webhook secret token"),
    "templates": _("Approved message templates"),
}

HELP: dict[str, Promise] = {
    "help_center_contact": _("Messages sent from the help center's contact form land here."),
    "webhook_url": _("Agents' replies are POSTed there, signed with the inbox's secret. "
                     "Without it, replies fail at once."),
    "from_address": _("Replies are sent from this address; the customers write to it."),
    "smtp_host": _("Leave empty to send through the server's own e-mail settings."),
    "smtp_port": _("Empty: 465 for SSL, 587 for STARTTLS, 25 for none."),
    "imap_host": _("Leave empty if mail arrives another way (forwarded to the API)."),
    "imap_port": _("Empty: 993 for SSL, else 143."),
    "imap_ca_file": _("A CA bundle on this server to trust instead of the system's, for a "
                      "mail server with a private certificate."),
    "imap_auth": _("Password, or OAuth2 (XOAUTH2) with an access token."),
    "imap_access_token_file": _("A file on this server holding the token, read at each "
                                "login, for a token refreshed by another program."),
    "imap_mailbox": _("Empty: INBOX."),
    "imap_move_to": _("Without it, processed mail is marked as read and left in place."),
    "site_token": _("Public: it is in the snippet your site embeds. Letters, digits, _ and "
                    "-, at least 8."),
    "allowed_origins": _("One per line, e.g. https://www.example.com: the sites allowed to "
                         "show the widget."),
    "business_calendar_id": _("When the team is in (Settings, Business hours): the widget "
                              "says so, and when it is back."),
    "business_hours": _("Only without a calendar above, for hours of this inbox's own: "
                        "JSON, as in the web chat's notes. Empty: the default calendar, or "
                        "always open without one."),
    "wait_message": _("Shown to a visitor while no agent has answered."),
    "email_inbox_id": _("The e-mail inbox that sends the visitor a reply they did not see "
                        "in the chat."),
    "help_center_url": _("Offered to visitors in the widget."),
    "color": _("The chat button's and header's colour; its text is white."),
    "greeting": _("The first line a visitor reads when the chat opens. One text, or JSON "
                  "with one per language: {\"fr\": \"…\", \"en\": \"…\"}."),
    "prechat_attributes": _("Keys of contact attributes (Settings, Contact attributes), one "
                            "per line; a * after the key makes it required (order_number*)."),
    "sound": _("Visitors can still turn it off in the chat."),
    "account_sid": _("AC followed by 32 characters, in the Twilio console."),
    "from_number": _("International format, e.g. +33612345678. Or a messaging service."),
    "messaging_service_sid": _("MG followed by 32 characters. Or a sender number."),
    "trust_forwarded_headers": _("Only behind a proxy that sets them: Twilio signs the URL "
                                 "it called."),
    "mms": _("US and Canada numbers: agents' files go as MMS. Off: an SMS reply cannot "
             "carry a file, and agents are told so."),
    "api_base": _("Change only to point at a test server."),
    "app_id": _("Recommended: recognises the echoes of our own replies."),
    "verify_token": _("Any text; paste the same at Meta when subscribing the webhook."),
    "bot_token": _("As @BotFather gives it: 123456:ABC…"),
    "secret_token": _("Telegram sends it back with every update; letters, digits, _ and -."),
    "templates": _("The only messages that may start a conversation. One per line, the body "
                   "with {{1}}, {{2}}… where agents fill values in: name | language | body "
                   "(Cloud API), or content SID | name | language | body (Twilio)."),
}

PROVIDERS: dict[str, Promise] = {
    "whatsapp_cloud": _("WhatsApp Cloud API (Meta)"),
    "twilio": _("Twilio"),
}

# The values of a choice (a Literal in a schema), as shown in a select.
CHOICES: dict[str, Promise] = {
    "starttls": _("STARTTLS"),
    "ssl": _("SSL/TLS"),
    "none": _("None (unencrypted)"),
    "password": _("Password"),
    "xoauth2": _("OAuth2 access token (XOAUTH2)"),
    "off": _("Not asked"),
    "optional": _("Optional"),
    "required": _("Required"),
    "right": _("Bottom right"),
    "left": _("Bottom left"),
}


def choice_label(value: str) -> str | Promise:
    return CHOICES.get(value, value)


def provider_label(provider: str) -> str | Promise:
    return PROVIDERS.get(provider, provider)

# Fields whose names start so are shown together under a heading.
SECTIONS: dict[str, Promise] = {
    "smtp_": _("Sending (SMTP)"),
    "imap_": _("Receiving (IMAP)"),
    "prechat_": _("Pre-chat form"),
}


def section_for(name: str) -> str | Promise | None:
    return next((title for prefix, title in SECTIONS.items() if name.startswith(prefix)), None)


def label_for(name: str, title: str | None = None) -> str | Promise:
    if name in LABELS:
        return LABELS[name]
    return title or name.replace("_", " ").capitalize()


def help_for(name: str) -> str | Promise:
    return HELP.get(name, "")
