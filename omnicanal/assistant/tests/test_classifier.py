"""The triage intent classifier learns a team's labels (French and English alike), says when a
message is about none of them, and survives being stored and loaded."""

from __future__ import annotations

import pytest

from omnicanal.assistant.classifier import OUT_OF_SCOPE, IntentClassifier

TRAINING = {
    "card_arrival": [
        "Where is my card?", "My new card has still not arrived", "When will my card be delivered?",
        "I ordered a card two weeks ago and nothing came", "How long does the card take to arrive?",
        "Ma carte n'est toujours pas arrivée", "Quand vais-je recevoir ma nouvelle carte ?",
        "J'attends ma carte bancaire depuis deux semaines", "La carte commandée n'est pas livrée",
        "Combien de temps pour recevoir la carte ?",
    ],
    "refund": [
        "I want a refund", "Please give me my money back", "How do I get reimbursed for this order?",
        "The product was broken, refund me", "Can I return it and be refunded?",
        "Je veux être remboursé", "Remboursez-moi s'il vous plaît",
        "Comment obtenir un remboursement ?", "Le colis était abîmé, je demande un remboursement",
        "Puis-je me faire rembourser ma commande ?",
    ],
    "password": [
        "I forgot my password", "How do I reset my password?", "I can't log in to my account",
        "My password doesn't work anymore", "Change my login password",
        "J'ai oublié mon mot de passe", "Comment réinitialiser mon mot de passe ?",
        "Je n'arrive plus à me connecter", "Mon mot de passe ne fonctionne plus",
        "Changer le mot de passe de mon compte",
    ],
}
NOTHING = [
    "What's the weather like tomorrow?", "Tell me a joke", "Who won the football match?",
    "Play some music", "What is the capital of Australia?", "Quel temps fera-t-il demain ?",
    "Raconte-moi une blague", "Quelle heure est-il à Tokyo ?", "Recommend a good film",
    "Combien mesure la tour Eiffel ?",
]


def examples(with_nothing: bool = False) -> tuple[list[str], list[str]]:
    texts = [t for items in TRAINING.values() for t in items]
    labels = [label for label, items in TRAINING.items() for _ in items]
    if with_nothing:
        texts += NOTHING
        labels += [OUT_OF_SCOPE] * len(NOTHING)
    return texts, labels


@pytest.fixture(scope="module")
def classifier() -> IntentClassifier:
    return IntentClassifier(seed=0).fit(*examples())


@pytest.fixture(scope="module")
def with_out_of_scope() -> IntentClassifier:
    return IntentClassifier(seed=0).fit(*examples(with_nothing=True))


def test_names_the_intent_of_new_messages_in_french_and_english(
    classifier: IntentClassifier,
) -> None:
    messages = {
        "my card never showed up in the mail": "card_arrival",
        "je n'ai jamais reçu ma carte": "card_arrival",
        "I would like my money back please": "refund",
        "je souhaite un remboursement": "refund",
        "cannot remember my password": "password",
        "j'ai perdu mon mot de passe": "password",
    }
    predictions = classifier.predict(list(messages))
    assert [p.label for p in predictions] == list(messages.values())
    assert all(0.0 <= p.confidence <= 1.0 for p in predictions)
    assert sorted(classifier.labels) == ["card_arrival", "password", "refund"]


def test_confidence_is_higher_for_a_clear_message_than_for_a_vague_one(
    classifier: IntentClassifier,
) -> None:
    clear, vague = classifier.predict(["I forgot my password, how do I reset it?", "hello"])
    assert clear.label == "password"
    assert clear.confidence > vague.confidence


def test_out_of_scope_examples_teach_it_to_say_none_of_these(
    with_out_of_scope: IntentClassifier,
) -> None:
    predictions = with_out_of_scope.predict([
        "what is the weather in Paris today", "quelle est la météo à Lyon",
        "I want my money back",
    ])
    assert [p.label for p in predictions] == [OUT_OF_SCOPE, OUT_OF_SCOPE, "refund"]
    assert OUT_OF_SCOPE in with_out_of_scope.labels


def test_a_message_below_the_threshold_is_out_of_scope(classifier: IntentClassifier) -> None:
    message = ["Where is my card?"]
    assert classifier.predict(message)[0].label == "card_arrival"
    sure = classifier.predict(message)[0].confidence
    stricter = IntentClassifier.from_bytes(classifier.to_bytes())
    stricter.threshold = min(1.0, sure + 0.01) if sure < 1.0 else 1.01
    assert stricter.predict(message)[0].label == OUT_OF_SCOPE


def test_without_out_of_scope_examples_ordinary_messages_get_an_intent(
    classifier: IntentClassifier,
) -> None:
    predictions = classifier.predict(["card", "refund please", "mot de passe"])
    assert OUT_OF_SCOPE not in [p.label for p in predictions]


def test_stored_and_loaded_it_predicts_the_same(with_out_of_scope: IntentClassifier) -> None:
    messages = ["ma carte est-elle partie ?", "refund", "sing me a song", "reset password"]
    loaded = IntentClassifier.from_bytes(with_out_of_scope.to_bytes())
    assert loaded.predict(messages) == with_out_of_scope.predict(messages)
    assert loaded.labels == with_out_of_scope.labels


def test_refuses_bytes_that_are_not_a_classifier() -> None:
    import pickle

    with pytest.raises(TypeError):
        IntentClassifier.from_bytes(pickle.dumps({"not": "a model"}))


def test_an_untrained_classifier_says_so() -> None:
    with pytest.raises(RuntimeError):
        IntentClassifier().predict(["hello"])


def test_same_seed_same_model() -> None:
    texts, labels = examples(with_nothing=True)
    messages = ["where's my card", "blague", "rembourser"]
    first = IntentClassifier(seed=3).fit(texts, labels).predict(messages)
    second = IntentClassifier(seed=3).fit(texts, labels).predict(messages)
    assert first == second
