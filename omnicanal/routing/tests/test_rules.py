"""The rule catalogue: every condition and action the engine knows has rows in the builder,
a stored rule comes back from its rows unchanged, and rules read as sentences."""

from __future__ import annotations

from typing import Any

import pytest

from omnicanal.accounts.models import Team, User
from omnicanal.conversations.models import Inbox
from omnicanal.routing import automation, rules
from omnicanal.routing.models import AutomationRule, CannedReply

pytestmark = pytest.mark.django_db


def test_the_catalogue_offers_exactly_the_engine_s_conditions_and_actions() -> None:
    assert {kind.type for kind in rules.CONDITIONS} == set(automation.CONDITION_TYPES)
    assert {kind.type for kind in rules.ACTIONS} == set(automation.RULE_ACTIONS)


def stored_examples(inbox: Inbox, team: Team, agent: User, canned: CannedReply
                    ) -> list[dict[str, Any]]:
    return [
        {"type": "channel", "values": ["email", "api"]},
        {"type": "channel_kind", "values": ["chat"]},
        {"type": "inbox", "values": [inbox.pk]},
        {"type": "status", "values": ["open", "pending"]},
        {"type": "priority", "values": [1, 2]},
        {"type": "value_tier", "values": ["gold"]},
        {"type": "label", "name": "vip"},
        {"type": "message_text", "words": ["refund", "remboursement"]},
        {"type": "language", "values": ["fr", "de"]},
        {"type": "contact_attribute", "operator": "contains", "key": "plan", "value": "pro"},
        {"type": "time", "outside": True, "weekdays": [0, 4], "from": "22:00", "to": "06:00",
         "timezone": "Europe/Paris"},
        {"type": "time", "weekdays": [5], "from": "09:00", "to": "18:00",
         "timezone": "Europe/Paris"},
        {"type": "assign_team", "team_id": team.pk},
        {"type": "assign_agent", "agent_id": agent.pk},
        {"type": "set_priority", "priority": 2},
        {"type": "add_label", "name": "vip"},
        {"type": "add_skill", "skill": "billing", "level": 2.5},
        {"type": "send_canned_reply", "canned_reply_id": canned.pk},
        {"type": "snooze", "minutes": 30},
        {"type": "notify", "text": "Nouveau : {{contact.name}}", "agent_ids": [agent.pk],
         "team_id": team.pk, "assignee": True},
    ]


def test_every_stored_condition_and_action_comes_back_from_its_rows_unchanged(
    api_inbox: Inbox, team: Team, agent: User
) -> None:
    canned = CannedReply.objects.create(shortcut="merci", title="Merci", text="Merci !")
    for stored in stored_examples(api_inbox, team, agent, canned):
        catalogue = rules.CONDITION_KINDS if stored["type"] in rules.CONDITION_KINDS else (
            rules.ACTION_KINDS)
        kind = catalogue[stored["type"]]
        assert rules.stored_of(kind, rules.row_of(kind, stored)) == stored


def test_a_webhook_secret_never_goes_back_to_the_form() -> None:
    kind = rules.ACTION_KINDS["webhook"]
    row = rules.row_of(kind, {"type": "webhook", "url": "https://x.example", "secret": "s" * 20})
    assert row.values["secret"] == ""


def test_a_rule_reads_as_a_sentence(team: Team) -> None:
    rule = AutomationRule(
        name="Nuit", trigger="conversation_created",
        conditions=[{"type": "time", "outside": True, "weekdays": [0, 1], "from": "09:00",
                     "to": "18:00", "timezone": "Europe/Paris"},
                    {"type": "priority", "values": [1, 2]}],
        actions=[{"type": "assign_team", "team_id": team.pk}, {"type": "snooze", "minutes": 30}],
    )
    assert rules.summary(rule) == (
        "When a conversation is created, if time is outside Monday, Tuesday 09:00-18:00 and "
        "priority is Urgent or High: assign to the team Support; snooze for 30 minutes"
    )
