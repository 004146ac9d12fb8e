"""Triage of every customer message: its language, sentiment, urgency and intent (with the
active model's confidence), stored per message (`MessageTriage`) and copied onto the
conversation through `conversations.actions.record_triage`, which emits
"conversation.triaged".

The handler subscribes to "message.created" in `AssistantConfig.ready`, which runs after
`RoutingConfig.ready`: routing has queued the conversation already, so triage can add the
skill its intent needs and raise its priority (both through routing's and conversations' own
actions). Automation rules that read triage (intent, message language, sentiment, urgent)
wait for "conversation.triaged" instead of "message.created" (routing/automation.py): one
evaluation per message, after triage, whatever the subscribers' order.

Idempotent: a message already triaged is left alone, so a retry after a crash writes nothing
twice; a failure rolls back the whole handling (one savepoint) and is retried by the outbox.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from omnicanal.accounts.actions import record_audit, require_administrator
from omnicanal.accounts.models import User
from omnicanal.assistant import language as languages
from omnicanal.assistant import sentiment as sentiments
from omnicanal.assistant.classifier import OUT_OF_SCOPE, IntentClassifier, Prediction
from omnicanal.assistant.models import IntentSkill, MessageTriage, TriageModel, TriageModelStatus
from omnicanal.conversations import actions as conversation_actions
from omnicanal.conversations.events import caused_by, realtime_paused
from omnicanal.conversations.models import Conversation, Direction, Message, OutboxEvent, Priority
from omnicanal.core.exceptions import DomainError, InvalidField
from omnicanal.routing import actions as routing_actions
from omnicanal.routing.automation import automation_user

logger = logging.getLogger(__name__)

CAUSE = "triage"
# Below this confidence a message's intent is stored on its triage row but not acted on: the
# conversation keeps the intent it had (none at first), no skill is added. (Out-of-scope
# messages are the classifier's own decision; this only drops its weakest guesses.)
MIN_CONFIDENCE = 0.35


@dataclass(frozen=True)
class Triage:
    language: str
    sentiment: str
    urgent: bool
    intent: str
    confidence: float | None
    cues: list[str]
    model_id: int | None


# The active model, loaded once per process and again when another one is activated (known
# by its id and the moment it finished: ids are reused after a rolled-back test).
_loaded: dict[tuple[int, object], IntentClassifier] = {}
_lock = threading.Lock()


def active_model() -> tuple[int | None, IntentClassifier | None]:
    """(TriageModel id, classifier) of the active model; (None, baseline classifier) before
    any training ran, the baseline trained in this process once."""
    row = (
        TriageModel.objects.filter(status=TriageModelStatus.ACTIVE)
        .values_list("pk", "finished_at").first()
    )
    if row is None:
        from omnicanal.assistant.training import baseline_classifier

        return None, baseline_classifier()
    with _lock:
        classifier = _loaded.get(row)
        if classifier is None:
            data = TriageModel.objects.filter(pk=row[0]).values_list("data", flat=True).first()
            if not data:
                return row[0], None
            classifier = IntentClassifier.from_bytes(bytes(data))
            _loaded.clear()
            _loaded[row] = classifier
    return row[0], classifier


def triage_text(text: str) -> Triage:
    """Everything triage decides about one text (no writes)."""
    signals = sentiments.analyse(text)
    model_id, classifier = active_model()
    prediction: Prediction | None = None
    if classifier is not None and text.strip():
        prediction = classifier.predict([text[:2000]])[0]
    return Triage(
        language=languages.detect(text),
        sentiment=signals.sentiment,
        urgent=signals.urgent,
        intent=prediction.label if prediction else "",
        confidence=round(prediction.confidence, 4) if prediction else None,
        cues=signals.cues[:20],
        model_id=model_id,
    )


def target_priority(triage: Triage) -> int | None:
    """The priority an urgent or negative message asks for (never lowered by triage)."""
    if triage.urgent:
        return int(Priority.URGENT)
    if triage.sentiment == sentiments.NEGATIVE:
        return int(Priority.HIGH)
    return None


def handle_message_created(event: OutboxEvent) -> None:
    if event.payload.get("direction") != "incoming" or not event.payload.get("message_id"):
        return
    # A message of an imported history: triaged, without pushing to every open workspace.
    with realtime_paused() if event.payload.get("quiet") else contextlib.nullcontext():
        triage_message(int(event.payload["message_id"]))


def triage_message(message_id: int) -> MessageTriage | None:
    """Triage one incoming message and act on it; None when it was triaged before (or is not
    a customer's)."""
    message = (
        Message.objects.select_related("conversation")
        .filter(pk=message_id, direction=Direction.INCOMING).first()
    )
    if message is None or message.is_auto_reply:
        return None
    if MessageTriage.objects.filter(message_id=message_id).exists():
        return None
    result = triage_text(message.text or "")
    with transaction.atomic():
        row = MessageTriage.objects.create(
            message=message, language=result.language, intent=result.intent,
            confidence=result.confidence, sentiment=result.sentiment, urgent=result.urgent,
            cues=result.cues, model_id=result.model_id,
        )
        _apply(message, result)
    return row


def _apply(message: Message, result: Triage) -> None:
    conversation: Conversation = message.conversation
    is_first = not Message.objects.filter(
        conversation=conversation, direction=Direction.INCOMING, pk__lt=message.pk
    ).exists()
    in_scope = (
        bool(result.intent) and result.intent != OUT_OF_SCOPE
        and (result.confidence or 0) >= MIN_CONFIDENCE
    )
    # The conversation keeps what it is about when a later message says nothing new ("ok
    # thanks" is out of scope, an emoji has no language).
    intent = result.intent if in_scope else conversation.intent
    confidence = result.confidence if in_scope else conversation.intent_confidence
    with caused_by(CAUSE):
        conversation_actions.record_triage(
            conversation.pk, intent=intent, intent_confidence=confidence,
            language=result.language or conversation.language, sentiment=result.sentiment,
            is_urgent=result.urgent, message_id=message.pk, is_first_message=is_first,
        )
        wanted = target_priority(result)
        if wanted is not None and conversation.priority > wanted:
            conversation_actions.set_priority(automation_user(), conversation.pk, wanted)
        if in_scope:
            mapping = IntentSkill.objects.filter(intent=result.intent).first()
            if mapping is not None:
                try:
                    routing_actions.update_requirements(
                        conversation.pk, add_skills={mapping.skill: mapping.level}
                    )
                except DomainError as exc:  # a skill name routing refuses: logged, not fatal
                    logger.warning("triage skill %s refused: %s", mapping.skill, exc)


# Administrators' settings.


SKILL_NAME_MAX_LENGTH = 50


def known_intents() -> list[str]:
    """The intents the active model (or the baseline) names, out-of-scope left out, and any
    already mapped to a skill."""
    _model_id, classifier = active_model()
    labels = set(classifier.labels if classifier is not None else [])
    labels |= set(IntentSkill.objects.values_list("intent", flat=True))
    return sorted(label for label in labels if label != OUT_OF_SCOPE)


def set_intent_skills(user: User, mapping: dict[str, tuple[str, int]]) -> int:
    """Replace the intent → (skill, level) mapping (an empty skill removes an intent's);
    returns how many intents are mapped. Administrators only; audited."""
    require_administrator(user)
    cleaned: dict[str, tuple[str, int]] = {}
    for intent, (skill, level) in mapping.items():
        skill = skill.strip()
        if not skill:
            continue
        if len(skill) > SKILL_NAME_MAX_LENGTH:
            raise InvalidField(f"skill-{intent}", _("A skill name is at most 50 characters."))
        if not 0 <= level <= 10:
            raise InvalidField(f"level-{intent}", _("A level goes from 0 to 10."))
        cleaned[intent[:100]] = (skill, level)
    with transaction.atomic():
        IntentSkill.objects.exclude(intent__in=cleaned).delete()
        for intent, (skill, level) in cleaned.items():
            IntentSkill.objects.update_or_create(
                intent=intent, defaults={"skill": skill, "level": level, "updated_by": user}
            )
        record_audit(user, "triage.skills_updated", None,
                     mapping={i: {"skill": s, "level": lv} for i, (s, lv) in cleaned.items()})
    return len(cleaned)


def request_retraining(user: User) -> None:
    """The settings page's "Retrain now": the training runs in a task worker."""
    from omnicanal.assistant.tasks import retrain_triage

    require_administrator(user)
    with transaction.atomic():
        record_audit(user, "triage.retrain_requested", None)
        retrain_triage.enqueue("button")
