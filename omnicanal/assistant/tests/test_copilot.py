"""The copilot beside a conversation, as an agent meets it: the articles that answer the
customer, a reply grounded in them (the passage and its link without a language model, the
model's text with one), the summary of a long conversation, an article draft from a resolved
one, and nothing for an agent who may not see the conversation.

The language model is the local OpenAI-compatible stub (`omnicanal.testing.llm_stub`): it
answers `llm_server.answer` and keeps the requests it got, so a test can read the prompt."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from omnicanal.accounts.models import User
from omnicanal.assistant import copilot, summary
from omnicanal.conftest import inbound
from omnicanal.conversations import actions
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Conversation, Inbox, Status
from omnicanal.knowledge.actions import save_article
from omnicanal.knowledge.models import Article, ArticleStatus, BodyFormat, Visibility
from omnicanal.testing.llm_stub import LlmStub, serve_llm_stub
from omnicanal.testing.tasks import run_queued_tasks

QUESTION = "Comment obtenir le remboursement de ma commande ?"
REFUND_BODY = (
    "Pour obtenir le remboursement d'une commande, voici comment faire : ouvrez votre "
    "espace client, choisissez la commande puis « Demander un remboursement ». Le "
    "remboursement arrive sous 5 jours ouvrés."
)


@pytest.fixture
def llm_server(settings: Any) -> Iterator[LlmStub]:
    """An OpenAI-compatible chat endpoint answering `llm_server.answer`, configured as the
    assistant's language model for the test."""
    with serve_llm_stub() as stub:
        stub.answer = "Bonjour, voici la marche à suivre (réponse du modèle)."
        settings.ASSISTANT_LLM_URL = stub.url
        yield stub


def article(title: str, body: str, *, visibility: str = Visibility.PUBLIC,
            locale: str = "fr") -> Article:
    """A published article, saved through the one writer, with the re-indexing it queued
    (retrieval's chunks, after the commit) run at once."""
    with _on_commit():
        saved = save_article(Article(
            locale=locale, title=title, body=body, status=ArticleStatus.PUBLISHED,
            visibility=visibility, body_format=BodyFormat.TEXT,
        ))
    run_queued_tasks()
    return saved


@contextlib.contextmanager
def _on_commit() -> Iterator[None]:
    """Run the on-commit callbacks of what happens inside (a test's transaction never
    commits); outside an atomic block (live-server tests) they already ran."""
    if not transaction.get_connection().in_atomic_block:
        yield
        return
    callbacks_before = len(transaction.get_connection().run_on_commit)
    yield
    connection = transaction.get_connection()
    callbacks = connection.run_on_commit[callbacks_before:]
    del connection.run_on_commit[callbacks_before:]
    for _savepoints, callback, _robust in callbacks:
        callback()


def conversation_asking(inbox: Inbox, text: str = QUESTION, key: str = "q1",
                        email: str = "jeanne.martin@example.fr") -> Conversation:
    result = ingest(inbox, inbound(key, text, email=email))
    return Conversation.objects.get(pk=result.conversation_id)


def english(user: User) -> Client:
    User.objects.filter(pk=user.pk).update(language="en")
    client = Client()
    client.force_login(user)
    return client


def test_the_article_answering_the_customer_is_suggested(api_inbox: Inbox) -> None:
    refund = article("Remboursement d'une commande", REFUND_BODY)
    article("Changer d'adresse e-mail", "Pour changer votre adresse, ouvrez votre profil.")
    conversation = conversation_asking(api_inbox)

    suggestions = copilot.suggestions_for(conversation)

    assert suggestions, "the refund article answers the question"
    assert suggestions[0].passage.article_id == refund.pk
    assert suggestions[0].public_url.endswith(refund.get_absolute_url())
    assert "Remboursement" in suggestions[0].insert_text


def test_agents_are_offered_internal_articles_too(api_inbox: Inbox) -> None:
    internal = article("Procédure interne : remboursement d'une commande",
                       REFUND_BODY + " Vérifier le paiement dans l'outil de caisse.",
                       visibility=Visibility.INTERNAL)
    conversation = conversation_asking(api_inbox)

    suggestions = copilot.suggestions_for(conversation)

    found = [s for s in suggestions if s.passage.article_id == internal.pk]
    assert found, "an internal article is for agents"
    # An internal article's link is not for the customer: "Insert" puts the text only.
    assert found[0].is_internal and found[0].public_url == ""


def test_without_a_language_model_the_suggested_reply_is_the_passage_and_its_link(
    api_inbox: Inbox,
) -> None:
    refund = article("Remboursement d'une commande", REFUND_BODY)
    conversation = conversation_asking(api_inbox)

    reply = copilot.suggested_reply(conversation)

    assert reply is not None and not reply.by_model
    assert "remboursement" in reply.text.lower()
    assert refund.get_absolute_url() in reply.text
    assert "Remboursement d'une commande" in reply.text


def test_with_a_language_model_the_reply_is_its_text_grounded_in_the_passages(
    api_inbox: Inbox, llm_server: LlmStub,
) -> None:
    refund = article("Remboursement d'une commande", REFUND_BODY)
    conversation = conversation_asking(api_inbox)

    reply = copilot.suggested_reply(conversation)

    assert reply is not None and reply.by_model
    assert reply.text == llm_server.answer
    assert len(llm_server.requests) == 1
    prompt = "\n".join(m["content"] for m in llm_server.requests[0]["messages"])
    assert "Remboursement d'une commande" in prompt
    assert "5 jours ouvrés" in prompt
    assert refund.get_absolute_url() in prompt
    assert QUESTION in prompt


def test_the_reply_view_fills_nothing_when_no_article_answers(
    api_inbox: Inbox, agent: User
) -> None:
    conversation = conversation_asking(api_inbox, "Quel temps fera-t-il demain à Brest ?")
    client = english(agent)

    response = client.post(f"/assistant/conversations/{conversation.pk}/copilot/reply/")

    assert response.status_code == 404
    assert response.json()["text"] == ""


def _long_conversation(inbox: Inbox, agent: User) -> Conversation:
    conversation = conversation_asking(
        inbox, "Bonjour, ma commande 4417 est arrivée cassée, je voudrais un remboursement.",
        key="l0")
    turns = [
        ("agent", "Bonjour, je suis désolé. Pouvez-vous envoyer une photo du colis abîmé ?"),
        ("customer", "Voici la photo du carton écrasé et du vase cassé."),
        ("agent", "Merci. Le transporteur a bien abîmé le colis, je lance le remboursement."),
        ("customer", "Combien de temps faut-il pour être remboursé ?"),
        ("agent", "Le remboursement arrive sous 5 jours ouvrés sur votre carte."),
        ("customer", "Dois-je renvoyer le vase cassé ?"),
        ("agent", "Non, vous pouvez le garder, inutile de le renvoyer."),
        ("customer", "Parfait, merci beaucoup pour votre aide."),
        ("agent", "Avec plaisir, bonne journée !"),
    ]
    for number, (who, text) in enumerate(turns, start=1):
        if who == "agent":
            actions.reply(agent, conversation.pk, text)
        else:
            ingest(inbox, inbound(f"l{number}", text))
    conversation.refresh_from_db()
    return conversation


def test_a_long_conversation_is_summarised_with_the_customers_question(
    api_inbox: Inbox, agent: User
) -> None:
    short = conversation_asking(api_inbox, "Une petite question.", key="short",
                                email="paul@example.fr")
    assert copilot.summarize(short) is None

    conversation = _long_conversation(api_inbox, agent)
    result = copilot.summarize(conversation)

    assert result is not None and not result.by_model
    assert result.message_count > summary.LONG_CONVERSATION
    assert result.question is not None and "cassée" in result.question.text
    assert result.question.author == "Jeanne Martin"
    assert len(result.key_points) == summary.KEY_SENTENCES
    assert result.last_exchange[-1].text == "Avec plaisir, bonne journée !"
    text = result.as_text()
    assert "remboursement" in text and "Open" in text  # the status, in English


def test_a_long_conversation_is_summarised_by_the_language_model_when_configured(
    api_inbox: Inbox, agent: User, llm_server: LlmStub,
) -> None:
    conversation = _long_conversation(api_inbox, agent)
    llm_server.answer = "La cliente a reçu un vase cassé ; remboursement lancé."

    result = copilot.summarize(conversation)

    assert result is not None and result.by_model
    assert result.written == llm_server.answer
    prompt = llm_server.requests[0]["messages"][-1]["content"]
    assert "commande 4417 est arrivée cassée" in prompt


def test_the_panel_shows_suggestions_and_the_summary(
    api_inbox: Inbox, agent: User
) -> None:
    article("Remboursement d'une commande", REFUND_BODY)
    conversation = _long_conversation(api_inbox, agent)
    ingest(api_inbox, inbound("again", QUESTION))
    client = english(agent)

    response = client.get(f"/assistant/conversations/{conversation.pk}/copilot/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Suggested articles" in page
    assert "Remboursement d&#x27;une commande" in page
    assert "Summary" in page and "Suggest a reply" in page
    # Not resolved: no draft to make yet.
    assert "Create an article draft" not in page


def test_a_resolved_conversation_becomes_a_draft_owned_by_the_agent(
    api_inbox: Inbox, agent: User
) -> None:
    conversation = conversation_asking(api_inbox, "Comment changer mon adresse de livraison ?")
    actions.reply(agent, conversation.pk,
                  "Dans votre espace client, ouvrez « Adresses » puis modifiez l'adresse.")
    actions.set_status(agent, conversation.pk, Status.RESOLVED)
    client = english(agent)

    page = client.get(f"/assistant/conversations/{conversation.pk}/copilot/").content.decode()
    assert "Create an article draft" in page
    response = client.post(f"/assistant/conversations/{conversation.pk}/copilot/draft/",
                           {"visibility": "public"})

    draft = Article.objects.get()
    assert response.status_code == 302
    # The workspace's article editor when it is there, else the admin's page.
    assert response["Location"] in (f"/knowledge/{draft.pk}/",
                                    f"/admin/knowledge/article/{draft.pk}/change/")
    assert draft.status == ArticleStatus.DRAFT
    assert draft.visibility == Visibility.PUBLIC
    assert draft.owner == agent
    assert draft.body_format == BodyFormat.MARKDOWN
    assert draft.title == "Comment changer mon adresse de livraison ?"
    assert "Comment changer mon adresse de livraison ?" in draft.body
    assert "ouvrez « Adresses »" in draft.body
    # Drafts are not shown to customers.
    assert not Article.objects.published().filter(pk=draft.pk).exists()


def test_an_open_conversation_does_not_become_a_draft(api_inbox: Inbox, agent: User) -> None:
    conversation = conversation_asking(api_inbox)
    actions.reply(agent, conversation.pk, "Je regarde.")
    client = english(agent)

    response = client.post(f"/assistant/conversations/{conversation.pk}/copilot/draft/",
                           {"visibility": "internal"}, HTTP_HX_REQUEST="true")

    assert "Only a resolved conversation can become an article." in response.content.decode()
    assert not Article.objects.exists()


def test_an_agent_who_cannot_see_the_conversation_gets_nothing(
    api_inbox: Inbox, agent: User, other_agent: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    article("Remboursement d'une commande", REFUND_BODY)
    conversation = conversation_asking(api_inbox)
    actions.set_status(agent, conversation.pk, Status.RESOLVED)
    client = english(other_agent)
    # The copilot follows the conversation's own rule (`visible_conversations`): here, the
    # other agent sees none.
    monkeypatch.setattr(actions, "visible_conversations",
                        lambda user: Conversation.objects.exclude(pk=conversation.pk))
    base = f"/assistant/conversations/{conversation.pk}/copilot/"

    assert client.get(base).status_code == 404
    assert client.post(base + "reply/").status_code == 404
    assert client.post(base + "draft/", {"visibility": "public"}).status_code == 404
    assert not Article.objects.filter(status=ArticleStatus.DRAFT).exists()
    # Logged out: the login page, nothing else.
    assert Client().get(base).status_code == 302
    # And a missing conversation is a 404 for everyone.
    assert english(agent).get("/assistant/conversations/999999/copilot/").status_code == 404
