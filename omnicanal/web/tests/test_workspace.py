"""The workspace for a full working day: views and filters with live counts, bulk changes,
labels, priority, snooze, the customer 360 panel (inline attributes, merge and undo), search.

Each rule is tested at its action (conversations/tests, contacts/tests); here each page or
endpoint gets its happy path, its refusal and its cost in queries.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from omnicanal.accounts.models import Team, User
from omnicanal.conftest import inbound
from omnicanal.contacts.models import AttributeDefinition, Contact, Identity, MergeSuggestion
from omnicanal.conversations import actions
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import Conversation, Inbox, Label, Status

HTMX = {"HTTP_HX_REQUEST": "true"}


def receive(inbox: Inbox, external_id: str, text: str = "Bonjour", **sender: Any) -> Conversation:
    return Conversation.objects.get(pk=ingest(inbox, inbound(external_id, text, **sender))
                                    .conversation_id)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def row_ids(html: str) -> list[int]:
    return [int(value) for value in re.findall(r'data-conversation-id="(\d+)"', html)]


def list_ids(user: User, **query: Any) -> list[int]:
    return row_ids(client_for(user).get(reverse("web:conversations"), query).content.decode())


def url(name: str, conversation: Conversation, *args: Any) -> str:
    return reverse(f"web:{name}", args=[conversation.pk, *args])


@pytest.fixture
def cast(api_inbox: Inbox, email_inbox: Inbox, agent: User, other_agent: User,
         team: Team) -> dict[str, Conversation]:
    """Five conversations, one per list: mine, a colleague's in my team, unassigned by
    e-mail, snoozed, resolved."""
    conversations = {
        "mine": receive(api_inbox, "m-1", email="a@example.fr", name="Anne Mienne"),
        "team": receive(api_inbox, "m-2", email="b@example.fr", name="Bruno Équipe"),
        "free": receive(email_inbox, "<m-3@x>", email="c@example.fr", name="Chloé Libre"),
        "snoozed": receive(api_inbox, "m-4", email="d@example.fr", name="Denis Dort"),
        "resolved": receive(api_inbox, "m-5", email="e@example.fr", name="Eva Finie"),
    }
    actions.assign(agent, conversations["mine"].pk, assignee_id=agent.pk)
    actions.assign(other_agent, conversations["team"].pk, assignee_id=other_agent.pk,
                   team_id=team.pk)
    actions.snooze(agent, conversations["snoozed"].pk, until=None)
    actions.set_status(agent, conversations["resolved"].pk, Status.RESOLVED)
    return conversations


# Views and filters


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        ("mine", ["mine"]),
        ("unassigned", ["free"]),
        ("team", ["team"]),
        ("all", ["free", "team", "mine"]),
        ("snoozed", ["snoozed"]),
        ("resolved", ["resolved"]),
    ],
)
def test_each_view_lists_its_conversations(
    agent: User, cast: dict[str, Conversation], view: str, expected: list[str]
) -> None:
    assert list_ids(agent, view=view) == [cast[name].pk for name in expected]


def test_the_tabs_count_each_view_under_the_filters(
    agent: User, cast: dict[str, Conversation]
) -> None:
    page = client_for(agent).get(reverse("web:conversations"), {"channel": "api"}).content
    counts = re.findall(rb'<span class="count" data-count>(\d+)</span>', page)

    # mine, mentions, unassigned (the e-mail one is filtered out), team, all, snoozed; no
    # resolved.
    assert counts == [b"1", b"0", b"0", b"1", b"2", b"1"]


def test_a_live_refresh_brings_the_counts_out_of_band(
    agent: User, cast: dict[str, Conversation]
) -> None:
    fragment = client_for(agent).get(reverse("web:conversations"), **HTMX).content.decode()

    assert 'id="view-tabs"' in fragment and 'hx-swap-oob="true"' in fragment


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"channel": "email"}, ["free"]),
        ({"priority": "1"}, ["team"]),
        ({"label": "refund"}, ["mine"]),
        ({"assignee": "other"}, ["team"]),
        ({"team": "team"}, ["team"]),
        ({"inbox": "email-inbox"}, ["free"]),
        ({"status": "snoozed"}, ["snoozed"]),
    ],
)
def test_filters_narrow_the_list(
    agent: User, other_agent: User, supervisor: User, team: Team, email_inbox: Inbox,
    cast: dict[str, Conversation], filters: dict[str, str], expected: list[str],
) -> None:
    label = actions.create_label(supervisor, "Remboursement")
    actions.add_label(agent, cast["mine"].pk, label.pk)
    actions.set_priority(agent, cast["team"].pk, 1)
    ids = {"refund": label.pk, "other": other_agent.pk, "team": team.pk,
           "email-inbox": email_inbox.pk}
    query = {key: str(ids.get(value, value)) for key, value in filters.items()}

    assert list_ids(agent, **query) == [cast[name].pk for name in expected]


def test_unknown_filter_values_are_ignored(agent: User, cast: dict[str, Conversation]) -> None:
    assert len(list_ids(agent, channel="pigeon", priority="x", label="nope")) == 3


def test_the_list_costs_the_same_number_of_queries_with_labels_and_counts(
    agent: User, supervisor: User, api_inbox: Inbox, django_assert_max_num_queries: Any
) -> None:
    client = client_for(agent)
    receive(api_inbox, "m-0", email="z@example.fr")
    with django_assert_max_num_queries(100) as small:
        client.get(reverse("web:conversations"))

    labels = [actions.create_label(supervisor, f"L{index}") for index in range(3)]
    for index in range(15):
        conversation = receive(api_inbox, f"m-{index + 1}", email=f"c{index}@example.fr")
        for label in labels:
            actions.add_label(agent, conversation.pk, label.pk)
    with django_assert_max_num_queries(100) as large:
        client.get(reverse("web:conversations"))

    assert len(large.captured_queries) == len(small.captured_queries)


# Bulk changes


def bulk(user: User, ids: list[int], **fields: Any) -> Any:
    return client_for(user).post(reverse("web:conversations_bulk"), {"ids": ids, **fields},
                                 **HTMX)


def test_bulk_assign_to_me_takes_the_free_ones_and_says_which_were_refused(
    agent: User, cast: dict[str, Conversation]
) -> None:
    response = bulk(agent, [cast["free"].pk, cast["team"].pk], operation="assign_me")

    assert response.status_code == 200
    page = response.content.decode()
    assert "alert-success" in page
    assert f"n° {cast['team'].pk} : Seul un superviseur" in page  # the refusal, named
    cast["free"].refresh_from_db()
    cast["team"].refresh_from_db()
    assert cast["free"].assignee == agent
    assert cast["team"].assignee != agent  # a colleague's: only a supervisor takes it


def test_bulk_label_resolve_and_snooze_go_through_the_actions(
    agent: User, supervisor: User, cast: dict[str, Conversation]
) -> None:
    label = actions.create_label(supervisor, "Panne")
    ids = [cast["mine"].pk, cast["free"].pk]

    bulk(agent, ids, operation="label", label=label.pk)
    assert Conversation.objects.filter(labels=label).count() == 2

    until = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    bulk(agent, ids, operation="snooze", until=until)
    assert set(Conversation.objects.filter(pk__in=ids).values_list("status", flat=True)) == {
        "snoozed"
    }

    bulk(agent, ids, operation="resolve")
    assert set(Conversation.objects.filter(pk__in=ids).values_list("status", flat=True)) == {
        "resolved"
    }
    # One activity line per conversation and per change: the actions ran one by one.
    assert cast["mine"].messages.filter(direction="activity", metadata__activity="labeled")\
        .count() == 1


def test_a_plain_bulk_post_redirects_back_to_the_list_it_came_from(
    agent: User, cast: dict[str, Conversation]
) -> None:
    response = client_for(agent).post(
        reverse("web:conversations_bulk") + "?view=unassigned",
        {"ids": [cast["free"].pk], "operation": "resolve"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("web:conversations") + "?view=unassigned"


def test_a_bulk_change_without_selection_is_refused_visibly(agent: User, db: Any) -> None:
    response = bulk(agent, [], operation="resolve")

    assert response.status_code == 422
    assert response["HX-Retarget"] == "#alerts"


def test_a_bulk_post_without_csrf_token_is_refused(
    agent: User, cast: dict[str, Conversation]
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)

    response = client.post(reverse("web:conversations_bulk"),
                           {"ids": [cast["free"].pk], "operation": "resolve"})

    assert response.status_code == 403
    cast["free"].refresh_from_db()
    assert cast["free"].status == "open"


@pytest.mark.parametrize(
    "name",
    ["conversation_priority", "conversation_label_add", "conversation_snooze",
     "contact_attributes", "contact_merge", "contact_unmerge"],
)
def test_every_new_conversation_endpoint_sends_an_anonymous_visitor_to_the_login_page(
    cast: dict[str, Conversation], name: str
) -> None:
    response = Client().post(url(name, cast["free"]), {})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_bulk_and_search_send_an_anonymous_visitor_to_the_login_page(db: Any) -> None:
    assert Client().post(reverse("web:conversations_bulk"), {}).status_code == 302
    assert Client().get(reverse("web:search"), {"q": "x"}).status_code == 302


# The conversation header: labels, priority, snooze, neighbours


def test_labels_are_added_by_name_and_removed_from_the_header(
    agent: User, supervisor: User, cast: dict[str, Conversation]
) -> None:
    conversation = cast["mine"]
    label = actions.create_label(supervisor, "Livraison")
    client = client_for(agent)

    page = client.post(url("conversation_label_add", conversation), {"name": "livraison"},
                       **HTMX).content.decode()
    assert 'class="label-chip"' in page and "Livraison" in page

    client.post(url("conversation_label_remove", conversation, label.pk), **HTMX)
    assert not conversation.labels.exists()


def test_an_agent_typing_an_unknown_label_is_told_why(
    agent: User, cast: dict[str, Conversation]
) -> None:
    response = client_for(agent).post(url("conversation_label_add", cast["mine"]),
                                      {"name": "Inventé"}, **HTMX)

    assert response.status_code == 403
    assert "superviseur" in response.content.decode()


def test_the_priority_is_set_from_the_header(agent: User, cast: dict[str, Conversation]) -> None:
    client_for(agent).post(url("conversation_priority", cast["mine"]), {"priority": "2"}, **HTMX)

    cast["mine"].refresh_from_db()
    assert cast["mine"].priority == 2


def test_the_snooze_picker_reads_the_time_in_the_teams_time_zone(
    agent: User, cast: dict[str, Conversation]
) -> None:
    wanted = (timezone.localtime() + dt.timedelta(days=2)).replace(second=0, microsecond=0)

    client_for(agent).post(url("conversation_snooze", cast["mine"]),
                           {"until": wanted.strftime("%Y-%m-%dT%H:%M")}, **HTMX)

    cast["mine"].refresh_from_db()
    assert cast["mine"].status == "snoozed"
    assert cast["mine"].snoozed_until == wanted


def test_snoozing_until_the_customer_replies_needs_no_time(
    agent: User, cast: dict[str, Conversation]
) -> None:
    client_for(agent).post(url("conversation_snooze", cast["mine"]), {"until_reply": "1"},
                           **HTMX)

    cast["mine"].refresh_from_db()
    assert (cast["mine"].status, cast["mine"].snoozed_until) == ("snoozed", None)


@pytest.mark.parametrize("until", ["", "demain", "2001-01-01T10:00"])
def test_a_missing_malformed_or_past_snooze_time_is_refused(
    agent: User, cast: dict[str, Conversation], until: str
) -> None:
    response = client_for(agent).post(url("conversation_snooze", cast["mine"]),
                                      {"until": until}, **HTMX)

    assert response.status_code == 422
    cast["mine"].refresh_from_db()
    assert cast["mine"].status == "open"


def test_the_page_links_the_neighbours_in_the_list_it_came_from(
    agent: User, cast: dict[str, Conversation]
) -> None:
    # The "all" list, newest first: free, team, mine.
    page = client_for(agent).get(url("conversation", cast["team"]),
                                 {"view": "all"}).content.decode()

    assert f'href="/conversations/{cast["free"].pk}/" rel="prev"' in page
    assert f'href="/conversations/{cast["mine"].pk}/" rel="next"' in page

    mine_only = client_for(agent).get(url("conversation", cast["mine"]),
                                      {"view": "mine"}).content.decode()
    assert 'rel="prev"' not in mine_only and 'rel="next"' not in mine_only


# The contact panel


@pytest.fixture
def schema(db: Any) -> None:
    AttributeDefinition.objects.create(key="plan", label="Abonnement", type="choice",
                                       choices=["Essentiel", "Premium"])
    AttributeDefinition.objects.create(key="orders", label="Commandes", type="number")


def test_attributes_are_edited_inline_and_validated_by_the_schema(
    agent: User, cast: dict[str, Conversation], schema: None
) -> None:
    conversation = cast["mine"]
    client = client_for(agent)

    saved = client.post(url("contact_attributes", conversation),
                        {"attribute-plan": "Premium", "attribute-orders": "12"}, **HTMX)
    assert saved.status_code == 200
    assert 'class="saved"' in saved.content.decode()
    assert Contact.objects.get(pk=conversation.contact_id).attributes == {
        "plan": "Premium", "orders": 12,
    }

    refused = client.post(url("contact_attributes", conversation),
                          {"attribute-plan": "Premium", "attribute-orders": "douze"}, **HTMX)
    assert refused.status_code == 422
    panel = refused.content.decode()
    assert 'id="attributes-error"' in panel
    assert 'value="douze"' in panel  # what the agent typed stays to be corrected
    assert Contact.objects.get(pk=conversation.contact_id).attributes["orders"] == 12


def test_a_merge_suggestion_is_merged_in_one_click_and_undone(
    agent: User, api_inbox: Inbox
) -> None:
    first = receive(api_inbox, "m-1", email="jeanne@example.fr", name="Jeanne")
    second = receive(api_inbox, "m-2", email="jeanne@example.fr", name="J. Martin",
                     phone="+33612345678", verified=False)
    suggestion = MergeSuggestion.objects.get()
    contacts = {c.pk: (c.name, c.attributes, c.value_tier, c.merged_into_id)
                for c in Contact.objects.all()}
    identities = dict(Identity.objects.values_list("pk", "contact"))
    client = client_for(agent)

    page = client.get(url("conversation", first)).content.decode()
    assert f'data-suggestion-id="{suggestion.pk}"' in page

    merged = client.post(url("contact_merge", first), {"suggestion": suggestion.pk},
                         **HTMX).content.decode()
    assert "+33 6 12 34 56 78" in merged  # the other contact's identity is now on this panel
    match = re.search(r'data-merge-id="(\d+)"', merged)
    assert match is not None
    second.refresh_from_db()
    assert second.contact_id == first.contact_id

    client.post(url("contact_unmerge", first), {"merge": match.group(1)}, **HTMX)

    assert {c.pk: (c.name, c.attributes, c.value_tier, c.merged_into_id)
            for c in Contact.objects.all()} == contacts
    assert dict(Identity.objects.values_list("pk", "contact")) == identities
    second.refresh_from_db()
    assert second.contact_id != first.contact_id


def test_a_merge_into_another_contact_cannot_be_undone_from_this_page(
    agent: User, api_inbox: Inbox
) -> None:
    first = receive(api_inbox, "m-1", email="jeanne@example.fr", name="Jeanne")
    receive(api_inbox, "m-2", email="jeanne@example.fr", name="J. Martin", verified=False)
    unrelated = receive(api_inbox, "m-3", email="paul@example.fr", name="Paul")
    client = client_for(agent)
    client.post(url("contact_merge", first), {"suggestion": MergeSuggestion.objects.get().pk})
    merge_id = Contact.objects.filter(merged_into__isnull=False).count()
    assert merge_id == 1

    response = client.post(url("contact_unmerge", unrelated), {"merge": "1"}, **HTMX)

    assert response.status_code == 404
    assert Contact.objects.filter(merged_into__isnull=False).count() == 1


def test_the_conversation_page_costs_the_same_with_labels_suggestions_and_attributes(
    agent: User, supervisor: User, api_inbox: Inbox, schema: None,
    django_assert_max_num_queries: Any,
) -> None:
    conversation = receive(api_inbox, "m-0", email="jeanne@example.fr")
    receive(api_inbox, "s-x", email="jeanne@example.fr", verified=False, name="Homonyme")
    client = client_for(agent)
    with django_assert_max_num_queries(100) as plain:
        client.get(url("conversation", conversation))

    for index in range(4):
        label = actions.create_label(supervisor, f"L{index}")
        actions.add_label(agent, conversation.pk, label.pk)
        receive(api_inbox, f"s-{index}", email="jeanne@example.fr", phone=f"+3361234567{index}",
                verified=False, name=f"Homonyme {index}")
    assert MergeSuggestion.objects.filter(contact=conversation.contact).count() == 5
    with django_assert_max_num_queries(100) as busy:
        client.get(url("conversation", conversation))

    assert len(busy.captured_queries) == len(plain.captured_queries)


# Search


def test_the_search_page_finds_a_french_word_without_its_accents_and_highlights_it(
    agent: User, api_inbox: Inbox
) -> None:
    receive(api_inbox, "m-1", "Je n'ai pas reçu le remboursement.")

    page = client_for(agent).get(reverse("web:search"), {"q": "recu"}).content.decode()

    assert "<mark>reçu</mark>" in page
    assert 'role="search"' in page


def test_the_search_page_filters_by_channel(agent: User, api_inbox: Inbox) -> None:
    receive(api_inbox, "m-1", "Colis élevé")

    page = client_for(agent).get(reverse("web:search"), {"q": "eleve", "channel": "email"},
                                 **HTMX).content.decode()

    assert "<mark>" not in page
    assert "<html" not in page


def test_a_search_costs_the_same_number_of_queries_however_many_hits(
    agent: User, api_inbox: Inbox, django_assert_max_num_queries: Any
) -> None:
    receive(api_inbox, "m-0", "commande urgente", email="x0@example.fr", name="Commande Zéro")
    client = client_for(agent)
    with django_assert_max_num_queries(100) as few:
        client.get(reverse("web:search"), {"q": "commande"})

    for index in range(12):
        receive(api_inbox, f"m-{index + 1}", f"commande {index}", email=f"x{index + 1}@ex.fr",
                name=f"Commande {index}")
    with django_assert_max_num_queries(100) as many:
        client.get(reverse("web:search"), {"q": "commande"})

    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_help_overlay_and_shortcuts_are_on_every_workspace_page(
    agent: User, cast: dict[str, Conversation]
) -> None:
    page = client_for(agent).get(url("conversation", cast["mine"])).content.decode()

    assert 'id="shortcuts-help"' in page
    assert 'aria-keyshortcuts="r"' in page and 'aria-keyshortcuts="e"' in page
    assert '<main id="main"' in page and 'role="search"' in page


def test_label_model_orders_by_name(db: Any) -> None:
    Label.objects.create(name="b")
    Label.objects.create(name="a")

    assert list(Label.objects.values_list("name", flat=True)) == ["a", "b"]
