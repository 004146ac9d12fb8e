"""Training triage on the team's labelled conversations: the labels become intents, the run
is measured on held-back examples, and a model is activated only if it is not worse."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from omnicanal.accounts.models import User
from omnicanal.assistant import triage
from omnicanal.assistant.models import TriageModel, TriageModelStatus
from omnicanal.assistant.training import Example, evaluate, is_held_back, train
from omnicanal.conftest import inbound
from omnicanal.conversations import actions
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Inbox, Status

pytestmark = pytest.mark.django_db

WARRANTY = [
    "Is my Zorblax blender still under warranty after {n} months?",
    "La garantie de mon mixeur Zorblax couvre-t-elle {n} mois ?",
    "My Zorblax warranty card number {n}, is the motor covered?",
    "Extension de garantie Zorblax pour {n} ans possible ?",
]
LOYALTY = [
    "How many fidelity stars do I have on card {n}?",
    "Combien d'étoiles fidélité sur ma carte {n} ?",
    "Can I spend my fidelity stars ({n}) on the next purchase?",
    "Mes étoiles fidélité {n} expirent quand ?",
]


def labelled(inbox: Inbox, admin: User, label: str, texts: list[str], count: int) -> None:
    for n in range(count):
        text = texts[n % len(texts)].format(n=100 + n)
        result = ingest(inbox, inbound(f"{label}-{n}", text, email=f"c{label}{n}@example.com"))
        actions.add_label_by_name(admin, result.conversation_id, label)
        actions.set_status(admin, result.conversation_id, Status.RESOLVED)


def test_a_retrain_over_labelled_conversations_activates_a_model_that_predicts_them(
    api_inbox: Inbox, admin: User
) -> None:
    labelled(api_inbox, admin, "warranty", WARRANTY, 16)
    labelled(api_inbox, admin, "loyalty", LOYALTY, 16)

    run = train("test")

    assert run.status == TriageModelStatus.ACTIVE, run.note
    assert {"warranty", "loyalty", "refund"} <= set(run.labels)
    figures = run.evaluation
    assert figures["n_team"] == 32 and figures["n_test"] > 0
    assert 0 < figures["macro_f1"] <= 1 and "warranty" in figures["per_intent"]
    found = triage.triage_text("Is the Zorblax covered by the warranty for 14 months?")
    assert (found.intent, found.model_id) == ("warranty", run.pk)
    assert triage.triage_text("Il me reste combien d'étoiles fidélité ?").intent == "loyalty"


def test_a_worse_model_is_kept_out_and_the_active_one_stays(api_inbox: Inbox) -> None:
    good = [Example(f"where is my parcel {n}", "order_status", "baseline") for n in range(30)]
    good += [Example(f"refund me for order {n}", "refund", "baseline") for n in range(30)]
    first = train("test", examples=good)
    # The training part mislabelled, the held-back part right: worse on the same items.
    swap = {"refund": "order_status", "order_status": "refund"}
    noisy = [e if is_held_back(e.text) else Example(e.text, swap[e.intent], "team")
             for e in good]
    second = train("test", examples=noisy)

    first.refresh_from_db()
    assert first.status == TriageModelStatus.ACTIVE
    assert second.status == TriageModelStatus.KEPT_OUT
    assert second.evaluation["compared_with"]["model"] == first.pk


def test_too_little_data_is_a_failed_run_that_says_why() -> None:
    run = train("test", examples=[Example("hello", "greeting", "team")])

    assert run.status == TriageModelStatus.FAILED and "Too little data" in run.note
    assert not TriageModel.objects.filter(status=TriageModelStatus.ACTIVE).exists()


def test_the_command_trains_and_says_how_it_went() -> None:
    out = StringIO()
    call_command("train_triage", stdout=out)

    assert '"status": "active"' in out.getvalue()
    assert TriageModel.objects.get().requested_by == "command"


def test_retrain_now_enqueues_the_task(admin: User) -> None:
    triage.request_retraining(admin)

    assert DBTaskResult.objects.filter(task_path__endswith="retrain_triage").count() == 1


def test_evaluation_figures() -> None:
    figures = evaluate(["a", "a", "b", "b"], ["a", "b", "b", "b"])

    assert figures["accuracy"] == 0.75
    assert figures["per_intent"]["a"] == {"precision": 1.0, "recall": 0.5, "f1": 0.6667,
                                          "support": 2}
    assert figures["worst_pairs"] == [{"true": "a", "predicted": "b", "count": 1}]
