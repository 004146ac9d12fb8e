"""Settings → Automation in a browser: the rule list, the builder (rows added and changed by
its buttons and script, an error beside its row), a dry run and the run history, in French
and English at both window sizes."""

from __future__ import annotations

from typing import Any

from omnicanal.accounts.models import Language, Team, User
from omnicanal.conftest import inbound
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import ChannelKind, Inbox, Label
from omnicanal.routing.models import AutomationRule, AutomationRun, CannedReply
from omnicanal.testing.live_server import LiveServer
from omnicanal.web.tests.browser import ARTIFACTS, BROWSER_MARKS, log_in

pytestmark = BROWSER_MARKS


def test_the_automation_pages_work_and_look_right_in_french_and_english(
    asgi_live_server: LiveServer, playwright_page: Any, admin: User, agent: User
) -> None:
    from playwright.sync_api import expect

    from omnicanal.web.tests.test_browser_screenshots import check_page, english_strings

    page = playwright_page
    server = asgi_live_server
    support = Team.objects.create(name="Support")
    Team.objects.create(name="Facturation")
    Label.objects.create(name="remboursement")
    canned = CannedReply.objects.create(shortcut="accuse", title="Accusé de réception",
                               text="Bonjour {{contact.first_name}}, nous avons bien reçu votre message.")
    mail = Inbox.objects.create(name="Support e-mail", channel=ChannelKind.EMAIL,
                                settings={"from_address": "support@omnicanal.example"})
    shop = Inbox.objects.create(name="Boutique", channel=ChannelKind.API)
    conversation_id = ingest(shop, inbound("m-1", "Je veux un remboursement")).conversation_id
    refunds = AutomationRule.objects.create(
        name="Remboursements urgents", trigger="message_received", position=0,
        conditions=[{"type": "channel", "values": ["email", "api"]},
                    {"type": "message_text", "words": ["remboursement", "refund"]}],
        actions=[{"type": "assign_team", "team_id": support.pk},
                 {"type": "set_priority", "priority": 1}],
    )
    AutomationRule.objects.create(
        name="Accusé de réception", trigger="conversation_created", position=1,
        conditions=[{"type": "inbox", "values": [mail.pk]}],
        actions=[{"type": "send_canned_reply", "canned_reply_id": canned.pk}], is_active=False,
    )
    AutomationRun.objects.create(
        rule=refunds, rule_name=refunds.name, conversation_id=conversation_id, event_id=1,
        trigger=refunds.trigger, outcomes=[{"type": "assign_team", "ok": True},
                                           {"type": "set_priority", "ok": True}])
    AutomationRun.objects.create(
        rule=refunds, rule_name=refunds.name, conversation_id=conversation_id, event_id=2,
        trigger=refunds.trigger, outcomes=[
            {"type": "assign_team", "ok": False, "error": "No team 7."},
            {"type": "set_priority", "ok": True}])
    english = english_strings()

    problems: list[str] = []
    log_in(page, server, "admin@example.com", "pw-admin-123")
    for language in ("fr", "en"):
        User.objects.filter(pk=admin.pk).update(
            language=Language.FRENCH if language == "fr" else Language.ENGLISH)

        page.goto(f"{server.url}/settings/automation/")
        expect(page.locator("#rules")).to_contain_text("Remboursements urgents")
        problems += check_page(page, language, "settings-automation", english)

        page.goto(f"{server.url}/settings/automation/{refunds.pk}/")
        expect(page.locator("#a1")).to_be_visible()
        problems += check_page(page, language, "settings-automation-rule", english)
        # The page scrolls inside its pane, below what a screenshot of the window shows.
        page.locator("#rule-builder").screenshot(
            path=str(ARTIFACTS / "screenshots" / language / "settings-automation-rule-form.png"))

        # A new rule: a row added by its button, its field changed (the script renders the
        # row again), then saved without a value: the problem shows beside the row.
        page.goto(f"{server.url}/settings/automation/new/")
        page.fill("#id_name", "VIP")
        page.select_option("#new_c", "priority")
        page.locator("button[name=add_c]").click()
        expect(page.locator("#c0 input[name=c0-values]")).to_have_count(4)
        page.select_option("#c0-type", "value_tier")
        expect(page.locator("#c0 input[name=c0-values][value=gold]")).to_have_count(1)
        page.select_option("#new_c", "channel")
        page.locator("button[name=add_c]").click()
        page.locator("#c1 input[value=email]").check()
        page.select_option("#new_a", "add_label")
        page.locator("button[name=add_a]").click()
        page.fill("#a1-name", "vip")
        page.locator(".form-buttons button[name=save]").click()
        expect(page.locator("#c0 .rule-error")).to_be_visible()
        expect(page.locator("#c1 .rule-error")).to_have_count(0)
        problems += check_page(page, language, "settings-automation-error", english)
        page.locator("#rule-builder").screenshot(
            path=str(ARTIFACTS / "screenshots" / language / "settings-automation-error-form.png"))

        page.goto(f"{server.url}/settings/automation/{refunds.pk}/test/"
                  f"?conversation={conversation_id}")
        expect(page.locator(".rule-test-result")).to_be_visible()
        problems += check_page(page, language, "settings-automation-test", english)

        page.goto(f"{server.url}/settings/automation/{refunds.pk}/runs/")
        expect(page.locator("#runs tbody tr")).to_have_count(2)
        problems += check_page(page, language, "settings-automation-runs", english)

    assert problems == [], "\n".join(problems)
    # Nothing was saved by the failed attempts.
    assert not AutomationRule.objects.filter(name="VIP").exists()
