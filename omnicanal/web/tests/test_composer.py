"""The composer's server side: drafts kept per agent and conversation, cleared by a send,
never shown to another agent; e-mail formatting sent as sanitised HTML; the send key."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from omnicanal.accounts.models import SendShortcut, User
from omnicanal.conftest import inbound
from omnicanal.connectors.tasks import send_message
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Conversation, Direction, Draft, Inbox
from omnicanal.conversations.richtext import html_to_text, markdown_to_html, sanitize_reply_html

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def conversation(api_inbox: Inbox) -> Conversation:
    return Conversation.objects.get(pk=ingest(api_inbox, inbound("m-1")).conversation_id)


@pytest.fixture
def email_conversation(email_inbox: Inbox) -> Conversation:
    return Conversation.objects.get(
        pk=ingest(email_inbox, inbound("<m-1@example.fr>")).conversation_id
    )


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def save_draft(client: Client, conversation: Conversation, text: str, mode: str = "reply") -> Any:
    url = reverse("web:conversation_draft", args=[conversation.pk])
    return client.post(url, {"text": text, "mode": mode})


def page(client: Client, conversation: Conversation) -> str:
    return client.get(reverse("web:conversation", args=[conversation.pk])).content.decode()


def test_a_draft_is_saved_and_back_in_the_box_on_the_next_visit(
    agent: User, conversation: Conversation
) -> None:
    client = logged_in(agent)

    answer = save_draft(client, conversation, "Je regarde votre <commande>")

    assert answer.status_code == 200 and answer.json()["saved"] is True
    # Another browser of the same agent: the draft follows them, escaped.
    html = page(logged_in(agent), conversation)
    assert "Je regarde votre &lt;commande&gt;</textarea>" in html
    assert 'data-mode="reply"' in html


def test_a_note_draft_reopens_on_the_note_tab(agent: User, conversation: Conversation) -> None:
    client = logged_in(agent)
    save_draft(client, conversation, "Client fidèle", mode="note")

    html = page(client, conversation)

    assert 'data-mode="note"' in html
    assert 'id="composer-tab-note" class="composer-tab composer-tab-note" data-composer-mode="note"\n                  aria-controls="composer-panel" aria-selected="true"' in html


def test_a_draft_is_private_to_its_author(
    agent: User, other_agent: User, conversation: Conversation
) -> None:
    save_draft(logged_in(agent), conversation, "Brouillon confidentiel")

    assert "Brouillon confidentiel" not in page(logged_in(other_agent), conversation)
    # The colleague's own draft does not replace it either.
    save_draft(logged_in(other_agent), conversation, "Autre brouillon")
    assert Draft.objects.get(author=agent).text == "Brouillon confidentiel"


def test_emptying_the_box_deletes_the_draft(agent: User, conversation: Conversation) -> None:
    client = logged_in(agent)
    save_draft(client, conversation, "Bonjour")

    answer = save_draft(client, conversation, "   ")

    assert answer.json()["saved"] is False
    assert not Draft.objects.exists()


@pytest.mark.parametrize("endpoint", ["web:conversation_reply", "web:conversation_note"])
def test_sending_clears_the_draft(agent: User, conversation: Conversation, endpoint: str) -> None:
    client = logged_in(agent)
    save_draft(client, conversation, "Nous regardons.")

    client.post(reverse(endpoint, args=[conversation.pk]), {"text": "Nous regardons."}, **HTMX)

    assert not Draft.objects.filter(author=agent).exists()
    assert "Nous regardons.</textarea>" not in page(client, conversation)


def test_a_reply_held_back_by_a_collision_keeps_the_draft(
    agent: User, conversation: Conversation, api_inbox: Inbox
) -> None:
    client = logged_in(agent)
    save_draft(client, conversation, "Votre colis arrive.")
    seen = conversation.messages.latest("id").pk
    ingest(api_inbox, inbound("m-2", "Finalement je l'ai reçu"))

    answer = client.post(
        reverse("web:conversation_reply", args=[conversation.pk]),
        {"text": "Votre colis arrive.", "seen_message_id": seen}, **HTMX,
    )

    assert answer.status_code == 409
    assert Draft.objects.get(author=agent).text == "Votre colis arrive."


def test_a_draft_of_a_conversation_out_of_reach_is_refused(
    agent: User, conversation: Conversation
) -> None:
    answer = save_draft(logged_in(agent), conversation, "x", mode="sideways")
    assert answer.status_code == 422 and answer.json()["error"]

    missing = reverse("web:conversation_draft", args=[999999])
    assert logged_in(agent).post(missing, {"text": "x"}).status_code == 404
    assert Client().post(missing, {"text": "x"}).status_code in (302, 401, 403)
    assert logged_in(agent).get(
        reverse("web:conversation_draft", args=[conversation.pk])
    ).status_code == 405


def test_an_email_reply_with_formatting_leaves_as_sanitised_html_with_a_text_part(
    agent: User, email_conversation: Conversation, django_capture_on_commit_callbacks: Any
) -> None:
    text = (
        "Bonjour **Jeanne**,\n\nVoici *les étapes* <img src=x onerror=alert(1)>:\n"
        "- ouvrir [le suivi](https://colis.example/suivi)\n- [ceci](javascript:alert(1))\n"
    )
    client = logged_in(agent)

    client.post(reverse("web:conversation_reply", args=[email_conversation.pk]),
                {"text": text}, **HTMX)

    message = email_conversation.messages.get(direction=Direction.OUTGOING)
    assert "<strong>Jeanne</strong>" in message.html and "<em>les étapes</em>" in message.html
    assert '<a href="https://colis.example/suivi"' in message.html
    # The agent's "<img …>" is text, and a javascript: address is no link.
    assert "<img" not in message.html and "&lt;img" in message.html
    assert 'href="javascript' not in message.html
    assert "**" not in message.text and "le suivi (https://colis.example/suivi)" in message.text
    assert send_message.call(message.pk) == "sent"
    sent = mail.outbox[0]
    assert "**" not in sent.body and "- ouvrir le suivi" in sent.body
    html_part = sent.alternatives[0][0]
    assert "<li>ouvrir <a" in html_part and "<img" not in html_part
    # The timeline shows the formatted reply, sanitised.
    shown = page(client, email_conversation)
    assert '<div class="message-text message-rich"><p>Bonjour <strong>Jeanne</strong>' in shown
    assert "<img" not in shown.split('class="message-text message-rich"')[1][:600]


def test_a_channel_without_html_gets_the_text_as_written(
    agent: User, conversation: Conversation
) -> None:
    logged_in(agent).post(reverse("web:conversation_reply", args=[conversation.pk]),
                          {"text": "C'est **urgent**"}, **HTMX)

    message = conversation.messages.get(direction=Direction.OUTGOING)
    assert message.html == "" and message.text == "C'est **urgent**"


def test_the_formatting_buttons_show_only_where_the_channel_takes_html(
    agent: User, conversation: Conversation, email_conversation: Conversation
) -> None:
    client = logged_in(agent)
    assert 'data-format="bold"' in page(client, email_conversation)
    assert 'data-format="bold"' not in page(client, conversation)


def test_the_signature_for_the_channel_is_shown_before_sending(
    agent: User, email_conversation: Conversation, conversation: Conversation
) -> None:
    agent.signatures = {"email": "Bob\nService client"}
    agent.save()
    client = logged_in(agent)

    assert "Service client" in page(client, email_conversation).split('class="composer-signature')[1][:400]
    assert 'class="composer-signature' not in page(client, conversation)


def test_sanitising_keeps_the_allow_list_only() -> None:
    dirty = (
        '<p style="color:red" onclick="x()">Hi <b>there</b> <script>alert(1)</script>'
        '<a href="javascript:alert(1)">bad</a> <a href="https://ok.example" target="_blank">ok</a>'
        '<img src="https://t.example/p.gif"><iframe src="https://x"></iframe></p><p><br></p>'
    )
    clean = sanitize_reply_html(dirty)

    assert clean.startswith("<p>Hi <b>there</b>")
    for forbidden in ("style", "onclick", "script", "javascript", "img", "iframe", "target"):
        assert forbidden not in clean
    assert '<a href="https://ok.example" rel="noopener noreferrer nofollow">ok</a>' in clean
    assert sanitize_reply_html("<p><br></p><div> </div>") == ""


def test_markdown_lists_and_links_read_the_same_in_the_text_part() -> None:
    html = sanitize_reply_html(markdown_to_html("Étapes :\n1. un\n2. deux\n\nVoir [ici](mailto:a@b.fr)"))

    assert html == ('<p>Étapes :</p><ol><li>un</li><li>deux</li></ol>'
                    '<p>Voir <a href="mailto:a@b.fr" rel="noopener noreferrer nofollow">ici</a></p>')
    assert html_to_text(html) == "Étapes :\n\n1. un\n2. deux\n\nVoir ici (a@b.fr)"


def test_the_send_key_is_the_agent_s_choice_on_the_profile(
    agent: User, conversation: Conversation
) -> None:
    client = logged_in(agent)
    assert 'data-send-with="ctrl_enter"' in page(client, conversation)

    answer = client.post(reverse("web:profile"), {
        "form": "profile", "name": agent.name, "language": "en", "send_shortcut": "enter",
    })

    assert answer.status_code == 302
    agent.refresh_from_db()
    assert agent.send_shortcut == SendShortcut.ENTER
    html = page(client, conversation)
    assert 'data-send-with="enter"' in html and "Enter to send · Shift+Enter: new line" in html

    refused = client.post(reverse("web:profile"), {
        "form": "profile", "name": agent.name, "language": "en", "send_shortcut": "space",
    })
    assert refused.status_code == 200 and "space" in refused.content.decode()
    agent.refresh_from_db()
    assert agent.send_shortcut == SendShortcut.ENTER
