"""Who may do what to a conversation: each rule once.

The actions call these checks, so every edge that goes through them (pages, API routes,
macros, automation rules, the conversation tools) meets the same rule; pages that show or
hide a control ask the `may_*` predicates, never the roles themselves.

The rule that matters most: agents act on what is theirs or unassigned; a colleague's
conversation is a supervisor's call (reassigning it, unassigning it, moving it to another
team, transferring, merging or splitting it). Routing's dispatcher is trusted and goes
through `actions.assign_from_routing`, which checks none of this.
"""

from __future__ import annotations

import enum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from omnicanal.accounts.models import User
from omnicanal.conversations.models import Conversation
from omnicanal.core.exceptions import PermissionDenied


class Change(enum.Enum):
    """What an agent does to a conversation that may be a colleague's."""

    REASSIGN = "reassign"
    UNASSIGN = "unassign"
    CHANGE_TEAM = "change team"
    TRANSFER = "transfer"
    MERGE = "merge"
    SPLIT = "split"


_COLLEAGUES_REFUSALS: dict[Change, Promise] = {
    Change.REASSIGN: _("Only a supervisor can reassign a colleague's conversation."),
    Change.UNASSIGN: _("Only a supervisor can unassign someone else."),
    Change.CHANGE_TEAM: _("Only a supervisor can move a colleague's conversation to another "
                          "team."),
    Change.TRANSFER: _("Only a supervisor can transfer a colleague's conversation."),
    Change.MERGE: _("Only a supervisor can merge a colleague's conversation."),
    Change.SPLIT: _("Only a supervisor can split a colleague's conversation."),
}


def is_colleagues(user: User, conversation: Conversation) -> bool:
    """Held by another agent than `user`."""
    return conversation.assignee_id not in (None, user.pk)


def may_change(user: User, conversation: Conversation) -> bool:
    """May `user` reassign, unassign, move, transfer, merge or split this conversation."""
    return user.is_active and (
        not is_colleagues(user, conversation) or user.is_supervisor_or_above
    )


def check_may_change(user: User, conversation: Conversation, change: Change) -> None:
    if not may_change(user, conversation):
        raise PermissionDenied(_COLLEAGUES_REFUSALS[change])


def may_create_label(user: User) -> bool:
    """Supervisors curate the labels so that the list stays short and shared."""
    return user.is_active and user.is_supervisor_or_above


def check_may_create_label(user: User) -> None:
    if not may_create_label(user):
        raise PermissionDenied(_("Only a supervisor can create a label."))


def check_may_manage_labels(user: User) -> None:
    """Renaming, recolouring, deleting: the same people who create labels."""
    if not may_create_label(user):
        raise PermissionDenied(_("Only a supervisor can change or delete a label."))


def may_export(user: User, conversation: Conversation) -> bool:
    """Every agent who may see the conversation may export it (the export is audited)."""
    return user.is_active
