"""A team's settings page writes: its members and name (through `accounts.teams`), its
business calendar and its routing policy, in one transaction; and deleting a team, with what
happens to its conversations.

Deleting a team keeps its conversations: they lose the team (the foreign keys are SET NULL),
keep their agent if they have one, and those waiting in the queue stay there with their
seniority, offered from then on to every agent with the channel and skills they need. The
team's calendar link and its own routing policy go with it. An SLA policy limited to the team
would be deleted with it (CASCADE) and silently stop applying, so the deletion is refused while
one exists: the administrator changes or deletes those policies first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from omnicanal.accounts import teams as account_teams
from omnicanal.accounts.actions import record_audit, require_administrator
from omnicanal.accounts.models import Team, User
from omnicanal.conversations.models import Conversation, Status
from omnicanal.core.exceptions import Conflict, InvalidInput
from omnicanal.routing import actions
from omnicanal.routing.models import (
    WAITING,
    AutomationRule,
    BusinessCalendar,
    ConversationRouting,
    Macro,
    Mode,
    RoutingPolicy,
    SlaPolicy,
    TeamCalendar,
)

# The policy field's value for "no policy of its own".
INHERIT = ""


def calendars_by_team() -> dict[int, BusinessCalendar]:
    return {link.team_id: link.calendar
            for link in TeamCalendar.objects.select_related("calendar")}


def policies_by_team() -> dict[int, RoutingPolicy]:
    return {policy.team_id: policy
            for policy in RoutingPolicy.objects.filter(team__isnull=False)
            if policy.team_id is not None}


def save_team(
    actor: User,
    team: Team | None,
    *,
    name: str,
    member_ids: Iterable[int],
    calendar: BusinessCalendar | None,
    mode: str,
    has_value_priority: bool = True,
) -> Team:
    """Create (`team` None) or update a team from its settings form. `mode` INHERIT removes
    the team's own policy: its conversations follow their inbox's, or the global one."""
    require_administrator(actor)
    if mode != INHERIT and mode not in Mode.values:
        raise InvalidInput(_("This routing mode does not exist."))
    with transaction.atomic():
        if team is None:
            team = account_teams.create_team(actor, name, member_ids=member_ids)
        else:
            team = account_teams.update_team(actor, team, name, member_ids=member_ids)
        _set_calendar(actor, team, calendar)
        _set_policy(actor, team, mode, has_value_priority)
        # New members may take what waits in the team's queue now.
        actions._dispatch_on_commit()
    return team


def _set_calendar(actor: User, team: Team, calendar: BusinessCalendar | None) -> None:
    before = set_team_calendar(team, calendar)
    after = calendar.pk if calendar is not None else None
    if before != after:
        record_audit(actor, "team.calendar_changed", team, calendar=[before, after])


def set_team_calendar(team: Team, calendar: BusinessCalendar | None) -> int | None:
    """The one writer of a team's calendar (the teams page and the business hours page both
    call it); returns the calendar id it had before. The caller audits."""
    link = TeamCalendar.objects.select_for_update().filter(team=team).first()
    before = link.calendar_id if link is not None else None
    if calendar is None:
        TeamCalendar.objects.filter(team=team).delete()
    elif link is None:
        TeamCalendar.objects.create(team=team, calendar=calendar)
    elif link.calendar_id != calendar.pk:
        link.calendar = calendar
        link.save(update_fields=["calendar"])
    return before


def _set_policy(actor: User, team: Team, mode: str, has_value_priority: bool) -> None:
    policy = RoutingPolicy.objects.filter(team=team).first()
    before = (policy.mode, policy.has_value_priority) if policy is not None else None
    if mode == INHERIT:
        if policy is None:
            return
        actions.remove_policy(team=team)
        record_audit(actor, "team.routing_changed", team, mode=[policy.mode, None])
        return
    if before == (mode, has_value_priority):
        return
    actions.set_policy(mode=mode, has_value_priority=has_value_priority, team=team)
    record_audit(actor, "team.routing_changed", team,
                 mode=[before[0] if before else None, mode],
                 value_priority=[before[1] if before else None, has_value_priority])


@dataclass(frozen=True)
class TeamDeletion:
    """What deleting the team changes, shown on the confirmation page."""

    members: int
    open_conversations: int
    waiting_conversations: int
    sla_policies: list[str]
    # Automation rules and macros with a step naming the team: that step fails (and is
    # recorded in the rule's runs) until someone changes it.
    rules_and_macros: list[str]

    @property
    def is_blocked(self) -> bool:
        return bool(self.sla_policies)


def team_deletion(team: Team) -> TeamDeletion:
    return TeamDeletion(
        members=team.members.count(),
        open_conversations=Conversation.objects.filter(team=team)
        .exclude(status=Status.RESOLVED).count(),
        waiting_conversations=ConversationRouting.objects.filter(WAITING, team=team).count(),
        sla_policies=list(SlaPolicy.objects.filter(team=team).values_list("name", flat=True)),
        rules_and_macros=[
            item.name for model in (AutomationRule, Macro) for item in model.objects.all()
            if any(isinstance(step, dict) and step.get("team_id") == team.pk
                   for step in item.actions)
        ],
    )


def delete_team(actor: User, team: Team) -> TeamDeletion:
    """Delete the team (see the module's docstring for what happens to its conversations)."""
    require_administrator(actor)
    with transaction.atomic():
        team = Team.objects.select_for_update().get(pk=team.pk)
        deletion = team_deletion(team)
        if deletion.is_blocked:
            raise Conflict(
                _("SLA policies are limited to this team: %(names)s. Change or delete them "
                  "first."), names=", ".join(deletion.sla_policies),
            )
        account_teams.delete_team(actor, team)
        # Its waiting conversations now fall under their inbox's policy, and may go to
        # agents outside the team.
        actions._rerank_waiting()
        actions._dispatch_on_commit()
    return deletion
