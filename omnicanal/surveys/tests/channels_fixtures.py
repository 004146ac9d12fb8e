"""A sent survey on a conversation of a given inbox, for the channel and answer tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from omnicanal.conftest import inbound
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Conversation, Inbox
from omnicanal.surveys.models import RequestStatus, SurveyRequest


def sent_survey(
    inbox: Inbox, kind: str = "nps", *, language: str = "", external_id: str = "m-1",
    expires_in: dt.timedelta | None = dt.timedelta(days=7),
) -> SurveyRequest:
    result = ingest(inbox, inbound(external_id, "Bonjour, où est ma commande ?"))
    conversation = Conversation.objects.get(pk=result.conversation_id)
    if language:
        conversation.language = language
        conversation.save(update_fields=["language"])
    now = timezone.now()
    return SurveyRequest.objects.create(
        kind=kind, conversation=conversation, contact=conversation.contact, inbox=inbox,
        status=RequestStatus.SENT, due_at=now, sent_at=now,
        expires_at=now + expires_in if expires_in is not None else None,
    )
