"""Teams: create, rename, change the members, delete (administrators; audit-logged).

A team's routing (its calendar, its policy) lives in `routing.teams`, which calls these in the
same transaction; deleting a team goes through `routing.teams.delete_team`, which checks what
the team still holds in routing first.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from omnicanal.accounts.actions import record_audit, require_administrator
from omnicanal.accounts.models import Team, User
from omnicanal.core.exceptions import InvalidField

TEAM_NAME_MAX_LENGTH = 100


def _clean_name(name: str, *, team: Team | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise InvalidField("name", _("A team needs a name."))
    if len(name) > TEAM_NAME_MAX_LENGTH:
        raise InvalidField(
            "name", _("A team name is at most %(limit)s characters long."),
            limit=TEAM_NAME_MAX_LENGTH,
        )
    others = Team.objects.filter(name__iexact=name)
    if team is not None:
        others = others.exclude(pk=team.pk)
    if others.exists():
        raise InvalidField("name", _("A team is already called “%(name)s”."), name=name)
    return name


def _members(member_ids: Iterable[int]) -> list[User]:
    ids = set(member_ids)
    members = list(User.objects.filter(pk__in=ids, is_active=True))
    if len(members) != len(ids):
        raise InvalidField("members", _("Only active agents can join a team."))
    return members


def create_team(actor: User, name: str, *, member_ids: Iterable[int] = ()) -> Team:
    require_administrator(actor)
    with transaction.atomic():
        team = Team.objects.create(name=_clean_name(name))
        members = _members(member_ids)
        team.members.set(members)
        record_audit(actor, "team.created", team, name=team.name,
                     members=sorted(member.pk for member in members))
    return team


def update_team(actor: User, team: Team, name: str, *, member_ids: Iterable[int]) -> Team:
    """Rename the team and set its active members. Deactivated agents who were members stay
    members (the form only offers active agents): reactivating one gives them their teams back."""
    require_administrator(actor)
    with transaction.atomic():
        team = Team.objects.select_for_update().get(pk=team.pk)
        new_name = _clean_name(name, team=team)
        members = _members(member_ids)
        before = set(team.members.filter(is_active=True).values_list("pk", flat=True))
        after = {member.pk for member in members}
        data: dict[str, object] = {}
        if new_name != team.name:
            data["name"] = [team.name, new_name]
            team.name = new_name
            team.save(update_fields=["name"])
        if before != after:
            team.members.remove(*(before - after))
            team.members.add(*(after - before))
            data["added"] = sorted(after - before)
            data["removed"] = sorted(before - after)
        if data:
            record_audit(actor, "team.updated", team, **data)
    return team


def delete_team(actor: User, team: Team) -> None:
    """Delete the row; call `routing.teams.delete_team`, which says what happens to the
    team's conversations and refuses while an SLA policy is limited to the team."""
    require_administrator(actor)
    with transaction.atomic():
        record_audit(actor, "team.deleted", team, name=team.name,
                     members=team.members.count())
        team.delete()
