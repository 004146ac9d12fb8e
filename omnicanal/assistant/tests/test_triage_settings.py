"""Settings → Triage: administrators see the active model's figures, retrain it, and map
intents to skills; nobody else opens it."""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult

from omnicanal.accounts.models import User
from omnicanal.assistant.models import IntentSkill
from omnicanal.assistant.training import Example, train
from omnicanal.web.tests.settings_helpers import client_for, post, text

pytestmark = pytest.mark.django_db

PAGE = "/settings/triage/"


def test_agents_and_supervisors_get_403(agent: User, supervisor: User) -> None:
    assert client_for(agent).get(PAGE).status_code == 403
    assert client_for(supervisor).get(PAGE).status_code == 403
    assert client_for(supervisor).post("/settings/triage/retrain/").status_code == 403


def test_the_page_shows_the_active_model_and_its_runs(admin: User) -> None:
    examples = [Example(f"where is my parcel number {n}", "order_status", "team")
                for n in range(30)]
    examples += [Example(f"please refund order {n}", "refund", "team") for n in range(30)]
    train("command", examples=examples)

    page = text(client_for(admin).get(PAGE).content)

    assert "Active model" in page and "Accuracy" in page and "Macro-F1" in page
    assert "order_status" in page and "refund" in page
    assert "Last training runs" in page and "Active" in page


def test_retrain_now_enqueues_a_training(admin: User) -> None:
    response = post(client_for(admin), "/settings/triage/retrain/", {}, page_url=PAGE)

    assert response.status_code == 302
    assert DBTaskResult.objects.filter(task_path__endswith="retrain_triage").exists()


def test_an_administrator_maps_an_intent_to_a_skill(admin: User) -> None:
    response = post(client_for(admin), "/settings/triage/skills/", {
        "intent": ["billing", "refund"], "skill-billing": "facturation", "level-billing": "2",
        "skill-refund": "", "level-refund": "1",
    }, page_url=PAGE)

    assert response.status_code == 302
    assert list(IntentSkill.objects.values_list("intent", "skill", "level")) == [
        ("billing", "facturation", 2)]
    page = client_for(admin).get(PAGE).content.decode()
    assert 'value="facturation"' in page


def test_a_bad_level_is_shown_beside_its_intent(admin: User) -> None:
    response = post(client_for(admin), "/settings/triage/skills/", {
        "intent": ["billing"], "skill-billing": "facturation", "level-billing": "deux",
    }, page_url=PAGE)

    assert response.status_code == 422
    assert "The level is a whole number." in text(response.content)
    assert not IntentSkill.objects.exists()
