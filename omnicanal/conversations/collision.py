"""Two agents answering one customer at once: a reply written without seeing what arrived
meanwhile (another agent's answer, a new message from the customer) is held back once, so
that the customer does not get two different answers to the same question."""

from __future__ import annotations

from django.db.models import Max, Q
from django.utils.translation import gettext_lazy as _

from omnicanal.accounts.models import User
from omnicanal.conversations.models import Conversation, Direction, Message
from omnicanal.core.exceptions import Conflict

# What the warning shows at most; the agent reads the rest in the timeline.
MAX_ARRIVED_SHOWN = 5


class RepliedMeanwhile(Conflict):
    """The reply was not sent: `arrived` (oldest first) came after the message the agent
    last saw; `latest_message_id` is the newest message of the conversation now."""

    def __init__(self, arrived: list[Message], latest_message_id: int) -> None:
        super().__init__(_("Someone wrote in this conversation since you last looked."))
        self.arrived = arrived
        self.latest_message_id = latest_message_id


def latest_message_id(conversation_id: int) -> int:
    """The newest message of the conversation (0 for none): what a page shows the agent, and
    what its reply form sends back as `seen_message_id`."""
    newest: int | None = Message.objects.filter(conversation_id=conversation_id).aggregate(
        newest=Max("id")
    )["newest"]
    return newest or 0


def check_nothing_arrived(user: User, conversation: Conversation, seen_message_id: int) -> None:
    """Raise RepliedMeanwhile if, after `seen_message_id`, the customer wrote or anyone but
    `user` answered them (a colleague, the bot, an automatic reply). Notes and timeline
    activity do not count: the customer saw none of them.

    The caller holds the conversation's row lock (`reply` does), so of two agents sending at
    the same moment the second one is checked after the first one's reply is written.
    """
    arrived_after = Message.objects.filter(conversation=conversation, pk__gt=seen_message_id)
    arrived = arrived_after.filter(
        Q(direction=Direction.INCOMING)
        | (Q(direction=Direction.OUTGOING) & (Q(author__isnull=True) | ~Q(author=user)))
    )
    newest_first = arrived.select_related("author", "conversation__contact").order_by("-id")
    shown = list(newest_first[:MAX_ARRIVED_SHOWN])
    if shown:
        raise RepliedMeanwhile(shown[::-1], latest_message_id(conversation.pk))
