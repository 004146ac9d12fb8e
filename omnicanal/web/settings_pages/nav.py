"""The settings navigation: which pages exist, in which group, and who may open them."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from omnicanal.accounts.models import User


@dataclass(frozen=True)
class SettingsPage:
    url_name: str
    label: Promise
    group: Promise
    # Otherwise administrators only.
    for_supervisors: bool = False

    def is_open_to(self, user: User) -> bool:
        return user.is_administrator or (self.for_supervisors and user.is_supervisor_or_above)


CHANNELS = _("Channels")
PEOPLE = _("People")
CONVERSATIONS = _("Conversations")
SERVICE_LEVELS = _("Service levels")
OPERATIONS = _("Operations")

PAGES = (
    SettingsPage("web:settings_inboxes", _("Inboxes"), CHANNELS),
    SettingsPage("web:settings_help_center", _("Help center"), CHANNELS),
    SettingsPage("web:settings_agents", _("Agents"), PEOPLE),
    SettingsPage("web:settings_teams", _("Teams"), PEOPLE),
    SettingsPage("web:settings_labels", _("Labels"), CONVERSATIONS, for_supervisors=True),
    SettingsPage("web:settings_attributes", _("Contact attributes"), CONVERSATIONS),
    SettingsPage("routing:answers", _("Answers"), CONVERSATIONS, for_supervisors=True),
    SettingsPage("reviews:moderation", _("Reviews"), CONVERSATIONS, for_supervisors=True),
    SettingsPage("web:settings_automation", _("Automation"), CONVERSATIONS),
    SettingsPage("web:settings_bot", _("Bot"), CONVERSATIONS),
    SettingsPage("web:settings_triage", _("Triage"), CONVERSATIONS),
    SettingsPage("web:settings_surveys", _("Surveys"), CONVERSATIONS),
    SettingsPage("web:settings_hours", _("Business hours"), SERVICE_LEVELS),
    SettingsPage("web:settings_sla", _("SLA policies"), SERVICE_LEVELS),
    SettingsPage("web:failures", _("Failures"), OPERATIONS),
    SettingsPage("web:settings_quarantine", _("Quarantined mail"), OPERATIONS),
    SettingsPage("web:settings_audit", _("Audit log"), OPERATIONS),
)


@dataclass(frozen=True)
class NavLink:
    url: str
    label: Promise
    is_current: bool


def navigation(user: User, path: str) -> list[tuple[Promise, list[NavLink]]]:
    """The groups of pages `user` may open, the one holding `path` marked current."""
    groups: dict[str, tuple[Promise, list[NavLink]]] = {}
    for page in PAGES:
        if not page.is_open_to(user):
            continue
        url = reverse(page.url_name)
        group = groups.setdefault(str(page.group), (page.group, []))
        group[1].append(NavLink(url, page.label, path.startswith(url)))
    return list(groups.values())


def first_page_for(user: User) -> str | None:
    return next((reverse(page.url_name) for page in PAGES if page.is_open_to(user)), None)
