"""E-mail parsing: raw RFC 822 bytes to typed results, without a database.

`parse_email(raw)` gives a `ParsedEmail`; `parse_body(text, is_html=...)` trims a bare body;
`to_inbound_message(parsed)` builds what `ingest()` takes.
"""

from omnicanal.connectors.email.bounces import BounceRecipient, DeliveryReport
from omnicanal.connectors.email.parsing import (
    Address,
    Attachment,
    ParsedEmail,
    parse_email,
    to_inbound_message,
)
from omnicanal.connectors.email.replies import ParsedBody, parse_body

__all__ = [
    "Address",
    "Attachment",
    "BounceRecipient",
    "DeliveryReport",
    "ParsedBody",
    "ParsedEmail",
    "parse_body",
    "parse_email",
    "to_inbound_message",
]
