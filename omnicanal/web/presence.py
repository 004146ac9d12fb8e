"""Who has a conversation open right now, for "Alice is also viewing".

The state lives in the Django cache: Redis in production, so every ASGI process reads and
writes the same viewers; process memory in the embedded setup, which runs one process. It
is not a table: a heartbeat every 20 seconds from every open page would be a write on the
database that ingest shares (SQLite has one writer), for state worth nothing after a minute.

One key per conversation maps each socket (channel name) to its agent and an expiry. The
page's heartbeat renews the expiry; a socket that closes removes itself; a process that dies
without closing its sockets leaves entries that expire by themselves, and the next heartbeat
on that conversation drops them and tells the others.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.translation import gettext_lazy

from omnicanal.accounts.models import User
from omnicanal.conversations.actions import access_conversation
from omnicanal.core.exceptions import NotFound

HEARTBEAT_SECONDS = 20
# Two missed heartbeats: a page busy for a moment (a long swap, a laptop waking up) does
# not flicker out of the others' headers.
VIEWER_TTL_SECONDS = 3 * HEARTBEAT_SECONDS
# The lock covers one read and one write of a small key: a few milliseconds. Past the wait,
# the update goes ahead unlocked; at worst a viewer is missing until its next heartbeat.
LOCK_TIMEOUT_SECONDS = 5
LOCK_WAIT_SECONDS = 1.0


@dataclass(frozen=True)
class Viewer:
    user_id: int
    name: str

    def as_dict(self) -> dict[str, int | str]:
        return {"user_id": self.user_id, "name": self.name}


@dataclass(frozen=True)
class Change:
    """The viewers after an update, and whether the set of agents differs from before (a
    second tab of the same agent, or a heartbeat, changes nothing the others see)."""

    viewers: list[Viewer]
    is_changed: bool


# channel name -> (user id, display name, expiry as a Unix time)
Entries = dict[str, tuple[int, str, float]]


def group_name(conversation_id: int) -> str:
    """The channel layer group of the sockets viewing a conversation."""
    return f"collision.conversation.{conversation_id}"


def _key(conversation_id: int) -> str:
    return f"collision:viewers:{conversation_id}"


@contextmanager
def _locked(conversation_id: int) -> Iterator[None]:
    # The update is a read-modify-write of one key: two processes adding a viewer at once
    # would each write back a dict without the other's. cache.add is atomic (SET NX on
    # Redis, a lock in the local-memory cache), so it serves as a short mutex.
    lock = f"{_key(conversation_id)}:lock"
    token = secrets.token_hex(8)
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while not cache.add(lock, token, LOCK_TIMEOUT_SECONDS):
        if time.monotonic() > deadline:
            break
        time.sleep(0.005)
    try:
        yield
    finally:
        if cache.get(lock) == token:
            cache.delete(lock)


def _alive(entries: Entries, now: float) -> Entries:
    return {channel: entry for channel, entry in entries.items() if entry[2] > now}


def _viewers(entries: Entries) -> list[Viewer]:
    names = {user_id: name for user_id, name, _ in entries.values()}
    return sorted(
        (Viewer(user_id, name) for user_id, name in names.items()),
        key=lambda viewer: (viewer.name.casefold(), viewer.user_id),
    )


def _update(conversation_id: int, channel_name: str, viewer: Viewer | None, now: float) -> Change:
    key = _key(conversation_id)
    with _locked(conversation_id):
        stored: Entries = cache.get(key) or {}
        before = {entry[0] for entry in stored.values()}
        entries = _alive(stored, now)
        if viewer is None:
            entries.pop(channel_name, None)
        else:
            entries[channel_name] = (viewer.user_id, viewer.name, now + VIEWER_TTL_SECONDS)
        if entries:
            cache.set(key, entries, VIEWER_TTL_SECONDS)
        else:
            cache.delete(key)
    viewers = _viewers(entries)
    return Change(viewers, {v.user_id for v in viewers} != before)


def mark_viewing(
    conversation_id: int, channel_name: str, viewer: Viewer, *, now: float | None = None
) -> Change:
    """The socket `channel_name` shows the conversation (first announce or heartbeat)."""
    return _update(conversation_id, channel_name, viewer, time.time() if now is None else now)


def mark_left(conversation_id: int, channel_name: str, *, now: float | None = None) -> Change:
    """The socket left the conversation: another page, a closed tab, a lost connection."""
    return _update(conversation_id, channel_name, None, time.time() if now is None else now)


def current_viewers(conversation_id: int, *, now: float | None = None) -> list[Viewer]:
    entries: Entries = cache.get(_key(conversation_id)) or {}
    return _viewers(_alive(entries, time.time() if now is None else now))


def check_viewer(user_id: int, conversation_id: int) -> Viewer:
    """The agent as the others will see them, if they may see the conversation; NotFound
    otherwise. The user is read again on every announce: a socket opened before its agent
    was deactivated must stop showing them."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise NotFound(gettext_lazy("No conversation %(id)s."), id=conversation_id)
    access_conversation(user, conversation_id)
    return Viewer(user.pk, user.display_name)
