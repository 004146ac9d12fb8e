"""How a customer's free-text survey reply is read: the score on the kind's scale, the opt-out,
and the comment. A reply a person would not score gets no score, ever."""

from __future__ import annotations

from pathlib import Path

import pytest

from omnicanal.surveys.parsing import ParsedReply, parse_reply

FIXTURES = Path(__file__).resolve().parent / "fixtures"

# (kind, reply, score a person reads in it or None, opt-out)
SCORED: list[tuple[str, str, int | None, bool]] = [
    # NPS, digits in every dress
    ("nps", "9", 9, False),
    ("nps", "10 !", 10, False),
    ("nps", "10!!!", 10, False),
    ("nps", "9.", 9, False),
    ("nps", "7 !", 7, False),
    ("nps", "0", 0, False),
    ("nps", "8/10", 8, False),
    ("nps", "9 /10", 9, False),
    ("nps", "9/ 10", 9, False),
    ("nps", "10/10", 10, False),
    ("nps", "9 sur 10", 9, False),
    ("nps", "10 sur 10 !", 10, False),
    ("nps", "Neuf sur dix", 9, False),
    ("nps", "dix sur dix", 10, False),
    ("nps", "9 out of 10!!", 9, False),
    ("nps", "Nine out of ten", 9, False),
    ("nps", "note 7", 7, False),
    ("nps", "Note : 10", 10, False),
    ("nps", "Note de 9", 9, False),
    ("nps", "ma note : 7", 7, False),
    ("nps", "je donne 8", 8, False),
    ("nps", "Je dirais 9", 9, False),
    ("nps", "je vous mets un 9", 9, False),
    ("nps", "J'ai mis 9", 9, False),
    ("nps", "c'est un 8", 8, False),
    ("nps", "Je mettrais 9 sur 10", 9, False),
    ("nps", "Très bien, je donne un 9", 9, False),
    ("nps", "I'd give it a 9", 9, False),
    ("nps", "I would give you a 9", 9, False),
    ("nps", "I'd rate you guys a 10", 10, False),
    ("nps", "I'd say 8", 8, False),
    ("nps", "I give 10", 10, False),
    ("nps", "Rating: 9", 9, False),
    ("nps", "My rating is 6", 6, False),
    ("nps", "Score 8", 8, False),
    ("nps", "It's a 7", 7, False),
    ("nps", "Solid 8", 8, False),
    ("nps", "Definitely a 10", 10, False),
    ("nps", "A 9 for sure", 9, False),
    ("nps", "Un 9 pour Julie", 9, False),
    ("nps", "9 super", 9, False),
    ("nps", "9 merci", 9, False),
    ("nps", "10 merci beaucoup", 10, False),
    ("nps", "10 vous êtes au top", 10, False),
    ("nps", "8 pour moi", 8, False),
    ("nps", "8 mais le délai de livraison est trop long", 8, False),
    ("nps", "9, merci pour votre aide", 9, False),
    ("nps", "Merci, 9 pour moi", 9, False),
    ("nps", "Bonjour, 9", 9, False),
    ("nps", "Bien 8", 8, False),
    ("nps", "Excellent 10", 10, False),
    ("nps", "Good service 9", 9, False),
    ("nps", "Très bien 9 merci", 9, False),
    ("nps", "5 - bien", 5, False),
    ("nps", "6 - slow but solid", 6, False),
    ("nps", "7 -- agent was polite", 7, False),
    ("nps", "10, Tom was great", 10, False),
    ("nps", "9/10, Marc a été très patient", 9, False),
    ("nps", "10/10 would recommend", 10, False),
    ("nps", "Je recommande 10/10", 10, False),
    ("nps", "10 sur 10 sans hésitation", 10, False),
    ("nps", "Sans hésiter : 10", 10, False),
    ("nps", "9/10 👍", 9, False),
    ("nps", "10 😀", 10, False),
    ("nps", "10 👏", 10, False),
    ("nps", "9 9", 9, False),
    ("nps", "8\ufe0f\u20e3", 8, False),
    ("nps", "\U0001f51f", 10, False),
    ("nps", "  9  ", 9, False),
    ("nps", "9\u00a0!", 9, False),
    # NPS, number words
    ("nps", "neuf", 9, False),
    ("nps", "Dix !", 10, False),
    ("nps", "zéro", 0, False),
    ("nps", "zero", 0, False),
    ("nps", "nine", 9, False),
    ("nps", "Ten", 10, False),
    ("nps", "sept", 7, False),
    ("nps", "huit", 8, False),
    ("nps", "Eight.", 8, False),
    ("nps", "Neuf, très bon accueil au téléphone", 9, False),
    ("nps", "Nine, great job", 9, False),
    ("nps", "Merci, neuf", 9, False),
    # NPS, no score a person would read
    ("nps", "11", None, False),
    ("nps", "12/10", None, False),
    ("nps", "15/20", None, False),
    ("nps", "4/5", None, False),
    ("nps", "8,5", None, False),
    ("nps", "7.5", None, False),
    ("nps", "7.5/10", None, False),
    ("nps", "8 et demi", None, False),
    ("nps", "9+", None, False),
    ("nps", "7 ou 8", None, False),
    ("nps", "entre 8 et 9", None, False),
    ("nps", "Je dirais entre 8 et 9", None, False),
    ("nps", "between 7 and 8", None, False),
    ("nps", "7 or 8", None, False),
    ("nps", "8 maybe 9", None, False),
    ("nps", "9 voire 10", None, False),
    ("nps", "9 ou même 10", None, False),
    ("nps", "neuf ou dix", None, False),
    ("nps", "8-9", None, False),
    ("nps", "9-10", None, False),
    ("nps", "8 à 9", None, False),
    ("nps", "9 et 10", None, False),
    ("nps", "10 10 10 9", None, False),
    ("nps", "9 ?", None, False),
    ("nps", "9?", None, False),
    ("nps", "au moins 8", None, False),
    ("nps", "at least 8", None, False),
    ("nps", "peut-être 7", None, False),
    ("nps", "probably 7", None, False),
    ("nps", "Je ne mettrais pas 10", None, False),
    ("nps", "pas 10 en tout cas", None, False),
    ("nps", "I wouldn't give it a 10", None, False),
    ("nps", "not a 10", None, False),
    ("nps", "pas terrible 4", None, False),
    ("nps", "livré le 9 mai", None, False),
    ("nps", "Delivered on May 9", None, False),
    ("nps", "J'attends depuis le 3", None, False),
    ("nps", "Rdv mardi 14", None, False),
    ("nps", "rappelez moi à 9h30", None, False),
    ("nps", "Call me back at 9am", None, False),
    ("nps", "Il est 9 heures", None, False),
    ("nps", "It's 2 pm", None, False),
    ("nps", "payé 9 €", None, False),
    ("nps", "I paid $9 for shipping", None, False),
    ("nps", "Remboursez-moi mes 50 euros", None, False),
    ("nps", "j'ai appelé 3 fois", None, False),
    ("nps", "called 3 times", None, False),
    ("nps", "Vous m'avez appelé 2x", None, False),
    ("nps", "J'ai eu 3 conseillers différents", None, False),
    ("nps", "2 semaines d'attente pour un remboursement", None, False),
    ("nps", "3 mois que j'attends", None, False),
    ("nps", "1 heure au téléphone", None, False),
    ("nps", "I waited 45 min", None, False),
    ("nps", "2 weeks and still no answer", None, False),
    ("nps", "réponse en 24h", None, False),
    ("nps", "06 12 34 56 78", None, False),
    ("nps", "Pouvez-vous me rappeler au 0612345678", None, False),
    ("nps", "commande 45678", None, False),
    ("nps", "Order #45871 still missing", None, False),
    ("nps", "Mon colis n° 12 est perdu", None, False),
    ("nps", "Ticket 7 toujours ouvert", None, False),
    ("nps", "Le 1er conseiller était nul, le 2e super", None, False),
    ("nps", "C'est la 3e fois que je vous écris", None, False),
    ("nps", "Je suis client depuis 10 ans", None, False),
    ("nps", "My son is 9 years old and loved it", None, False),
    ("nps", "Mon fils de 9 ans", None, False),
    ("nps", "J'ai 2 enfants", None, False),
    ("nps", "I have 3 kids", None, False),
    ("nps", "2 remarques : trop long, et personne ne répond", None, False),
    ("nps", "J'ai reçu 1 colis sur 2", None, False),
    ("nps", "je l'ai acheté 9", None, False),
    ("nps", "Windows 10 ne marche pas", None, False),
    ("nps", "iPhone 12", None, False),
    ("nps", "Bus 9 was late", None, False),
    ("nps", "Top 3 des pires services", None, False),
    ("nps", "Appli v3.2 plante", None, False),
    ("nps", "100%", None, False),
    ("nps", "Un téléphone neuf", None, False),
    ("nps", "les deux agents étaient sympas", None, False),
    ("nps", "One agent was rude", None, False),
    ("nps", "Just 1 thing: the app crashes", None, False),
    ("nps", "De 1 à 10 ? Aucune idée", None, False),
    ("nps", "great", None, False),
    ("nps", "Excellent service", None, False),
    ("nps", "parfait", None, False),
    ("nps", "nul", None, False),
    ("nps", "très satisfait", None, False),
    ("nps", "très facile", None, False),
    ("nps", "Merci beaucoup", None, False),
    ("nps", "oui", None, False),
    ("nps", "Who is this?", None, False),
    ("nps", "Bonjour, je voudrais savoir où en est ma commande", None, False),
    ("nps", "😀", None, False),
    ("nps", "😡", None, False),
    ("nps", "👍", None, False),
    ("nps", "⭐⭐⭐⭐⭐", None, False),
    ("nps", "", None, False),
    ("nps", "   ", None, False),
    # Opt-outs
    ("nps", "STOP", None, True),
    ("nps", "stop", None, True),
    ("nps", "Stop SMS", None, True),
    ("nps", "Stop.", None, True),
    ("nps", "arrêt", None, True),
    ("nps", "ARRET", None, True),
    ("nps", "désabonner", None, True),
    ("nps", "Désinscrivez-moi", None, True),
    ("nps", "unsubscribe", None, True),
    ("nps", "Please unsubscribe me", None, True),
    ("nps", "ne plus recevoir", None, True),
    ("nps", "Je ne veux plus recevoir vos sondages", None, True),
    ("nps", "plus de sondages svp", None, True),
    ("nps", "Arrêtez de m'envoyer des messages", None, True),
    ("nps", "Merci de ne plus me contacter", None, True),
    ("nps", "ne m'envoyez plus de sondages", None, True),
    ("nps", "laissez-moi tranquille", None, True),
    ("nps", "don't send me surveys", None, True),
    ("nps", "Stop sending me these texts", None, True),
    ("nps", "no more surveys please", None, True),
    ("nps", "remove me from your list", None, True),
    ("nps", "opt out", None, True),
    ("nps", "leave me alone", None, True),
    ("nps", "Merci STOP", None, True),
    ("nps", "STOP merci", None, True),
    ("nps", "9 STOP", 9, True),
    ("nps", "10 but please stop texting me", 10, True),
    ("nps", "the problem didn't stop", None, False),
    ("nps", "It won't stop crashing", None, False),
    ("nps", "le problème ne s'arrête jamais", None, False),
    ("nps", "Ça n'arrête pas de planter", None, False),
    ("nps", "Arrêt de travail, je n'ai pas pu répondre", None, False),
    # CSAT
    ("csat", "5", 5, False),
    ("csat", "1", 1, False),
    ("csat", "4/5", 4, False),
    ("csat", "5/5", 5, False),
    ("csat", "4 sur 5", 4, False),
    ("csat", "4 out of 5", 4, False),
    ("csat", "cinq", 5, False),
    ("csat", "un", 1, False),
    ("csat", "two", 2, False),
    ("csat", "très satisfait", 5, False),
    ("csat", "Très satisfaite !", 5, False),
    ("csat", "TRES SATISFAIT", 5, False),
    ("csat", "tres tres satisfait", 5, False),
    ("csat", "Très satisfait de l'accueil", 5, False),
    ("csat", "satisfait", 4, False),
    ("csat", "satisfaitttt", 4, False),
    ("csat", "plutôt satisfait", 4, False),
    ("csat", "Satisfait mais l'attente était longue", 4, False),
    ("csat", "neutre", 3, False),
    ("csat", "moyen", 3, False),
    ("csat", "c'était moyen", 3, False),
    ("csat", "mitigé", 3, False),
    ("csat", "moyennement satisfait", 3, False),
    ("csat", "pas satisfait", 2, False),
    ("csat", "Je ne suis pas satisfait", 2, False),
    ("csat", "insatisfait", 2, False),
    ("csat", "peu satisfait", 2, False),
    ("csat", "pas très satisfait", 2, False),
    ("csat", "mécontent", 2, False),
    ("csat", "pas du tout satisfait", 1, False),
    ("csat", "Je ne suis pas du tout satisfait", 1, False),
    ("csat", "Je ne suis pas satisfait du tout", 1, False),
    ("csat", "très insatisfait", 1, False),
    ("csat", "very satisfied", 5, False),
    ("csat", "extremely satisfied", 5, False),
    ("csat", "I am very satisfied with the service", 5, False),
    ("csat", "satisfied", 4, False),
    ("csat", "neutral", 3, False),
    ("csat", "dissatisfied", 2, False),
    ("csat", "unsatisfied", 2, False),
    ("csat", "not satisfied", 2, False),
    ("csat", "I'm not satisfied", 2, False),
    ("csat", "not very satisfied", 2, False),
    ("csat", "very dissatisfied", 1, False),
    ("csat", "not at all satisfied", 1, False),
    ("csat", "I am not satisfied at all", 1, False),
    ("csat", "😡", 1, False),
    ("csat", "😠", 1, False),
    ("csat", "🙁", 2, False),
    ("csat", "😞", 2, False),
    ("csat", "😐", 3, False),
    ("csat", "🙂", 4, False),
    ("csat", "😀", 5, False),
    ("csat", "😃", 5, False),
    ("csat", "😍", 5, False),
    ("csat", "🤩", 5, False),
    ("csat", "😀😀😀", 5, False),
    ("csat", "⭐⭐⭐⭐", 4, False),
    ("csat", "★★★★☆", 4, False),
    ("csat", "4 étoiles", 4, False),
    ("csat", "5 stars", 5, False),
    ("csat", "tres satisfait 5", 5, False),
    ("csat", "satisfait 😀", 4, False),
    ("csat", "6", None, False),
    ("csat", "0", None, False),
    ("csat", "8", None, False),
    ("csat", "10/10", None, False),
    ("csat", "9/10", None, False),
    ("csat", "6 étoiles", None, False),
    ("csat", "4 ou 5", None, False),
    ("csat", "👍", None, False),
    ("csat", "😀😡", None, False),
    ("csat", "excellent", None, False),
    ("csat", "super", None, False),
    ("csat", "bof", None, False),
    ("csat", "pas mal", None, False),
    ("csat", "nul", None, False),
    ("csat", "vraiment satisfait", None, False),
    ("csat", "quite satisfied", None, False),
    ("csat", "really satisfied", None, False),
    ("csat", "pas insatisfait", None, False),
    ("csat", "satisfait ?", None, False),
    ("csat", "satisfied?", None, False),
    ("csat", "je serais satisfait si vous répondiez", None, False),
    ("csat", "I'd be satisfied if it worked", None, False),
    ("csat", "pas moyen de vous joindre", None, False),
    ("csat", "Un service rapide", None, False),
    ("csat", "J'ai attendu 5 minutes", None, False),
    ("csat", "STOP", None, True),
    ("csat", "5 mais arrêtez les sondages", 5, True),
    # CES
    ("ces", "7", 7, False),
    ("ces", "1", 1, False),
    ("ces", "7/7", 7, False),
    ("ces", "5 sur 7", 5, False),
    ("ces", "6 out of 7", 6, False),
    ("ces", "sept", 7, False),
    ("ces", "seven", 7, False),
    ("ces", "très facile", 7, False),
    ("ces", "tres facile", 7, False),
    ("ces", "Très facile merci !", 7, False),
    ("ces", "super facile", 7, False),
    ("ces", "facile", 6, False),
    ("ces", "C'était facile", 6, False),
    ("ces", "plutôt facile", 5, False),
    ("ces", "assez facile", 5, False),
    ("ces", "ni facile ni difficile", 4, False),
    ("ces", "neutre", 4, False),
    ("ces", "plutôt difficile", 3, False),
    ("ces", "un peu difficile", 3, False),
    ("ces", "difficile", 2, False),
    ("ces", "compliqué", 2, False),
    ("ces", "très difficile", 1, False),
    ("ces", "pas du tout facile", 1, False),
    ("ces", "very easy", 7, False),
    ("ces", "easy", 6, False),
    ("ces", "It was easy", 6, False),
    ("ces", "somewhat easy", 5, False),
    ("ces", "neither easy nor difficult", 4, False),
    ("ces", "somewhat difficult", 3, False),
    ("ces", "difficult", 2, False),
    ("ces", "hard", 2, False),
    ("ces", "very difficult", 1, False),
    ("ces", "not easy at all", 1, False),
    ("ces", "facile 6", 6, False),
    ("ces", "8", None, False),
    ("ces", "0", None, False),
    ("ces", "9/10", None, False),
    ("ces", "pas facile", None, False),
    ("ces", "c'était pas facile", None, False),
    ("ces", "Ce n'était pas facile", None, False),
    ("ces", "pas difficile", None, False),
    ("ces", "pas très facile", None, False),
    ("ces", "trop facile", None, False),
    ("ces", "not easy", None, False),
    ("ces", "not difficult", None, False),
    ("ces", "so easy", None, False),
    ("ces", "hard to say", None, False),
    ("ces", "difficile à dire", None, False),
    ("ces", "They worked hard", None, False),
    ("ces", "😀", None, False),
    ("ces", "6 ou 7", None, False),
    ("ces", "rapide", None, False),
    ("ces", "J'ai dû appeler 2 fois", None, False),
    ("ces", "très satisfait", None, False),
    ("ces", "désinscription", None, True),
]


@pytest.mark.parametrize(("kind", "text", "score", "opt_out"), SCORED)
def test_reply_is_read_as_a_person_reads_it(
    kind: str, text: str, score: int | None, opt_out: bool
) -> None:
    reply = parse_reply(text, kind)
    assert (reply.score, reply.opt_out) == (score, opt_out)


def test_the_table_is_large_and_covers_every_kind() -> None:
    assert len(SCORED) >= 200
    for kind in ("csat", "nps", "ces"):
        cases = [case for case in SCORED if case[0] == kind]
        assert any(case[2] is None for case in cases)
        assert any(case[2] is not None for case in cases)


@pytest.mark.parametrize(
    ("kind", "text", "comment"),
    [
        ("nps", "9 super", "super"),
        ("nps", "10 !", ""),
        ("nps", "9/10, Marc a été très patient", "Marc a été très patient"),
        ("nps", "je donne 8 car l'attente était longue", "car l'attente était longue"),
        ("nps", "Merci, 9 pour moi", "Merci, pour moi"),
        ("nps", "10 😀", "😀"),
        ("csat", "Très satisfait, merci", "merci"),
        ("csat", "Je ne suis pas du tout satisfait", ""),
        ("csat", "satisfaitttt", ""),
        ("ces", "Très facile merci !", "merci !"),
        ("nps", "STOP", ""),
        ("nps", "Stop merci", "merci"),
        ("nps", "plus de sondages svp", "svp"),
        ("nps", "9 STOP", ""),
    ],
)
def test_comment_is_the_rest_of_the_reply(kind: str, text: str, comment: str) -> None:
    assert parse_reply(text, kind).comment == comment


@pytest.mark.parametrize(
    "text", ["Parfait !", "7 ou 8", "  le colis est arrivé le 9 mai  ", "😡", ""]
)
def test_a_reply_without_score_is_kept_whole_as_the_comment(text: str) -> None:
    assert parse_reply(text, "nps") == ParsedReply(None, False, text.strip())


def test_language_limits_the_words_read() -> None:
    assert parse_reply("neuf", "nps", "fr").score == 9
    assert parse_reply("neuf", "nps", "en").score is None
    assert parse_reply("nine", "nps", "en").score == 9
    assert parse_reply("nine", "nps", "fr").score is None
    assert parse_reply("very satisfied", "csat", "fr").score is None
    assert parse_reply("très satisfait", "csat", "en").score is None
    assert parse_reply("9", "nps", "en").score == 9
    assert parse_reply("STOP", "nps", "en").opt_out


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown survey kind"):
        parse_reply("9", "stars")


def _fixture_cases() -> list[tuple[str, str, str, int | None, bool]]:
    cases = []
    for path in sorted(FIXTURES.glob("replies_*.tsv")):
        lang = path.stem.removeprefix("replies_")
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            kind, score, opt_out, text = line.split("\t", 3)
            cases.append((lang, kind, text, int(score) if score else None, opt_out == "1"))
    return cases


def test_evaluation_set_is_read_right_with_no_false_score() -> None:
    cases = _fixture_cases()
    assert len(cases) >= 300
    right = 0
    false_scores = []
    for lang, kind, text, score, opt_out in cases:
        for language in (lang, "auto"):
            reply = parse_reply(text, kind, language)  # type: ignore[arg-type]
            right += (reply.score, reply.opt_out) == (score, opt_out)
            if reply.score is not None and reply.score != score:
                false_scores.append((language, kind, text, reply.score))
    assert false_scores == []
    assert right / (2 * len(cases)) >= 0.98
