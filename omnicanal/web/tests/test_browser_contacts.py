"""The contacts pages as an agent uses them, in French then English: the list, a search by
phone number as people type it, the contact's record, a manual merge with its preview, and
its undo. Screenshots at 1440x900 and 1024x768 under test-artifacts/screenshots/{fr,en}/."""

from __future__ import annotations

from typing import Any

from omnicanal.accounts.models import User
from omnicanal.conftest import inbound
from omnicanal.contacts.models import AttributeDefinition, Company, Contact, Identity
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import ChannelKind, Conversation, Inbox
from omnicanal.testing.live_server import LiveServer
from omnicanal.web.tests.browser import (
    BROWSER_MARKS,
    accessibility_problems,
    in_each_language,
    wait_until_live,
)
from omnicanal.web.tests.test_browser_screenshots import check_page, english_strings

pytestmark = BROWSER_MARKS


def _customers() -> tuple[Contact, Contact]:
    shop = Inbox.objects.create(name="Boutique", channel=ChannelKind.API)
    mail = Inbox.objects.create(name="Support e-mail", channel=ChannelKind.EMAIL,
                                settings={"from_address": "support@omnicanal.example"})
    Inbox.objects.create(name="WhatsApp boutique", channel=ChannelKind.WHATSAPP, settings={
        "provider": "whatsapp_cloud", "phone_number_id": "1234", "access_token": "t",
        "app_secret": "s", "verify_token": "v",
        "templates": ["order_ready | fr | Bonjour {{1}}, votre commande {{2}} est prête.",
                      "hello | en | Hello {{1}}, we are answering your message."],
    })
    AttributeDefinition.objects.create(key="plan", label="Formule", type="choice",
                                       choices=["Essentiel", "Pro"])
    AttributeDefinition.objects.create(key="city", label="Ville", type="text")
    lea = Contact.objects.get(pk=ingest(shop, inbound(
        "m-1", "Bonjour, ma commande 4417 n'est pas arrivée.", email="lea.martin@example.fr",
        phone="+33639983891", name="Léa Martin",
    )).contact_id)
    Contact.objects.filter(pk=lea.pk).update(
        company=Company.objects.create(name="Atelier Martin"), attributes={"plan": "Pro"}
    )
    duplicate = Contact.objects.get(pk=ingest(mail, inbound(
        "<m-2@x>", "Re: facture de mars", email="lea.perso@example.fr", name="Léa M.",
    )).contact_id)
    Contact.objects.filter(pk=duplicate.pk).update(attributes={"plan": "Essentiel",
                                                               "city": "Lyon"})
    Identity.objects.create(contact=duplicate, kind="phone", value="+33639983891")
    for number, (name, email) in enumerate([
        ("Paul Durand", "paul@example.fr"), ("Hélène Petit", "helene@example.fr"),
        ("Karim Benali", "karim@example.fr"), ("Sophie Laurent", "sophie@example.fr"),
    ]):
        ingest(shop, inbound(f"o-{number}", "Bonjour", email=email, name=name))
    return lea, duplicate


def test_an_agent_finds_a_contact_by_phone_merges_a_duplicate_and_undoes_it(
    asgi_live_server: LiveServer, playwright_page: Any, agent: User
) -> None:
    from playwright.sync_api import expect

    page = playwright_page
    page.set_default_timeout(30000)  # the machine is shared with other test runs
    server = asgi_live_server
    english = english_strings()
    lea, duplicate = _customers()
    problems: list[str] = []

    for language in in_each_language(page, server, agent, "pw-bob-123"):
        page.goto(f"{server.url}/contacts/")
        wait_until_live(page)
        expect(page.locator(".contact-row")).to_have_count(6)
        problems += check_page(page, language, "contacts-list", english)
        problems += accessibility_problems(page, f"contacts-list-{language}")

        # The number as people say it finds both contacts holding it, listed once each.
        page.fill("#contact-query", "06 39 98 38 91")
        expect(page.locator(".contact-row")).to_have_count(2)
        row = page.locator(".contact-row", has_text="Léa Martin")
        expect(row.locator(".identity-chip", has_text="+33 6 39 98 38 91")).to_have_count(1)
        row.locator("a.contact-link").click()
        page.wait_for_url(f"{server.url}/contacts/{lea.pk}/")
        problems += check_page(page, language, "contact-record", english)
        problems += accessibility_problems(page, f"contact-record-{language}")

        # Writing first on WhatsApp: only an approved template, previewed with its values.
        page.click(f"a[href='/contacts/{lea.pk}/new-conversation/']")
        page.locator(".start-inbox", has_text="WhatsApp boutique").locator("input").check()
        page.fill("#variable-1", "Léa")
        page.fill("#variable-2", "4417")
        expect(page.locator("[data-preview]")).to_have_text(
            "Bonjour Léa, votre commande 4417 est prête."
        )
        expect(page.locator("#start-text")).to_be_hidden()
        problems += check_page(page, language, "contact-new-conversation", english)
        problems += accessibility_problems(page, f"contact-new-conversation-{language}")
        page.go_back()

        # Manual merge: find the duplicate, preview it side by side, confirm.
        page.click(f"a[href='/contacts/{lea.pk}/merge/']")
        page.fill("#merge-query", "perso")
        candidate = page.locator(".merge-candidates li", has_text="Léa M.")
        expect(candidate).to_have_count(1)
        candidate.locator("a").click()
        preview = page.locator(".merge-preview")
        expect(preview.locator(".merge-moves", has_text="lea.perso@example.fr")).to_be_visible()
        # The shared number does not move twice; "plan" differs and Léa Martin's value wins.
        expect(preview.locator(".merge-other .merge-list li")).to_have_count(2)
        expect(preview.locator(".merge-conflicts tbody tr")).to_have_text(
            ["Formule Pro Essentiel"], use_inner_text=True
        )
        problems += check_page(page, language, "contact-merge-preview", english)
        problems += accessibility_problems(page, f"contact-merge-preview-{language}")
        preview.locator(".merge-confirm button").click()
        page.wait_for_url(f"{server.url}/contacts/{lea.pk}/#merges")
        expect(page.locator("#conversations li")).to_have_count(2)
        expect(page.locator(".record-identities li", has_text="+33 6 39 98 38 91")).to_have_count(1)
        problems += check_page(page, language, "contact-record-merged", english)
        assert Contact.objects.get(pk=duplicate.pk).merged_into_id == lea.pk

        # Undo: the duplicate is a contact of its own again, with its conversation.
        page.locator(".record-merges form button").first.click()
        page.wait_for_url(f"{server.url}/contacts/{lea.pk}/#merges")
        expect(page.locator(".alert-success")).to_be_visible()
        expect(page.locator("#conversations li")).to_have_count(1)
        assert Contact.objects.get(pk=duplicate.pk).merged_into_id is None
        assert Conversation.objects.filter(contact=duplicate).count() == 1

    assert problems == [], problems
