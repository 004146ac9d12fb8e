"""PATCH and DELETE /api/v1/inboxes/{id}: the same actions as Settings → Inboxes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from omnicanal.accounts.models import AuditLogEntry, User
from omnicanal.conftest import bearer, inbound
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Conversation, Inbox

pytestmark = pytest.mark.django_db


def call(user: User, method: str, path: str, payload: Any = None) -> Any:
    body = json.dumps(payload) if payload is not None else ""
    return getattr(Client(), method)(path, body, content_type="application/json",
                                      **bearer(user))


def test_patch_renames_and_disables(admin: User, api_inbox: Inbox) -> None:
    answer = call(admin, "patch", f"/api/v1/inboxes/{api_inbox.pk}",
                  {"name": "Partner API", "is_active": False})
    assert answer.status_code == 200
    assert answer.json()["name"] == "Partner API" and answer.json()["is_active"] is False
    api_inbox.refresh_from_db()
    assert not api_inbox.is_active
    assert AuditLogEntry.objects.filter(action="inbox.disabled").count() == 1


def test_patch_refuses_an_empty_name_and_a_non_administrator(
    admin: User, supervisor: User, api_inbox: Inbox
) -> None:
    assert call(admin, "patch", f"/api/v1/inboxes/{api_inbox.pk}",
                {"name": ""}).status_code == 422
    assert call(supervisor, "patch", f"/api/v1/inboxes/{api_inbox.pk}",
                {"is_active": False}).status_code == 403
    assert call(admin, "patch", "/api/v1/inboxes/999999", {"is_active": False}).status_code == 404


def test_delete_without_conversations(admin: User, api_inbox: Inbox) -> None:
    answer = call(admin, "delete", f"/api/v1/inboxes/{api_inbox.pk}")
    assert answer.status_code == 200 and answer.json() == {"deleted_conversations": 0}
    assert not Inbox.objects.filter(pk=api_inbox.pk).exists()


def test_delete_with_conversations_needs_the_name(admin: User, api_inbox: Inbox) -> None:
    ingest(api_inbox, inbound("m-1"))
    refused = call(admin, "delete", f"/api/v1/inboxes/{api_inbox.pk}")
    assert refused.status_code == 422
    assert Conversation.objects.count() == 1
    answer = call(admin, "delete", f"/api/v1/inboxes/{api_inbox.pk}",
                  {"confirmation": "Site API"})
    assert answer.status_code == 200 and answer.json() == {"deleted_conversations": 1}
    assert not Conversation.objects.exists()


def test_delete_is_for_administrators(supervisor: User, api_inbox: Inbox) -> None:
    assert call(supervisor, "delete", f"/api/v1/inboxes/{api_inbox.pk}").status_code == 403
    assert Inbox.objects.filter(pk=api_inbox.pk).exists()
