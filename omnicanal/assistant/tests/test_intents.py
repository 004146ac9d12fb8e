from django.utils import translation

from omnicanal.assistant.intents import intent_name


def test_baseline_intents_read_in_the_agents_language_and_team_labels_as_they_are() -> None:
    with translation.override("fr"):
        assert intent_name("order_status") == "Suivi de commande"
    with translation.override("en"):
        assert intent_name("human_agent") == "Asks for a person"
    assert intent_name("remboursement-express") == "remboursement-express"
