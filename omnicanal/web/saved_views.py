"""Saved views: a list (which tab, its filters, its order) an agent named, for themselves or
for one of their teams. Every change goes through these functions; the pages only call them.

Who may do what: everyone sees their own views and those shared with a team they belong to;
the owner edits a view, and so does a supervisor when the view is shared (a team's views are
the supervisor's to tidy). Anybody else is told the view does not exist, as a view shared with
another team is not theirs to know about.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from omnicanal.accounts.models import Team, User
from omnicanal.conversations.queries import ListFilters, ListSort, ListView
from omnicanal.core.exceptions import InvalidField, NotFound, PermissionDenied
from omnicanal.web.models import SavedView

NAME_MAX_LENGTH = SavedView._meta.get_field("name").max_length or 80


@dataclass(frozen=True)
class SavedList:
    """What a saved view opens: one list, narrowed and ordered."""

    view: ListView
    filters: ListFilters
    sort: ListSort


def saved_list(saved_view: SavedView) -> SavedList:
    """The list a stored view opens (its fields were checked when it was written)."""
    return SavedList(
        ListView(saved_view.list_view),
        ListFilters.from_query(saved_view.filters),
        ListSort(saved_view.sort),
    )


def visible_saved_views(user: User) -> list[SavedView]:
    """The agent's own views by name, then those shared with their teams by team and name,
    in one query."""
    views = (
        SavedView.objects.filter(
            Q(owner=user) | Q(team__in=Team.objects.filter(members=user).values("pk"))
        )
        .select_related("team", "owner")
    )

    def menu_order(view: SavedView) -> tuple[bool, str, str]:
        is_shared_with_me = view.owner_id != user.pk
        team_name = view.team.name if is_shared_with_me and view.team else ""
        return is_shared_with_me, team_name.casefold(), view.name.casefold()

    return sorted(views, key=menu_order)


def can_edit(user: User, saved_view: SavedView) -> bool:
    return saved_view.owner_id == user.pk or (
        saved_view.team_id is not None and user.is_supervisor_or_above
    )


def shareable_teams(user: User) -> list[Team]:
    """The teams the agent may share a view with: their own; a supervisor, any team."""
    teams = Team.objects.order_by("name")
    return list(teams if user.is_supervisor_or_above else teams.filter(members=user))


def _checked_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise InvalidField("name", _("Give the view a name."))
    if len(name) > NAME_MAX_LENGTH:
        raise InvalidField(
            "name", _("A view's name has %(limit)d characters at most."), limit=NAME_MAX_LENGTH
        )
    return name


def checked_list(query: Mapping[str, str]) -> SavedList:
    """The list a query names, refusing what the list page would silently ignore: a saved
    view must open the list the agent saw, not a broader one."""
    try:
        view = ListView(query.get("view") or ListView.ALL)
        sort = ListSort(query.get("sort") or ListSort.NEWEST)
    except ValueError as exc:
        raise InvalidField("view", _("This list or order does not exist.")) from exc
    asked = {
        key: value for key, value in query.items()
        if key in ListFilters.__dataclass_fields__ and value
    }
    filters = ListFilters.from_query(asked)
    if filters.as_query() != asked:
        raise InvalidField("view", _("One of the filters has a value that does not exist."))
    return SavedList(view, filters, sort)


def _team_for(user: User, team_id: int | None) -> Team | None:
    if team_id is None:
        return None
    team = next((team for team in shareable_teams(user) if team.pk == team_id), None)
    if team is None:
        raise InvalidField("team", _("You can share a view only with a team you belong to."))
    return team


def _save(saved_view: SavedView, update_fields: list[str] | None = None) -> None:
    try:
        with transaction.atomic():
            saved_view.save(update_fields=update_fields)
    except IntegrityError as exc:
        raise InvalidField("name", _("You already have a view with this name.")) from exc


def create_saved_view(
    user: User, name: str, query: Mapping[str, str], *, team_id: int | None = None
) -> SavedView:
    """Save the list `query` describes (as the list page's URL does) under `name`, private
    or shared with `team_id`."""
    name = _checked_name(name)
    saved = checked_list(query)
    saved_view = SavedView(
        name=name, owner=user, team=_team_for(user, team_id), list_view=saved.view.value,
        filters=saved.filters.as_query(), sort=saved.sort.value,
    )
    _save(saved_view)
    return saved_view


def access_saved_view(user: User, saved_view_id: int) -> SavedView:
    """The view if the agent may see it (theirs, or shared with one of their teams)."""
    saved_view = next(
        (view for view in visible_saved_views(user) if view.pk == saved_view_id), None
    )
    if saved_view is None:
        raise NotFound(_("No saved view %(id)s."), id=saved_view_id)
    return saved_view


def _editable(user: User, saved_view_id: int) -> SavedView:
    saved_view = SavedView.objects.select_related("team").filter(pk=saved_view_id).first()
    if saved_view is not None and can_edit(user, saved_view):
        # A supervisor may tidy a team's views without being in the team.
        return saved_view
    if saved_view is None or saved_view not in visible_saved_views(user):
        raise NotFound(_("No saved view %(id)s."), id=saved_view_id)
    raise PermissionDenied(_("Only its owner or a supervisor can change a shared view."))


def rename_saved_view(user: User, saved_view_id: int, name: str) -> SavedView:
    saved_view = _editable(user, saved_view_id)
    saved_view.name = _checked_name(name)
    _save(saved_view, update_fields=["name"])
    return saved_view


def delete_saved_view(user: User, saved_view_id: int) -> None:
    _editable(user, saved_view_id).delete()
