"""An agent's own settings: each change saved and audited, never a password in the log."""

from __future__ import annotations

from typing import Any

import pytest

from omnicanal.accounts.models import AuditLogEntry, User
from omnicanal.accounts.profile import change_password, signature_for, update_profile
from omnicanal.core.exceptions import InvalidInput

pytestmark = pytest.mark.django_db


def save(agent: User, **changes: Any) -> list[str]:
    fields: dict[str, Any] = {
        "name": agent.name, "language": agent.language, "signatures": agent.signatures,
    }
    return update_profile(agent, **{**fields, **changes})


def test_the_name_is_saved_and_audited(agent: User) -> None:
    assert save(agent, name="  Bob   Durand ") == ["name"]
    agent.refresh_from_db()
    assert agent.name == "Bob Durand"
    entry = AuditLogEntry.objects.get(action="profile.updated")
    assert entry.actor == agent
    assert entry.target_id == str(agent.pk)
    assert entry.data == {"fields": ["name"]}


def test_the_language_is_saved(agent: User) -> None:
    save(agent, language="en")
    agent.refresh_from_db()
    assert agent.language == "en"


def test_signatures_are_saved_per_channel_without_trailing_blank_lines(agent: User) -> None:
    save(agent, signatures={"email": "Bob Durand  \nService client\n\n", "sms": ""})
    agent.refresh_from_db()
    # An empty signature is no signature: nothing is stored for it.
    assert agent.signatures == {"email": "Bob Durand\nService client"}
    assert signature_for(agent, "email") == "Bob Durand\nService client"
    assert signature_for(agent, "sms") == ""
    assert signature_for(agent, "voice") == ""


def test_the_audit_names_the_changed_fields_not_their_values(agent: User) -> None:
    save(agent, signatures={"email": "Bob, 06 12 34 56 78"})
    entry = AuditLogEntry.objects.get(action="profile.updated")
    assert entry.data == {"fields": ["signatures"]}


def test_saving_an_unchanged_profile_writes_nothing(agent: User) -> None:
    assert save(agent) == []
    assert not AuditLogEntry.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"name": "   "},
        {"language": "de"},
        {"signatures": {"fax": "Bob"}},
        {"signatures": {"email": "x" * 1001}},
        {"name": "Bob\x00"},
    ],
)
def test_what_cannot_be_saved_is_refused(agent: User, changes: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput):
        save(agent, **changes)
    assert not AuditLogEntry.objects.exists()


def test_a_password_change_is_audited_without_the_password(agent: User) -> None:
    change_password(agent, current="pw-bob-123", new="a-much-longer-passphrase-42")
    agent.refresh_from_db()
    assert agent.check_password("a-much-longer-passphrase-42")
    entry = AuditLogEntry.objects.get(action="profile.password_changed")
    assert entry.data == {}
    assert "passphrase" not in str(entry.data) and agent.password not in str(entry.data)


def test_a_wrong_current_password_changes_nothing(agent: User) -> None:
    with pytest.raises(InvalidInput, match="current password"):
        change_password(agent, current="wrong", new="a-much-longer-passphrase-42")
    agent.refresh_from_db()
    assert agent.check_password("pw-bob-123")
    assert not AuditLogEntry.objects.exists()


def test_a_password_the_validators_refuse_is_refused(agent: User) -> None:
    with pytest.raises(InvalidInput):
        change_password(agent, current="pw-bob-123", new="123")
    agent.refresh_from_db()
    assert agent.check_password("pw-bob-123")
