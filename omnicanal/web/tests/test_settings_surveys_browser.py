"""Settings → Surveys and the detractor follow-ups as an administrator sees them, in French
and English at 1440x900 and 1024x768 (screenshots in test-artifacts/surveys/): nothing
overflows, and marking a follow-up done in the browser closes it."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from omnicanal.accounts.models import Team, User
from omnicanal.contacts.models import Contact
from omnicanal.conversations.models import ChannelKind, Conversation, Inbox
from omnicanal.surveys import actions
from omnicanal.surveys.models import (
    AnswerSource,
    FollowUpStatus,
    FollowUpTask,
    RequestStatus,
    SurveyPolicy,
    SurveyRequest,
)
from omnicanal.testing.live_server import LiveServer
from omnicanal.web.tests.browser import ARTIFACTS, BROWSER_MARKS, in_each_language
from omnicanal.web.tests.test_browser_screenshots import OVERFLOW_JS, WINDOWS

pytestmark = BROWSER_MARKS

FOLDER = ARTIFACTS / "surveys"


def shoot(page: Any, language: str, name: str) -> list[str]:
    FOLDER.mkdir(parents=True, exist_ok=True)
    problems = []
    for width, height in WINDOWS:
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(FOLDER / f"{name}-{language}-{width}x{height}.png"))
        problems += [f"{name} {language} {width}: overflows: {item}"
                     for item in page.evaluate(OVERFLOW_JS)]
    return problems


def detractor(inbox: Inbox, team: Team, agent: User, name: str, kind: str, score: int,
              comment: str) -> None:
    contact = Contact.objects.create(name=name)
    conversation = Conversation.objects.create(
        inbox=inbox, contact=contact, team=team, assignee=agent, status="resolved",
        last_activity_at=timezone.now(),
    )
    now = timezone.now()
    request = SurveyRequest.objects.create(
        kind=kind, conversation=conversation, contact=contact, inbox=inbox, agent=agent,
        team=team, status=RequestStatus.SENT, due_at=now, sent_at=now,
        expires_at=now + timezone.timedelta(days=7),
    )
    actions.record_response(request, score=score, comment=comment, source=AnswerSource.REPLY)


def test_the_survey_pages_in_french_and_english_look_right(
    asgi_live_server: LiveServer, playwright_page: Any, admin: User, agent: User,
) -> None:
    page = playwright_page
    server = asgi_live_server
    sms = Inbox.objects.create(name="SMS boutique", channel=ChannelKind.SMS)
    Inbox.objects.create(name="Support e-mail", channel=ChannelKind.EMAIL,
                         settings={"from_address": "support@omnicanal.example"})
    service = Team.objects.create(name="Service client")
    service.members.add(agent, admin)
    Team.objects.create(name="Ventes")
    SurveyPolicy.objects.create(kind="nps", inbox=sms, is_enabled=True, delay_days=7,
                                question="Recommanderiez-vous notre boutique ?")
    SurveyPolicy.objects.create(kind="csat", inbox=sms, is_enabled=True)
    SurveyPolicy.objects.create(kind="csat", team=service, is_enabled=False)
    detractor(sms, service, agent, "Jeanne Martin", "nps", 3,
              "Trois semaines pour un remboursement, et personne ne rappelle.")
    detractor(sms, service, agent, "Paul Durand", "csat", 1, "")

    problems: list[str] = []
    for language in in_each_language(page, server, admin, "pw-admin-123"):
        page.goto(f"{server.url}/settings/surveys/")
        page.locator(".survey-policies").wait_for(state="visible")
        problems += shoot(page, language, "settings-surveys")

        page.goto(f"{server.url}/surveys/follow-ups/")
        page.locator("#follow-ups").wait_for(state="visible")
        problems += shoot(page, language, "follow-ups")

        # The answer on its conversation, in the header beside the team and the SLA.
        answered = Conversation.objects.get(contact__name="Jeanne Martin")
        page.goto(f"{server.url}/conversations/{answered.pk}/")
        page.locator(".survey-result").wait_for(state="visible")
        problems += shoot(page, language, "conversation-survey")

    first = FollowUpTask.objects.order_by("pk").first()
    assert first is not None
    page.goto(f"{server.url}/surveys/follow-ups/")
    row = page.locator(f"#follow-up-{first.pk}")
    row.locator("textarea").fill("Rappelée, remboursement fait.")
    row.get_by_role("button").click()
    page.wait_for_url(f"{server.url}/surveys/follow-ups/")
    assert page.locator(f"#follow-up-{first.pk}").count() == 0
    first.refresh_from_db()
    assert first.status == FollowUpStatus.DONE
    assert problems == []
