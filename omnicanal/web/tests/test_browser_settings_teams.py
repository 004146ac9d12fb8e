"""Settings → Teams, Labels and Contact attributes in the browser, in French and in English at
1440x900 and 1024x768: each list and form (with an error beside a field) and each deletion page,
saved under test-artifacts/screenshots/{fr,en}/settings-*.png and checked by `check_page`."""

from __future__ import annotations

from typing import Any

from omnicanal.accounts.models import Role, Team, User
from omnicanal.conftest import inbound
from omnicanal.contacts import attributes
from omnicanal.contacts.models import AttributeType, Contact
from omnicanal.conversations import actions
from omnicanal.conversations.ingest import ingest
from omnicanal.conversations.models import ChannelKind, Inbox
from omnicanal.routing import teams
from omnicanal.routing.models import BusinessCalendar, Mode
from omnicanal.testing.live_server import LiveServer
from omnicanal.web.tests.browser import BROWSER_MARKS, in_each_language, screenshot
from omnicanal.web.tests.test_browser_screenshots import check_page, english_strings

pytestmark = BROWSER_MARKS


def _cast(admin: User, supervisor: User) -> dict[str, Any]:
    agents = [User.objects.create_user(f"agent{index}@example.com", "pw-agent-123",
                                       name=name, role=Role.AGENT)
              for index, name in enumerate(["Bruno Martin", "Chloé Dubois", "David Leroy",
                                            "Emma Moreau", "Farid Benali", "Gaëlle Fournier",
                                            "Hugo Lambert", "Inès Girard"])]
    paris = BusinessCalendar.objects.create(name="Paris, du lundi au vendredi", is_default=True)
    BusinessCalendar.objects.create(name="Montréal (soirées)", time_zone="America/Montreal",
                                    holiday_country="CA")
    support = teams.save_team(admin, None, name="Support niveau 1",
                              member_ids=[a.pk for a in agents[:5]], calendar=paris,
                              mode=Mode.LONGEST_IDLE)
    teams.save_team(admin, None, name="Facturation et remboursements",
                    member_ids=[a.pk for a in agents[4:7]], calendar=None, mode=Mode.ROUND_ROBIN,
                    has_value_priority=False)
    teams.save_team(admin, None, name="Grands comptes", member_ids=[agents[7].pk],
                    calendar=None, mode="")
    inbox = Inbox.objects.create(name="Boutique", channel=ChannelKind.API)
    conversation = ingest(inbox, inbound("m-1", "Ma commande n'est pas arrivée.")).conversation_id
    actions.assign(supervisor, conversation, team_id=support.pk)
    labels = [actions.create_label(supervisor, name, color)
              for name, color in [("Remboursement", "#1a7f37"), ("Livraison", "#1f6feb"),
                                  ("Bug", "#cf222e"), ("Client mécontent", "#bf3989"),
                                  ("Question sur une facture en attente", "#123abc"),
                                  ("Sans couleur", "")]]
    for label in labels[:3]:
        actions.add_label(supervisor, conversation, label.pk)
    plan = attributes.create_attribute(admin, key="plan", label="Offre",
                                       type_=AttributeType.CHOICE,
                                       choices=["Essentiel", "Pro", "Entreprise"])
    attributes.create_attribute(admin, key="customer_number", label="Numéro client",
                                type_=AttributeType.TEXT, is_required=True)
    attributes.create_attribute(admin, key="renewal_date", label="Date de renouvellement",
                                type_=AttributeType.DATE)
    Contact.objects.filter(name="Jeanne Martin").update(attributes={"plan": "Pro"})
    return {"team": support, "label": labels[0], "plan": plan,
            "conversation": conversation}


def test_the_teams_labels_and_attributes_settings_look_right(
    asgi_live_server: LiveServer, playwright_page: Any, admin: User, supervisor: User
) -> None:
    page = playwright_page
    server = asgi_live_server
    cast = _cast(admin, supervisor)
    team: Team = cast["team"]
    english = english_strings()

    problems: list[str] = []
    for language in in_each_language(page, server, admin, "pw-admin-123"):

        def shot(path: str, name: str) -> None:
            page.goto(f"{server.url}{path}")
            page.locator(".settings-page h1").wait_for(state="visible")
            problems.extend(check_page(page, language, name, english))  # noqa: B023

        shot("/settings/teams/", "settings-teams")
        shot(f"/settings/teams/{team.pk}/", "settings-team-form")
        # An error beside its field: a name another team has.
        page.fill("#id_name", "grands comptes")
        page.click(".team-form button.primary")
        page.locator("#id_name_error").wait_for(state="visible")
        problems += check_page(page, language, "settings-team-form-error", english)
        shot(f"/settings/teams/{team.pk}/delete/", "settings-team-delete")

        shot("/settings/labels/", "settings-labels")
        shot(f"/settings/labels/{cast['label'].pk}/", "settings-label-form")
        page.check("#id_color_10")  # "Another colour"
        page.fill("#id_custom_color", "vert")
        page.click(".label-form button.primary")
        page.locator("#id_custom_color_error").wait_for(state="visible")
        problems += check_page(page, language, "settings-label-form-error", english)
        shot(f"/settings/labels/{cast['label'].pk}/delete/", "settings-label-delete")

        shot("/settings/attributes/", "settings-attributes")
        shot("/settings/attributes/new/", "settings-attribute-new")
        shot(f"/settings/attributes/{cast['plan'].pk}/", "settings-attribute-form")
        page.fill("#id_choices", "Essentiel")
        page.click(".settings-form button.primary")
        page.locator("#id_choices_error").wait_for(state="visible")
        problems += check_page(page, language, "settings-attribute-form-error", english)
        shot(f"/settings/attributes/{cast['plan'].pk}/delete/", "settings-attribute-delete")

    # The labels' colours in the workspace, for the reviewer's eye.
    page.goto(f"{server.url}/conversations/{cast['conversation']}/")
    page.locator("#conversation-live .label-chip .label-dot").first.wait_for(state="visible")
    screenshot(page, "settings-label-chips")
    assert problems == [], "\n".join(problems)
