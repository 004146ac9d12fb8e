from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from omnicanal.accounts.models import Language, Team, User
from omnicanal.conftest import inbound
from omnicanal.contacts.models import AttributeDefinition, Contact
from omnicanal.conversations import actions
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import (
    ChannelKind,
    Conversation,
    DeliveryStatus,
    Direction,
    Inbox,
    Message,
    Status,
)

HTMX = {"HTTP_HX_REQUEST": "true"}


def receive(inbox: Inbox, external_id: str, text: str = "Bonjour", **sender: Any) -> Conversation:
    result = ingest(inbox, inbound(external_id, text, **sender))
    return Conversation.objects.get(pk=result.conversation_id)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def conversation(api_inbox: Inbox) -> Conversation:
    return receive(api_inbox, "m-1", "Ma commande 4417 n'est pas arrivée.")


@pytest.fixture
def english_agent(agent: User) -> User:
    User.objects.filter(pk=agent.pk).update(language=Language.ENGLISH)
    agent.refresh_from_db()
    return agent


def conversation_url(conversation: Conversation, action: str = "") -> str:
    name = f"web:conversation_{action}" if action else "web:conversation"
    return reverse(name, args=[conversation.pk])


# Login and access


@pytest.mark.parametrize(
    ("method", "name"),
    [
        ("get", "web:conversation"),
        ("post", "web:conversation_reply"),
        ("post", "web:conversation_note"),
        ("post", "web:conversation_assign"),
        ("post", "web:conversation_status"),
    ],
)
def test_every_conversation_view_sends_an_anonymous_visitor_to_the_login_page(
    conversation: Conversation, method: str, name: str
) -> None:
    url = reverse(name, args=[conversation.pk])

    response = getattr(Client(), method)(url, {"text": "Bonjour"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")
    # Nothing was written on the anonymous visitor's behalf.
    assert conversation.messages.count() == 1


def test_the_list_sends_an_anonymous_visitor_to_the_login_page(db: Any) -> None:
    response = Client().get(reverse("web:conversations"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_agent_logs_in_with_email_and_password_and_lands_on_the_list(agent: User) -> None:
    client = Client()

    response = client.post(
        reverse("login"), {"username": "bob@example.com", "password": "pw-bob-123"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("web:conversations")
    assert client.get(reverse("web:conversations")).status_code == 200


def test_a_deactivated_agent_cannot_log_in(agent: User) -> None:
    User.objects.filter(pk=agent.pk).update(is_active=False)

    response = Client().post(
        reverse("login"), {"username": "bob@example.com", "password": "pw-bob-123"}
    )

    assert response.status_code == 200
    assert b"alert-error" in response.content


def test_a_session_outliving_its_agents_deactivation_no_longer_opens_the_workspace(
    agent: User,
) -> None:
    client = client_for(agent)
    User.objects.filter(pk=agent.pk).update(is_active=False)

    response = client.get(reverse("web:conversations"))

    assert response.status_code == 302


def test_logging_out_ends_the_session(agent: User) -> None:
    client = client_for(agent)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert client.get(reverse("web:conversations")).status_code == 302


def test_an_unknown_conversation_is_a_404(agent: User) -> None:
    response = client_for(agent).get(reverse("web:conversation", args=[999]))

    assert response.status_code == 404


# The conversation list


def test_the_list_shows_contact_channel_subject_preview_assignee_and_waiting_time(
    agent: User, other_agent: User, conversation: Conversation
) -> None:
    actions.assign(other_agent, conversation.pk, assignee_id=other_agent.pk)

    page = client_for(agent).get(reverse("web:conversations")).content.decode()

    assert "Jeanne Martin" in page
    assert "Site API" in page
    assert "Ma commande 4417 n&#x27;est pas arrivée." in page  # subject and preview
    assert "Carol Agent" in page
    assert "En attente depuis" in page


def test_the_preview_is_the_last_message_and_says_when_it_is_our_reply(
    agent: User, conversation: Conversation
) -> None:
    actions.reply(agent, conversation.pk, "Nous regardons tout de suite.")

    page = client_for(agent).get(reverse("web:conversations")).content.decode()

    assert re.search(r"Réponse\s:</span>\s*Nous regardons tout de suite.", page)


def test_the_mine_view_shows_only_the_agents_conversations(
    agent: User, api_inbox: Inbox
) -> None:
    mine = receive(api_inbox, "m-1", email="paul@example.fr", name="Paul Mien")
    receive(api_inbox, "m-2", email="lea@example.fr", name="Léa Autre")
    actions.assign(agent, mine.pk, assignee_id=agent.pk)

    page = client_for(agent).get(reverse("web:conversations"), {"view": "mine"}).content

    assert b"Paul Mien" in page
    assert "Léa Autre".encode() not in page


def test_the_unassigned_view_leaves_out_assigned_conversations(
    agent: User, api_inbox: Inbox
) -> None:
    taken = receive(api_inbox, "m-1", email="paul@example.fr", name="Paul Pris")
    receive(api_inbox, "m-2", email="lea@example.fr", name="Léa Libre")
    actions.assign(agent, taken.pk, assignee_id=agent.pk)

    page = client_for(agent).get(reverse("web:conversations"), {"view": "unassigned"}).content

    assert "Léa Libre".encode() in page
    assert b"Paul Pris" not in page


def test_the_list_shows_open_conversations_unless_another_status_is_asked(
    agent: User, api_inbox: Inbox
) -> None:
    done = receive(api_inbox, "m-1", email="paul@example.fr", name="Paul Résolu")
    receive(api_inbox, "m-2", email="lea@example.fr", name="Léa Ouverte")
    actions.set_status(agent, done.pk, Status.RESOLVED)
    client = client_for(agent)

    default = client.get(reverse("web:conversations")).content.decode()
    resolved = client.get(reverse("web:conversations"), {"status": "resolved"}).content.decode()

    assert "Léa Ouverte" in default and "Paul Résolu" not in default
    assert "Paul Résolu" in resolved and "Léa Ouverte" not in resolved


def test_the_newest_activity_comes_first(agent: User, api_inbox: Inbox) -> None:
    receive(api_inbox, "m-1", email="ancien@example.fr", name="Ancien Client")
    receive(api_inbox, "m-2", email="recent@example.fr", name="Récent Client")

    page = client_for(agent).get(reverse("web:conversations")).content.decode()

    assert page.index("Récent Client") < page.index("Ancien Client")


def _conversations_with_ties(inbox: Inbox, count: int) -> list[Conversation]:
    """`count` conversations, several sharing one last_activity_at so that the id must break
    the tie: the case where a cursor on the timestamp alone repeats or skips rows."""
    moment = timezone.now() - dt.timedelta(hours=1)
    conversations = []
    for index in range(count):
        conversation = receive(inbox, f"m-{index}", email=f"client{index}@example.fr",
                               name=f"Client {index:02d}")
        Conversation.objects.filter(pk=conversation.pk).update(
            last_activity_at=moment - dt.timedelta(minutes=index // 4)
        )
        conversations.append(conversation)
    return conversations


def _row_ids(html: str) -> list[int]:
    return [int(value) for value in re.findall(r'data-conversation-id="(\d+)"', html)]


def test_keyset_pagination_returns_the_next_page_without_repeats_or_gaps(
    agent: User, api_inbox: Inbox
) -> None:
    conversations = _conversations_with_ties(api_inbox, 30)
    client = client_for(agent)

    first = client.get(reverse("web:conversations")).content.decode()
    next_url = re.search(r'hx-get="([^"]*after=[^"]*)"', first)
    assert next_url is not None
    second = client.get(next_url.group(1).replace("&amp;", "&"), **HTMX).content.decode()

    first_ids, second_ids = _row_ids(first), _row_ids(second)
    assert len(first_ids) == 25
    assert len(second_ids) == 5
    assert set(first_ids).isdisjoint(second_ids)
    expected = sorted(
        Conversation.objects.filter(pk__in=[c.pk for c in conversations]),
        key=lambda c: (c.last_activity_at, c.pk),
        reverse=True,
    )
    assert first_ids + second_ids == [c.pk for c in expected]
    # The last page offers no further page.
    assert "after=" not in second


def test_a_page_costs_the_same_number_of_queries_whatever_its_size(
    agent: User, api_inbox: Inbox, django_assert_max_num_queries: Any
) -> None:
    client = client_for(agent)
    receive(api_inbox, "m-0", email="a@example.fr")
    with django_assert_max_num_queries(100) as small:
        client.get(reverse("web:conversations"), **HTMX)

    _conversations_with_ties(api_inbox, 20)
    Conversation.objects.update(assignee=agent)
    with django_assert_max_num_queries(100) as large:
        client.get(reverse("web:conversations"), **HTMX)

    assert len(large.captured_queries) == len(small.captured_queries)


def test_an_htmx_request_for_a_later_page_gets_only_rows(
    agent: User, api_inbox: Inbox
) -> None:
    _conversations_with_ties(api_inbox, 27)
    client = client_for(agent)
    first = client.get(reverse("web:conversations")).content.decode()
    next_url = re.search(r'hx-get="([^"]*after=[^"]*)"', first)
    assert next_url is not None

    rows = client.get(next_url.group(1).replace("&amp;", "&"), **HTMX).content.decode()

    assert rows.lstrip().startswith("<li")
    assert "<html" not in rows


def test_an_htmx_refresh_of_the_list_gets_the_list_without_the_page(
    agent: User, conversation: Conversation
) -> None:
    fragment = client_for(agent).get(reverse("web:conversations"), **HTMX).content.decode()

    assert '<ol class="conversation-list">' in fragment
    assert "<html" not in fragment


def test_a_stale_or_forged_cursor_shows_the_first_page(
    agent: User, conversation: Conversation
) -> None:
    response = client_for(agent).get(reverse("web:conversations"), {"after": "x-'; DROP"})

    assert response.status_code == 200
    assert _row_ids(response.content.decode()) == [conversation.pk]


# The conversation page


def test_the_timeline_shows_another_conversation_of_the_same_contact_from_another_inbox(
    agent: User, api_inbox: Inbox, email_inbox: Inbox
) -> None:
    by_api = receive(api_inbox, "m-1", "Via le site : où est mon colis ?")
    by_mail = receive(email_inbox, "<a@example.fr>", "Par e-mail : toujours rien reçu.")
    assert by_api.contact_id == by_mail.contact_id

    page = client_for(agent).get(conversation_url(by_mail)).content.decode()

    assert "Via le site : où est mon colis ?" in page
    assert "Par e-mail : toujours rien reçu." in page
    # The other conversation is one collapsed block, linked, above the current one's messages.
    assert f'href="{conversation_url(by_api)}"' in page
    assert "Site API" in page
    assert f'<details class="history-block" id="history-{by_api.pk}"' in page
    timeline = page[page.index('id="timeline"'):]
    current = timeline[timeline.index('class="current-conversation"'):timeline.index('id="contact-panel"')]
    assert "Par e-mail : toujours rien reçu." in current
    assert "Via le site" not in current
    assert timeline.index("Via le site") < timeline.index("Par e-mail")


def test_conversations_running_side_by_side_are_one_block_each_never_interleaved(
    agent: User, api_inbox: Inbox, email_inbox: Inbox
) -> None:
    shop = Inbox.objects.create(name="Boutique", channel=ChannelKind.API)
    start = timezone.now() - dt.timedelta(days=3)
    # The customer writes on the site and by e-mail turn by turn: in date order alone, the
    # two conversations' messages would alternate (and each switch drew a header).
    for turn in range(3):
        by_api = receive(api_inbox, f"s-{turn}", f"Site {turn}")
        by_mail = receive(email_inbox, f"<e-{turn}@x>", f"Mail {turn}")
        Message.objects.filter(text=f"Site {turn}").update(
            created_at=start + dt.timedelta(minutes=2 * turn))
        Message.objects.filter(text=f"Mail {turn}").update(
            created_at=start + dt.timedelta(minutes=2 * turn + 1))
    current = receive(shop, "b-1", "Boutique : et ma commande ?")

    page = client_for(agent).get(conversation_url(current)).content.decode()

    blocks = re.findall(r'<details class="history-block" id="history-(\d+)"(.*?)</details>', page, re.S)
    assert [int(pk) for pk, _ in blocks] == [by_api.pk, by_mail.pk]
    site, mail = (html for _, html in blocks)
    texts = r'<div class="message-text">([^<]*)</div>'
    assert re.findall(texts, site) == ["Site 0", "Site 1", "Site 2"]
    assert re.findall(texts, mail) == ["Mail 0", "Mail 1", "Mail 2"]
    # Collapsed, with what the line says: its count of messages.
    assert "open" not in site.split(">", 1)[0]
    assert "3 messages" in site
    current_part = page[page.index('class="current-conversation"'):page.index('id="contact-panel"')]
    assert "Boutique : et ma commande ?" in current_part and "Site 0" not in current_part


def test_consecutive_messages_of_the_customer_share_one_name_and_avatar(
    agent: User, api_inbox: Inbox
) -> None:
    conversation = receive(api_inbox, "m-1", "Bonjour")
    receive(api_inbox, "m-2", "Ma commande 4417 n'est pas arrivée.")
    receive(api_inbox, "m-3", "Pouvez-vous vérifier ?")

    page = client_for(agent).get(conversation_url(conversation)).content.decode()

    current_part = page[page.index('class="current-conversation"'):page.index('id="contact-panel"')]
    assert current_part.count('class="message-group group-incoming"') == 1
    assert current_part.count('data-direction="incoming"') == 3
    assert 'class="day-separator"><time datetime="' in current_part


def test_the_header_reaches_every_action_through_its_menus(
    agent: User, conversation: Conversation
) -> None:
    page = client_for(agent).get(conversation_url(conversation)).content.decode()
    header = page[page.index('id="conversation-header"'):page.index('id="timeline"')]

    # Each menu is a button that says whether its panel is open, the panel hidden at first.
    for menu in ("assign-menu", "labels-menu", "priority-menu", "snooze-menu", "more-menu"):
        assert f'aria-expanded="false" aria-controls="{menu}"' in header
        assert f'id="{menu}"' in header and header.split(f'id="{menu}"')[1].startswith(
            (" hidden", " data-focus-pressed hidden"))
    for action in ("assign", "status", "priority", "snooze", "label_add"):
        url = reverse(f"web:conversation_{action}", args=[conversation.pk])
        assert f'hx-post="{url}"' in header, action
    # Presets, and a date of the agent's choosing, to snooze.
    assert header.count('name="until" value="') == 4
    assert 'id="snooze-until" type="datetime-local"' in header
    for dialog in ("transfer-dialog", "export-dialog"):
        assert f'data-open-dialog="{dialog}"' in header and f'<dialog id="{dialog}"' in page
    # No row of dropdowns in the header any more.
    assert "<select" not in header


def test_the_timeline_leaves_out_other_contacts(
    agent: User, api_inbox: Inbox, conversation: Conversation
) -> None:
    receive(api_inbox, "m-2", "Message d'un autre client", email="autre@example.fr")

    page = client_for(agent).get(conversation_url(conversation)).content.decode()
    # The list beside it shows the other conversation; its timeline must not.
    timeline = page.split('id="timeline"')[1].split('class="composer"')[0]

    assert "Message d&#x27;un autre client" not in timeline
    assert "Message d&#x27;un autre client" in page


def test_a_failed_outgoing_message_shows_its_reason(
    agent: User, conversation: Conversation
) -> None:
    message = actions.reply(agent, conversation.pk, "Voici le suivi.")
    actions.record_send_failure(message.pk, "HTTP 410 from https://shop.example: gone",
                                is_final=True)

    page = client_for(agent).get(conversation_url(conversation)).content.decode()

    assert "delivery-failed" in page
    assert "Échec" in page
    assert "HTTP 410 from https://shop.example: gone" in page


def test_a_pending_outgoing_message_shows_it_is_being_sent(
    agent: User, conversation: Conversation
) -> None:
    actions.reply(agent, conversation.pk, "Voici le suivi.")

    page = client_for(agent).get(conversation_url(conversation)).content.decode()

    assert "delivery-pending" in page
    assert "Envoi en cours" in page


def test_activity_lines_read_as_sentences_in_the_agents_language(
    supervisor: User, agent: User, team: Team, conversation: Conversation
) -> None:
    actions.assign(supervisor, conversation.pk, assignee_id=agent.pk, team_id=team.pk)
    actions.set_status(supervisor, conversation.pk, Status.RESOLVED)

    page = client_for(supervisor).get(conversation_url(conversation)).content.decode()

    assert "Sarah Superviseure a assigné la conversation à Bob Agent" in page
    assert "Sarah Superviseure a confié la conversation à l\u2019équipe Support" in page
    assert "Sarah Superviseure a résolu la conversation" in page



def test_the_conversation_page_costs_the_same_number_of_queries_however_long_the_history(
    agent: User, api_inbox: Inbox, email_inbox: Inbox, django_assert_max_num_queries: Any
) -> None:
    conversation = receive(api_inbox, "m-0")
    # Another conversation from the start: its block costs the same however many there are.
    receive(email_inbox, "m-e")
    # Taken both times (the replies below take it): a waiting one also reads its place.
    actions.assign(agent, conversation.pk, assignee_id=agent.pk)
    client = client_for(agent)
    with django_assert_max_num_queries(100) as short:
        client.get(conversation_url(conversation))

    for index in range(10):
        receive(email_inbox if index % 2 else api_inbox, f"m-{index + 1}", f"Relance {index}")
        actions.reply(agent, conversation.pk, f"Réponse {index}")
        actions.add_note(agent, conversation.pk, f"Note {index}")
    with django_assert_max_num_queries(100) as long:
        client.get(conversation_url(conversation))

    assert len(long.captured_queries) == len(short.captured_queries)

def test_the_contact_panel_shows_identities_attributes_and_past_conversations(
    agent: User, api_inbox: Inbox, email_inbox: Inbox
) -> None:
    old = receive(api_inbox, "m-1", phone="+33612345678")
    actions.set_status(agent, old.pk, Status.RESOLVED)
    current = receive(email_inbox, "<b@example.fr>", "Nouvelle demande")
    AttributeDefinition.objects.create(key="plan", label="Abonnement", type="text")
    Contact.objects.filter(pk=current.contact_id).update(attributes={"plan": "Premium"})

    page = client_for(agent).get(conversation_url(current)).content.decode()

    assert "jeanne.martin@example.fr" in page
    assert "+33 6 12 34 56 78" in page  # formatted for reading
    assert page.count('class="verified"') == 2
    assert "Abonnement" in page and "Premium" in page
    assert f'href="{conversation_url(old)}"' in page
    assert f'href="{conversation_url(current)}" aria-current="page"' in page


def test_the_page_speaks_french_to_a_french_agent(
    agent: User, conversation: Conversation
) -> None:
    page = client_for(agent).get(conversation_url(conversation)).content.decode()

    assert '<html lang="fr">' in page
    assert "Envoyer la réponse" in page
    assert "Send reply" not in page


def test_the_page_speaks_english_to_an_english_agent(
    english_agent: User, conversation: Conversation
) -> None:
    client = client_for(english_agent)
    page = client.get(conversation_url(conversation)).content.decode()
    listing = client.get(reverse("web:conversations")).content.decode()

    assert '<html lang="en">' in page
    assert "Send reply" in page
    assert "Envoyer la réponse" not in page
    assert "Unassigned" in listing


# Writes: reply, note, assign, status


def test_a_plain_reply_is_stored_and_redirects_to_the_conversation(
    agent: User, conversation: Conversation
) -> None:
    response = client_for(agent).post(conversation_url(conversation, "reply"),
                                      {"text": "Nous regardons."})

    assert response.status_code == 302
    assert response["Location"] == conversation_url(conversation)
    reply = conversation.messages.get(direction=Direction.OUTGOING)
    assert reply.text == "Nous regardons."
    assert reply.author == agent
    assert reply.delivery_status == DeliveryStatus.PENDING


def test_an_htmx_reply_answers_with_the_updated_timeline(
    agent: User, conversation: Conversation
) -> None:
    response = client_for(agent).post(
        conversation_url(conversation, "reply"), {"text": "Nous regardons."}, **HTMX
    )

    assert response.status_code == 200
    fragment = response.content.decode()
    assert "Nous regardons." in fragment
    assert 'id="timeline"' in fragment
    assert 'id="contact-panel"' in fragment and 'hx-swap-oob="true"' in fragment
    assert "<html" not in fragment


def test_a_note_is_stored_as_internal_and_not_sent(
    agent: User, conversation: Conversation
) -> None:
    response = client_for(agent).post(
        conversation_url(conversation, "note"), {"text": "Client fidèle, geste ?"}, **HTMX
    )

    assert response.status_code == 200
    note = conversation.messages.get(direction=Direction.NOTE)
    assert note.text == "Client fidèle, geste ?"
    assert "Client fidèle, geste ?" in response.content.decode()
    assert not conversation.messages.filter(direction=Direction.OUTGOING).exists()


def test_an_empty_htmx_reply_shows_the_reason_in_the_alert_region(
    agent: User, conversation: Conversation
) -> None:
    response = client_for(agent).post(
        conversation_url(conversation, "reply"), {"text": "   "}, **HTMX
    )

    assert response.status_code == 422
    assert response["HX-Retarget"] == "#alerts"
    assert "Le message est vide." in response.content.decode()
    assert conversation.messages.count() == 1


def test_an_empty_plain_reply_redirects_and_shows_the_reason_on_the_page(
    agent: User, conversation: Conversation
) -> None:
    client = client_for(agent)

    response = client.post(conversation_url(conversation, "reply"), {"text": ""}, follow=True)

    assert response.redirect_chain == [(conversation_url(conversation), 302)]
    assert "Le message est vide." in response.content.decode()


def test_assign_to_me_gives_the_conversation_to_the_agent(
    agent: User, conversation: Conversation
) -> None:
    response = client_for(agent).post(conversation_url(conversation, "assign"),
                                      {"assignee": "me"})

    assert response.status_code == 302
    conversation.refresh_from_db()
    assert conversation.assignee == agent


def test_a_supervisor_assigns_to_an_agent_and_a_team(
    supervisor: User, agent: User, team: Team, conversation: Conversation
) -> None:
    client = client_for(supervisor)

    client.post(conversation_url(conversation, "assign"), {"assignee": str(agent.pk)}, **HTMX)
    response = client.post(conversation_url(conversation, "assign"), {"team": str(team.pk)},
                           **HTMX)

    conversation.refresh_from_db()
    assert (conversation.assignee, conversation.team) == (agent, team)
    assert "Équipe Support" in response.content.decode()


def test_an_agent_cannot_take_a_conversation_from_a_colleague_and_is_told_why(
    agent: User, other_agent: User, conversation: Conversation
) -> None:
    actions.assign(other_agent, conversation.pk, assignee_id=other_agent.pk)

    response = client_for(agent).post(
        conversation_url(conversation, "assign"), {"assignee": "me"}, **HTMX
    )

    assert response.status_code == 403
    assert "Seul un superviseur" in response.content.decode()
    conversation.refresh_from_db()
    assert conversation.assignee == other_agent


def test_assigning_to_nobody_unassigns(agent: User, conversation: Conversation) -> None:
    actions.assign(agent, conversation.pk, assignee_id=agent.pk)

    client_for(agent).post(conversation_url(conversation, "assign"), {"assignee": "none"})

    conversation.refresh_from_db()
    assert conversation.assignee is None


def test_an_assignment_without_agent_or_team_is_refused(
    agent: User, conversation: Conversation
) -> None:
    response = client_for(agent).post(conversation_url(conversation, "assign"), {}, **HTMX)

    assert response.status_code == 422
    assert "Choisissez un agent ou une équipe." in response.content.decode()


def test_resolve_then_reopen(agent: User, conversation: Conversation) -> None:
    client = client_for(agent)

    resolved = client.post(conversation_url(conversation, "status"), {"status": "resolved"},
                           **HTMX)
    conversation.refresh_from_db()
    assert conversation.status == Status.RESOLVED
    assert "Rouvrir" in resolved.content.decode()

    client.post(conversation_url(conversation, "status"), {"status": "open"})
    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN


def test_an_unknown_status_is_refused(agent: User, conversation: Conversation) -> None:
    response = client_for(agent).post(conversation_url(conversation, "status"),
                                      {"status": "deleted"}, **HTMX)

    assert response.status_code == 422
    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN


def test_a_write_to_an_unknown_conversation_is_a_404(agent: User) -> None:
    response = client_for(agent).post(reverse("web:conversation_reply", args=[999]),
                                      {"text": "Bonjour"})

    assert response.status_code == 404


def test_a_get_on_a_write_url_is_refused(agent: User, conversation: Conversation) -> None:
    response = client_for(agent).get(conversation_url(conversation, "reply"))

    assert response.status_code == 405


def test_every_form_carries_the_csrf_token(agent: User, conversation: Conversation) -> None:
    page = client_for(agent).get(conversation_url(conversation)).content.decode()

    # Every form that writes posts; the others (search, the help dialog) only read.
    forms = page.count('method="post"')
    assert forms >= 6
    assert page.count('name="csrfmiddlewaretoken"') == forms
    assert "hx-headers='{\"X-CSRFToken\": " in page


def test_customer_text_is_escaped(agent: User, api_inbox: Inbox) -> None:
    conversation = receive(api_inbox, "m-1", "<script>alert(1)</script>",
                           name="<img src=x onerror=alert(1)>")

    page = client_for(agent).get(conversation_url(conversation)).content.decode()
    listing = client_for(agent).get(reverse("web:conversations")).content.decode()

    for html in (page, listing):
        assert "<script>alert(1)" not in html
        assert "<img src=x" not in html



def test_an_actions_refusal_reads_in_each_agents_language(
    agent: User, other_agent: User, conversation: Conversation
) -> None:
    # Translated where the action raised it; no page keeps its own list of the wordings.
    actions.assign(other_agent, conversation.pk, assignee_id=other_agent.pk)
    english_colleague = User.objects.create_user("dan@example.com", "pw-dan-123", name="Dan",
                                                 language=Language.ENGLISH)

    in_french = client_for(agent).post(
        conversation_url(conversation, "assign"), {"assignee": str(agent.pk)}, **HTMX
    )
    in_english = client_for(english_colleague).post(
        conversation_url(conversation, "assign"), {"assignee": str(english_colleague.pk)}, **HTMX
    )

    assert in_french.status_code == in_english.status_code == 403
    assert ("Seul un superviseur peut réassigner la conversation d\u2019un collègue."
            in in_french.content.decode())
    assert ("Only a supervisor can reassign a colleague&#x27;s conversation."
            in in_english.content.decode())
