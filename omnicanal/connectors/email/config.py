"""An e-mail inbox's settings (`Inbox.settings`), parsed once, passwords kept out of reprs.

Keys: `from_address`, `from_name`; `smtp_host`, `smtp_port`, `smtp_security` ("starttls",
"ssl" or "none"), `smtp_username`, `smtp_password`; `imap_host`, `imap_port`,
`imap_security`, `imap_ca_file` (a CA bundle to trust instead of the system's, for a
server with a private CA), `imap_username`, `imap_auth` ("password", the default, or
"xoauth2"), `imap_password` (for "password"), `imap_access_token` or
`imap_access_token_file` (for "xoauth2": an OAuth2 bearer token, or a file holding one, read
at each login so that an outside refresher can rotate it), `imap_mailbox` (default INBOX),
`imap_move_to` (a folder to move processed mail to; without it mail is flagged \\Seen).
Without `smtp_host`, mail goes through Django's configured e-mail backend.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from django.utils.translation import gettext_lazy as _
from pydantic import ValidationError, field_validator, model_validator

from omnicanal.connectors.base import ChannelSettings, secret, settings_error
from omnicanal.core.exceptions import InvalidInput

Security = Literal["starttls", "ssl", "none"]
_SECURITIES = ("starttls", "ssl", "none")
ImapAuth = Literal["password", "xoauth2"]
_IMAP_AUTHS = ("password", "xoauth2")
_DEFAULT_SMTP_PORTS = {"ssl": 465, "starttls": 587, "none": 25}


def _blank_to_none(value: Any) -> Any:
    return None if value in (None, "") else value


class EmailSettings(ChannelSettings):
    """Every key is optional here, as the channel reads them (sending, IMAP); what an inbox
    needs to be saved at all is `EmailInboxSettings`."""

    from_address: str = ""
    from_name: str = ""
    smtp_host: str = ""
    # Filled from the security when absent: 465 for ssl, 587 for starttls, 25 for none.
    smtp_port: int = 0
    smtp_security: Security = "starttls"
    smtp_username: str = ""
    smtp_password: str = secret("SMTP password")
    imap_host: str = ""
    # Filled from the security when absent: 993 for ssl, else 143.
    imap_port: int = 0
    imap_security: Security = "ssl"
    imap_ca_file: str = ""
    imap_username: str = ""
    imap_auth: ImapAuth = "password"
    imap_password: str = secret("IMAP password (imap_auth password)")
    imap_access_token: str = secret("OAuth2 bearer token (imap_auth xoauth2)")
    imap_access_token_file: str = ""
    imap_mailbox: str = "INBOX"
    imap_move_to: str = ""

    @field_validator(
        "from_address", "from_name", "smtp_host", "smtp_username", "smtp_password",
        "imap_host", "imap_ca_file", "imap_username", "imap_password",
        "imap_access_token", "imap_access_token_file", "imap_move_to",
        mode="before",
    )
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return "" if value is None else value

    @field_validator("from_address")
    @classmethod
    def _lower_address(cls, value: str) -> str:
        return value.strip().lower()

    @field_validator("imap_mailbox", mode="before")
    @classmethod
    def _default_mailbox(cls, value: Any) -> Any:
        return value or "INBOX"

    @field_validator("smtp_security", "imap_security", mode="before")
    @classmethod
    def _security(cls, value: Any, info: Any) -> Any:
        if value in (None, ""):
            return "starttls" if info.field_name == "smtp_security" else "ssl"
        text = str(value).lower()
        text = "ssl" if text == "tls" else text
        if text not in _SECURITIES:
            raise ValueError(f"Unknown security {value!r}: use starttls, ssl or none.")
        return text

    @field_validator("imap_auth", mode="before")
    @classmethod
    def _imap_auth(cls, value: Any) -> Any:
        text = str(value or "password").lower()
        if text not in _IMAP_AUTHS:
            raise ValueError(f"Unknown imap_auth {value!r}: use password or xoauth2.")
        return text

    @field_validator("smtp_port", "imap_port", mode="before")
    @classmethod
    def _port(cls, value: Any) -> Any:
        value = _blank_to_none(value)
        if value is None:
            return 0
        try:
            port = int(value)
        except (TypeError, ValueError):
            raise ValueError(f"{value!r} is not a port number.") from None
        if not 0 < port < 65536:
            raise ValueError(f"{port} is not a port number.")
        return port

    @model_validator(mode="after")
    def _defaults_and_oauth(self) -> EmailSettings:
        if not self.smtp_port:
            object.__setattr__(self, "smtp_port", _DEFAULT_SMTP_PORTS[self.smtp_security])
        if not self.imap_port:
            object.__setattr__(self, "imap_port", 993 if self.imap_security == "ssl" else 143)
        if self.imap_auth == "xoauth2" and not (
            self.imap_access_token or self.imap_access_token_file
        ):
            raise ValueError(
                "imap_auth xoauth2 needs imap_access_token or imap_access_token_file."
            )
        return self

    @property
    def domain(self) -> str:
        return self.from_address.rpartition("@")[2] or "localhost"

    def imap_token(self) -> str:
        """The OAuth2 access token for an "xoauth2" login: the setting, else the file's
        content (read now, so a rotated token is picked up). Errors never quote it."""
        if self.imap_access_token:
            return self.imap_access_token
        try:
            with open(self.imap_access_token_file, encoding="utf-8") as file:
                token = file.read().strip()
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or type(exc).__name__
            raise InvalidInput(
                _("imap_access_token_file %(path)s cannot be read: %(reason)s"),
                path=self.imap_access_token_file, reason=reason,
            ) from None
        if not token:
            raise InvalidInput(
                _("imap_access_token_file %(path)s is empty."), path=self.imap_access_token_file
            )
        return token

    @classmethod
    def parse(cls, settings: Mapping[str, Any]) -> EmailSettings:
        """The settings as the channel reads them; InvalidInput names what is wrong. Keys of
        no concern here (the inbox's "secret" added at send time) are left aside."""
        known = {key: value for key, value in settings.items() if key in cls.model_fields}
        try:
            return cls.model_validate(known)
        except ValidationError as exc:
            raise InvalidInput(settings_error(exc)) from None


class EmailInboxSettings(EmailSettings):
    """What an e-mail inbox must have to be saved: the address replies go from (and that
    its own mail, come back, is recognised by). Without `smtp_host`, mail goes through
    Django's configured e-mail backend."""

    from_address: str

    @field_validator("from_address")
    @classmethod
    def _an_address(cls, value: str) -> str:
        local, _at, domain = value.partition("@")
        if not local or "." not in domain or any(c.isspace() for c in value):
            raise ValueError("Not an e-mail address.")
        return value
