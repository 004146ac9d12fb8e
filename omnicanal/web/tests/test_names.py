"""The names people read, on every screen: a chat visitor is "Visitor N", identities show
without their internal scope, a conversation's title is one short line."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from omnicanal.accounts.models import Language, User
from omnicanal.connectors.base import InboundMessage, Sender, SenderIdentity
from omnicanal.contacts.models import Contact
from omnicanal.contacts.senders import IdentityKind
from omnicanal.conversations import outbox
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import ChannelKind, Conversation, Inbox
from omnicanal.notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db

LONG_TEXT = ("Bonjour, je voudrais savoir pourquoi ma commande 4417 passée la semaine dernière "
             "n'est toujours pas arrivée chez moi à Lyon")
TITLE = "Bonjour, je voudrais savoir pourquoi ma commande 4417…"
# As Django's escaping writes it in the page.
TITLE_HTML = TITLE.replace("'", "&#x27;")


def client_for(user: User) -> Client:
    User.objects.filter(pk=user.pk).update(language=Language.ENGLISH)
    client = Client()
    client.force_login(user)
    return client


def text(html: bytes) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html.decode()).split())


@pytest.fixture
def chat_inbox(db: Any) -> Inbox:
    return Inbox.objects.create(name="Site chat", channel=ChannelKind.WEBCHAT)


@pytest.fixture
def visitor_conversation(chat_inbox: Inbox) -> Conversation:
    """An anonymous visitor of the widget, as webchat.actions identifies one."""
    sender = Sender([SenderIdentity(IdentityKind.WEBCHAT, f"{chat_inbox.pk}:v5ce1bd0a9f3c4e21")])
    result = ingest(chat_inbox, InboundMessage(external_id="v-1", sender=sender, text=LONG_TEXT))
    outbox.process_pending_events()
    return Conversation.objects.select_related("contact").get(pk=result.conversation_id)


def test_the_list_names_the_visitor_and_shows_a_short_title(
    agent: User, visitor_conversation: Conversation
) -> None:
    page = client_for(agent).get(reverse("web:conversations")).content.decode()
    number = visitor_conversation.contact_id
    assert f">Visitor {number}</a>" in page
    subject = visitor_conversation.subject.replace("'", "&#x27;")
    assert f'<p class="row-preview" title="{subject}">' in page  # the whole line on hover
    assert TITLE_HTML in page
    assert "v5ce1bd0a9f3c4e21" not in page


def test_the_conversation_page_names_the_visitor_everywhere(
    agent: User, visitor_conversation: Conversation
) -> None:
    response = client_for(agent).get(reverse("web:conversation", args=[visitor_conversation.pk]))
    page = response.content.decode()
    visitor = f"Visitor {visitor_conversation.contact_id}"
    assert re.search(f'<h2 id="contact-title"><a href="[^"]+">{visitor}</a></h2>', page)
    assert f'<span class="author">{visitor}</span>' in page  # the timeline
    assert re.search(r'<h1 id="conversation-title" title="[^"]*">Bonjour, je voudrais', page)
    assert f"<title>{TITLE_HTML} · {visitor} · Omnicanal</title>" in page
    # The identity shows without the inbox scope.
    assert '<span class="identity-value">v5ce1bd0a9f3c4e21</span>' in page
    assert f"{visitor_conversation.inbox_id}:v5ce1bd0a9f3c4e21" not in page


def test_an_api_customer_number_shows_without_its_inbox_scope(
    agent: User, api_inbox: Inbox
) -> None:
    sender = Sender([SenderIdentity(IdentityKind.EXTERNAL, f"{api_inbox.pk}:CUST-9001")])
    result = ingest(api_inbox, InboundMessage(external_id="a-1", sender=sender, text="Bonjour"))
    client = client_for(agent)
    listing = text(client.get(reverse("web:conversations")).content)
    assert "CUST-9001" in listing
    assert f"{api_inbox.pk}:CUST-9001" not in listing
    page = client.get(reverse("web:conversation", args=[result.conversation_id])).content
    assert f"{api_inbox.pk}:CUST-9001" not in page.decode()


def test_search_names_the_visitor_and_titles_the_conversation(
    agent: User, visitor_conversation: Conversation
) -> None:
    page = client_for(agent).get(reverse("web:search"), {"q": "commande"}).content.decode()
    assert f"Visitor {visitor_conversation.contact_id} · {TITLE_HTML}" in page


def test_the_supervisor_view_names_the_visitor(
    supervisor: User, visitor_conversation: Conversation
) -> None:
    page = text(client_for(supervisor).get(reverse("routing:supervisor")).content)
    assert f"Visitor {visitor_conversation.contact_id}" in page
    assert "Contact #" not in page


def test_a_notification_names_the_visitor_and_the_conversation(
    agent: User, visitor_conversation: Conversation
) -> None:
    Notification.objects.create(
        recipient=agent, kind=Kind.NEW_MESSAGE, conversation=visitor_conversation,
        updated_at=timezone.now(),
    )
    page = text(client_for(agent).get(reverse("notifications:list")).content)
    assert f"from Visitor {visitor_conversation.contact_id}" in page
    assert f"#{visitor_conversation.pk} “{TITLE}”" in page


def test_a_named_contact_keeps_their_name(agent: User, visitor_conversation: Conversation) -> None:
    Contact.objects.filter(pk=visitor_conversation.contact_id).update(name="Paul Girard")
    page = client_for(agent).get(reverse("web:conversations")).content.decode()
    assert ">Paul Girard</a>" in page
