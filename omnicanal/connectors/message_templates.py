"""Message templates: the messages a provider approved in advance, the only ones a channel
with a reply window (WhatsApp) lets a business send once the customer's 24 hours are over,
hence the only way to start a conversation there.

An administrator lists them in the inbox settings, one per line, as the provider knows
them: "name | language | body" for the Cloud API, "content SID | name | language | body" for
Twilio. The body is the approved text, with {{1}}, {{2}}… where the agent fills values in;
it is what the agent sees as a preview and what the timeline shows after sending.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

from django.utils.translation import gettext_lazy as _
from pydantic import AfterValidator

from omnicanal.connectors.base import TranslatedValueError

# Where an outgoing message carries its template: in the message's metadata (the template's
# key and the values, written when the conversation is started), then in the
# OutboundMessage's `extra` (the template itself and the values, for the provider client).
TEMPLATE_METADATA = "template"
TEMPLATE_EXTRA = "template"
VARIABLES_EXTRA = "template_variables"

VARIABLE = re.compile(r"\{\{\s*(\d+)\s*\}\}")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?$")
_CLOUD_NAME = re.compile(r"^[a-z0-9_]{1,512}$")
_CONTENT_SID = re.compile(r"^HX[0-9a-fA-F]{32}$")
# A variable's value: WhatsApp refuses new lines, tabs and runs of spaces in one.
VARIABLE_MAX_LENGTH = 1024


@dataclass(frozen=True)
class MessageTemplate:
    name: str
    language: str
    body: str
    # What the provider identifies it by, when not its name (Twilio's Content SID "HX…").
    content_sid: str = ""

    @property
    def key(self) -> str:
        """How a form names this template."""
        return f"{self.name}:{self.language}"

    @property
    def variable_count(self) -> int:
        return max((int(n) for n in VARIABLE.findall(self.body)), default=0)

    def render(self, variables: Sequence[str]) -> str:
        """The body with each {{n}} replaced by the n-th value."""
        return VARIABLE.sub(lambda m: _value_at(variables, int(m.group(1))), self.body)


def _value_at(variables: Sequence[str], number: int) -> str:
    return variables[number - 1] if 0 < number <= len(variables) else ""


def clean_variable(value: str) -> str:
    return " ".join(value.split())[:VARIABLE_MAX_LENGTH]


def _parts(line: str, count: int) -> list[str]:
    parts = [part.strip() for part in line.split("|", count - 1)]
    if len(parts) != count or not all(parts):
        raise ValueError
    return parts


def parse_cloud_line(line: str) -> MessageTemplate:
    name, language, body = _parts(line, 3)
    if not _CLOUD_NAME.match(name) or not _LANGUAGE.match(language):
        raise ValueError
    return MessageTemplate(name=name, language=language, body=body)


def parse_twilio_line(line: str) -> MessageTemplate:
    content_sid, name, language, body = _parts(line, 4)
    if not _CONTENT_SID.match(content_sid) or not _LANGUAGE.match(language):
        raise ValueError
    return MessageTemplate(name=name, language=language, body=body, content_sid=content_sid)


def _checked_cloud_line(line: str) -> str:
    try:
        parse_cloud_line(line)
    except ValueError:
        raise TranslatedValueError(_(
            "Each line: name | language | body, e.g. order_ready | fr | Hello {{1}}, "
            "your order is ready."
        )) from None
    return line.strip()


def _checked_twilio_line(line: str) -> str:
    try:
        parse_twilio_line(line)
    except ValueError:
        raise TranslatedValueError(_(
            "Each line: content SID | name | language | body, e.g. HX… | order_ready | en | "
            "Hello {{1}}, your order is ready."
        )) from None
    return line.strip()


CloudTemplateLine = Annotated[str, AfterValidator(_checked_cloud_line)]
TwilioTemplateLine = Annotated[str, AfterValidator(_checked_twilio_line)]
