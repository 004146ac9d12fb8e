"""Background routing work."""

from __future__ import annotations

import datetime as dt
import json
import logging
import time

from django.utils import timezone
from django_tasks import task

from omnicanal.connectors.api.adapter import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from omnicanal.connectors.base import SendError
from omnicanal.connectors.http import post
from omnicanal.conversations.models import OutboxEvent
from omnicanal.routing import sla
from omnicanal.routing.actions import assign_waiting, reconcile_with_conversations
from omnicanal.routing.automation import webhook_body
from omnicanal.routing.models import AutomationRule

logger = logging.getLogger(__name__)


@task()
def sweep_queue() -> int:
    """The full sweep, to schedule every minute or so: the dispatch after each event looks
    only at what the event changed, so a dispatch that failed, or skipped rows another
    transaction held three times over, leaves work that only a full sweep finds."""
    # First what routing counts is brought back to who holds what (see
    # reconcile_with_conversations), so that the sweep offers the slots that are really free.
    reconcile_with_conversations()
    return len(assign_waiting())


@task()
def check_sla_clocks() -> dict[str, int]:
    """Record SLA warnings and breaches that came due; to schedule every minute. An event is
    recorded once per clock however often this runs, or however many run at once."""
    outcome = sla.check_sla_clocks()
    return {"warnings": outcome.warnings, "breaches": outcome.breaches}


WEBHOOK_MAX_ATTEMPTS = 5


@task()
def call_webhook(rule_id: int, action_index: int, event_id: int, attempt: int = 1) -> str:
    """POST a rule's webhook, signed like the API channel's (X-Omnicanal-Signature: sha256=
    HMAC of "<timestamp>.<body>" with the action's secret). A rule, action or event deleted
    meanwhile means there is nothing to say; failures a retry can fix are retried with
    back-off, WEBHOOK_MAX_ATTEMPTS times in all."""
    rule = AutomationRule.objects.filter(pk=rule_id).first()
    event = OutboxEvent.objects.filter(pk=event_id).first()
    actions = rule.actions if rule else []
    if rule is None or event is None or action_index >= len(actions):
        return "gone"
    action = actions[action_index]
    if action.get("type") != "webhook":
        return "gone"
    body = json.dumps(webhook_body(rule, event)).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(action["secret"], timestamp, body),
    }
    try:
        post(action["url"], body, headers)
    except SendError as exc:
        logger.warning("rule %s webhook: %s", rule_id, exc)
        if exc.is_permanent or attempt >= WEBHOOK_MAX_ATTEMPTS:
            return "failed"
        delay = dt.timedelta(seconds=30 * 2 ** (attempt - 1))
        call_webhook.using(run_after=timezone.now() + delay).enqueue(
            rule_id, action_index, event_id, attempt + 1
        )
        return "retrying"
    return "sent"
