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
from dataclasses import dataclass, field
from typing import Any, Literal

from omnicanal.core.exceptions import InvalidInput

Security = Literal["starttls", "ssl", "none"]
_SECURITIES = ("starttls", "ssl", "none")
ImapAuth = Literal["password", "xoauth2"]
_IMAP_AUTHS = ("password", "xoauth2")


def _imap_auth(value: Any) -> ImapAuth:
    text = str(value or "password").lower()
    if text not in _IMAP_AUTHS:
        raise InvalidInput(f"Unknown imap_auth {value!r}: use password or xoauth2.")
    return text  # type: ignore[return-value]


def _security(value: Any, default: Security) -> Security:
    text = str(value or default).lower()
    if text == "tls":
        text = "ssl"
    if text not in _SECURITIES:
        raise InvalidInput(f"Unknown security {value!r}: use starttls, ssl or none.")
    return text  # type: ignore[return-value]


def _port(value: Any, default: int) -> int:
    try:
        port = int(value) if value not in (None, "") else default
    except (TypeError, ValueError):
        raise InvalidInput(f"{value!r} is not a port number.") from None
    if not 0 < port < 65536:
        raise InvalidInput(f"{port} is not a port number.")
    return port


@dataclass(frozen=True)
class EmailSettings:
    from_address: str = ""
    from_name: str = ""
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: Security = "starttls"
    smtp_username: str = ""
    smtp_password: str = field(default="", repr=False)
    imap_host: str = ""
    imap_port: int = 993
    imap_security: Security = "ssl"
    imap_ca_file: str = ""
    imap_username: str = ""
    imap_auth: ImapAuth = "password"
    imap_password: str = field(default="", repr=False)
    imap_access_token: str = field(default="", repr=False)
    imap_access_token_file: str = ""
    imap_mailbox: str = "INBOX"
    imap_move_to: str = ""

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
                f"imap_access_token_file {self.imap_access_token_file} cannot be read: {reason}"
            ) from None
        if not token:
            raise InvalidInput(f"imap_access_token_file {self.imap_access_token_file} is empty.")
        return token

    @classmethod
    def parse(cls, settings: Mapping[str, Any]) -> EmailSettings:
        smtp_security = _security(settings.get("smtp_security"), "starttls")
        imap_security = _security(settings.get("imap_security"), "ssl")
        imap_auth = _imap_auth(settings.get("imap_auth"))
        access_token = str(settings.get("imap_access_token") or "").strip()
        token_file = str(settings.get("imap_access_token_file") or "")
        if imap_auth == "xoauth2" and not (access_token or token_file):
            raise InvalidInput(
                "imap_auth xoauth2 needs imap_access_token or imap_access_token_file."
            )
        return cls(
            from_address=str(settings.get("from_address") or "").strip().lower(),
            from_name=str(settings.get("from_name") or ""),
            smtp_host=str(settings.get("smtp_host") or ""),
            smtp_port=_port(
                settings.get("smtp_port"), {"ssl": 465, "starttls": 587, "none": 25}[smtp_security]
            ),
            smtp_security=smtp_security,
            smtp_username=str(settings.get("smtp_username") or ""),
            smtp_password=str(settings.get("smtp_password") or ""),
            imap_host=str(settings.get("imap_host") or ""),
            imap_port=_port(settings.get("imap_port"), 993 if imap_security == "ssl" else 143),
            imap_security=imap_security,
            imap_ca_file=str(settings.get("imap_ca_file") or ""),
            imap_username=str(settings.get("imap_username") or ""),
            imap_auth=imap_auth,
            imap_password=str(settings.get("imap_password") or ""),
            imap_access_token=access_token,
            imap_access_token_file=token_file,
            imap_mailbox=str(settings.get("imap_mailbox") or "INBOX"),
            imap_move_to=str(settings.get("imap_move_to") or ""),
        )
