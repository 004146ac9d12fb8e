"""A web chat inbox's settings (`Inbox.settings`), parsed once.

Keys:
- `site_token`: the public token in the embed snippet (`data-site-token`); it names the
  inbox, it is no secret. The inbox's `secret` signs identified users (`user_hash`).
- `allowed_origins`: the sites allowed to embed the widget (`https://shop.example`); any
  other origin is refused on the socket and the HTTP endpoints, and gets no CORS headers.
- `business_calendar_id`: the business calendar (Settings, Business hours) whose hours,
  holidays and special days say when the team is in; absent: `business_hours` if set, else
  the default calendar, else always open.
- `business_hours`: `{"timezone": "Europe/Paris", "days": {"mon": [["09:00", "18:00"]], …}}`,
  hours of the inbox's own, for an inbox that follows no calendar.
- `wait_message`: `{"fr": "…", "en": "…"}` shown under "Chat now".
- `email_inbox_id`: the e-mail inbox whose SMTP settings and address carry replies to
  visitors who left, and where their mail answers arrive (see `tasks.py`).
- `away_after_seconds`: how long an agent's reply may stay unseen by the widget before it
  goes by e-mail (default 120 s, see `tasks.py`).
- `help_center_url`: where "Search the help center" leads (default: this server's /help/).
- `color`: the launcher's and header's colour, `#rrggbb` (default `#1d4ed8`; white text on it).
- `position`: the launcher's corner, `right` (default) or `left`.
- `greeting`: `{"fr": "…", "en": "…"}` (or one text for both), the first line the visitor
  reads when the chat opens.
- `prechat_name`, `prechat_email`, `prechat_phone`: `off` (default), `optional` or `required`:
  the pre-chat form asks for them before the first message; the answers name the contact
  and add unverified identities to it.
- `prechat_attributes`: keys of contacts' custom attributes the form asks for, one per
  line, `*` after a key for a required one (`order_number*`); only these keys can be set
  from the widget.
- `sound`: a short sound on each new reply (each visitor can turn it off).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from omnicanal.core.exceptions import InvalidInput

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_AWAY_AFTER_SECONDS = 120

Ranges = tuple[tuple[dt.time, dt.time], ...]


def normalize_origin(origin: str) -> str:
    return origin.strip().rstrip("/").lower()


def _ranges(value: Any) -> Ranges:
    ranges = []
    for pair in value or ():
        try:
            start, end = (dt.time.fromisoformat(str(part)) for part in pair)
        except (TypeError, ValueError):
            raise InvalidInput(
                _("%(pair)s is not an opening range like ['09:00', '18:00']."), pair=repr(pair)
            ) from None
        ranges.append((start, end))
    return tuple(ranges)


@dataclass(frozen=True)
class BusinessHours:
    timezone: str = "UTC"
    # Monday first; an empty day is closed. None means always open.
    days: tuple[Ranges, ...] | None = None

    @classmethod
    def parse(cls, value: Mapping[str, Any] | None) -> BusinessHours:
        if not value:
            return cls()
        timezone = str(value.get("timezone") or "UTC")
        try:
            zoneinfo.ZoneInfo(timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise InvalidInput(
                _("Unknown time zone %(timezone)s."), timezone=repr(timezone)
            ) from None
        days = value.get("days") or {}
        return cls(timezone, tuple(_ranges(days.get(day)) for day in DAYS))

    def is_open(self, at: dt.datetime) -> bool:
        if self.days is None:
            return True
        local = at.astimezone(zoneinfo.ZoneInfo(self.timezone))
        moment = local.time()
        return any(start <= moment < end for start, end in self.days[local.weekday()])

    def next_opening(self, at: dt.datetime) -> dt.datetime | None:
        """When the team is next in, if closed at `at`; None when open or never open."""
        if self.days is None or self.is_open(at):
            return None
        zone = zoneinfo.ZoneInfo(self.timezone)
        local = at.astimezone(zone)
        for offset in range(8):
            day = local.date() + dt.timedelta(days=offset)
            for start, _end in sorted(self.days[day.weekday()]):
                opening = dt.datetime.combine(day, start, tzinfo=zone)
                if opening > local:
                    return opening
        return None


# The widget's accent colour unless the inbox sets one (`color`).
DEFAULT_COLOR = "#1d4ed8"
POSITIONS = ("right", "left")
# How the pre-chat form asks for a field.
PRECHAT_CHOICES = ("off", "optional", "required")
PRECHAT_IDENTITIES = ("name", "email", "phone")


@dataclass(frozen=True)
class PrechatField:
    # "name", "email", "phone", or a custom attribute's key.
    key: str
    is_required: bool
    is_attribute: bool = False


def _texts(value: Any) -> dict[str, str]:
    """One text for every language, or one per language."""
    value = value or {}
    if isinstance(value, str):
        value = {"fr": value, "en": value}
    return {str(k): str(v) for k, v in dict(value).items()}


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value else None
    except (TypeError, ValueError):
        return None


def _prechat(settings: Mapping[str, Any]) -> tuple[PrechatField, ...]:
    fields = [
        PrechatField(name, settings.get(f"prechat_{name}") == "required")
        for name in PRECHAT_IDENTITIES
        if settings.get(f"prechat_{name}") in ("optional", "required")
    ]
    for line in settings.get("prechat_attributes") or ():
        key = str(line).strip()
        if key.rstrip("*").strip():
            fields.append(PrechatField(key.rstrip("*").strip(), key.endswith("*"), True))
    return tuple(fields)


@dataclass(frozen=True)
class WebchatSettings:
    site_token: str = ""
    allowed_origins: Sequence[str] = ()
    business_hours: BusinessHours = field(default_factory=BusinessHours)
    wait_message: Mapping[str, str] = field(default_factory=dict)
    email_inbox_id: int | None = None
    away_after_seconds: int = DEFAULT_AWAY_AFTER_SECONDS
    help_center_url: str = ""
    color: str = DEFAULT_COLOR
    position: str = "right"
    greeting: Mapping[str, str] = field(default_factory=dict)
    prechat: tuple[PrechatField, ...] = ()
    sound: bool = True
    # False: the inbox sets no hours of its own, the default business calendar decides.
    has_own_hours: bool = False
    business_calendar_id: int | None = None

    @classmethod
    def parse(cls, settings: Mapping[str, Any]) -> WebchatSettings:
        email_inbox_id = settings.get("email_inbox_id")
        return cls(
            site_token=str(settings.get("site_token") or ""),
            allowed_origins=tuple(
                normalize_origin(str(o)) for o in settings.get("allowed_origins") or ()
            ),
            business_hours=BusinessHours.parse(settings.get("business_hours")),
            wait_message=_texts(settings.get("wait_message")),
            email_inbox_id=int(email_inbox_id) if email_inbox_id else None,
            away_after_seconds=int(
                settings.get("away_after_seconds") or DEFAULT_AWAY_AFTER_SECONDS
            ),
            help_center_url=str(settings.get("help_center_url") or ""),
            color=str(settings.get("color") or DEFAULT_COLOR),
            position="left" if settings.get("position") == "left" else "right",
            greeting=_texts(settings.get("greeting")),
            prechat=_prechat(settings),
            sound=settings.get("sound") is not False,
            has_own_hours=bool(settings.get("business_hours")),
            business_calendar_id=_int_or_none(settings.get("business_calendar_id")),
        )

    def prechat_attribute_keys(self) -> set[str]:
        return {f.key for f in self.prechat if f.is_attribute}

    def allows(self, origin: str | None) -> bool:
        return bool(origin) and normalize_origin(origin or "") in self.allowed_origins
