"""/profile/ and the names people read, as an agent sees them, in French and English at
1440x900 and 1024x768 (screenshots under test-artifacts/screenshots/{fr,en}/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from omnicanal.accounts.models import User
from omnicanal.conftest import inbound
from omnicanal.connectors.base import InboundMessage, Sender, SenderIdentity
from omnicanal.contacts.models import Contact
from omnicanal.contacts.senders import IdentityKind
from omnicanal.conversations import actions
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import ChannelKind, Inbox
from omnicanal.testing.images import solid_png
from omnicanal.testing.live_server import LiveServer
from omnicanal.web.tests.browser import BROWSER_MARKS, in_each_language, wait_until_live
from omnicanal.web.tests.test_browser_screenshots import check_page, english_strings

pytestmark = BROWSER_MARKS

VISITOR_TEXT = ("Bonjour, je voudrais savoir pourquoi ma commande 4417 passée la semaine "
                "dernière n'est toujours pas arrivée, le suivi ne bouge plus depuis lundi.")


def test_the_profile_and_a_visitors_conversation_look_right(
    asgi_live_server: LiveServer, playwright_page: Any, agent: User, settings: Any,
    tmp_path: Path,
) -> None:
    page = playwright_page
    # Generous: the machine is shared with other test runs.
    page.set_default_timeout(30000)
    server = asgi_live_server
    english = english_strings()
    User.objects.filter(pk=agent.pk).update(
        signatures={"email": "Bob Agent\nService client Omnicanal\n01 23 45 67 89",
                    "webchat": "Bob, service client"}
    )
    agent.refresh_from_db()
    chat = Inbox.objects.create(name="Chat du site", channel=ChannelKind.WEBCHAT)
    shop = Inbox.objects.create(name="Boutique", channel=ChannelKind.API)
    visitor = ingest(chat, InboundMessage(
        external_id="v-1", text=VISITOR_TEXT,
        sender=Sender([SenderIdentity(IdentityKind.WEBCHAT, f"{chat.pk}:v5ce1bd0a9f3c4e21")]),
    ))
    Contact.objects.filter(pk=visitor.contact_id).update(attributes={"city": "Lyon"})
    ingest(chat, InboundMessage(
        external_id="v-2", text="Bonjour",
        sender=Sender([SenderIdentity(IdentityKind.WEBCHAT, f"{chat.pk}:w81d0c2e7a6b5f430")]),
    ))
    ingest(shop, InboundMessage(
        external_id="a-1", text="Ma facture de mars est fausse, pouvez-vous la corriger ?",
        sender=Sender([SenderIdentity(IdentityKind.EXTERNAL, f"{shop.pk}:CUST-9001")]),
    ))
    ingest(shop, inbound("m-1", "Bonjour, ma commande 4417 n'est pas arrivée.",
                         email="jeanne.martin@example.fr", name="Jeanne Martin"))
    actions.reply(agent, visitor.conversation_id, "Bonjour, je regarde tout de suite.")

    problems: list[str] = []
    for language in in_each_language(page, server, agent, "pw-bob-123"):
        if language == "en":
            page.goto(f"{server.url}/")
            wait_until_live(page)
        problems += check_page(page, language, "names-conversations", english)
        assert "v5ce1bd0a9f3c4e21" not in page.content()

        page.goto(f"{server.url}/conversations/{visitor.conversation_id}/")
        wait_until_live(page)
        page.locator("#contact-panel").wait_for(state="visible")
        problems += check_page(page, language, "names-visitor-conversation", english)
        # The timeline shows the reply as the visitor got it: with the signature.
        assert page.locator(".message-signature").inner_text() == "Bob, service client"
        title = page.locator("#conversation-title")
        # One line: the title's box is no taller than one line of its text.
        box = title.bounding_box()
        line_height = float(title.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)"))
        assert box is not None and box["height"] <= line_height * 1.5

        # The profile is in the account menu, behind the agent's avatar in the top bar.
        page.click(".account-button")
        page.click("a.account-name")
        page.wait_for_url(f"{server.url}/profile/")
        problems += check_page(page, language, "profile", english)

    # A photo: uploaded from the profile, shown there at once.
    settings.MEDIA_ROOT = tmp_path
    page.set_input_files("#id_photo", files=[{
        "name": "bob.png", "mimeType": "image/png", "buffer": solid_png(96, 96, (15, 118, 110))}])
    page.click("#photo-save")
    page.wait_for_function(
        "document.querySelector('img.profile-photo-image')?.naturalWidth > 0")
    problems += check_page(page, "en", "profile-photo", english)

    # A wrong current password: the error beside its field, in the page as the agent sees it.
    page.fill("#id_old_password", "not-my-password")
    page.fill("#id_new_password1", "a-much-longer-passphrase-42")
    page.fill("#id_new_password2", "a-much-longer-passphrase-42")
    page.click("#password-save")
    page.locator("#id_old_password_error").wait_for(state="visible")
    problems += check_page(page, "en", "profile-password-error", english)

    assert problems == [], "\n".join(problems)
