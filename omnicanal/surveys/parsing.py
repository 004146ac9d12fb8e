"""Reading a customer's free-text answer to a survey: "9", "neuf", "9/10", "très facile",
"pas du tout satisfait", "STOP". A score is given only when the reply states one; anything
else is kept as a comment, never guessed.

Precision comes first: a wrong score pollutes a team's figures and may open a follow-up task,
while a missed one only leaves a comment for a person to read. So every doubt gives no score:
two different candidates ("7 ou 8", "8 maybe 9"), a decimal ("8,5"), a number off the scale
("11" for NPS, "15/20", "8/10" for CSAT), a hedge or a negation next to it ("pas 10",
"au moins 8", "not a 10"), a number with a question mark ("9 ?"), a number that counts or
dates something ("3 fois", "le 9 mai", "9h30", "9 €", "24h", a phone or order number).

Decisions on the readings a person could make either way:
- Negations that are not a label of the scale give nothing: "pas facile", "not easy",
  "pas difficile", "pas très facile", "pas insatisfait" (difficult, or only somewhat?). The
  strong ones are read as the bottom of the scale: "pas du tout facile", "not easy at all" (CES
  1) like "pas du tout satisfait" (CSAT 1); "pas satisfait", "not satisfied" are the scale's own
  "dissatisfied" (CSAT 2).
- Intensifiers outside the scale's labels give nothing: "vraiment satisfait", "trop facile",
  "really satisfied", "so easy" (4 or 5? 6 or 7?). "très", "very", "extrêmement", "super",
  "totally" and the like are the top label.
- NPS has no verbal scale: "great", "excellent", "nul" give no NPS score; nor do emoji.
- Emoji score CSAT only, on the common five faces: 😡 😠 🤬 = 1, 🙁 😞 ☹ 😟 = 2, 😐 😑 = 3,
  🙂 = 4, 😀 😃 😄 😁 😍 🤩 🥰 = 5; stars (⭐⭐⭐⭐, ★★★★☆, "4 étoiles") count for CSAT.
  Only when they are the answer (alone, or with "merci"): in a sentence ("Ok merci 😊",
  "Pire service 😡") they decorate it. 😊 (polite as often as rating), 👍 and 👎 give nothing
  (4 or 5? 1 or 2?), and no emoji scores NPS or CES: a face says a mood, not a point on an
  eleven- or seven-point scale. A number or a word beats an emoji.
- Mixed answers give nothing: "satisfait de l'agent mais pas du délai"; "5 stars on Google"
  rates something else. "Easy enough" is softened (no score) but does not contradict "6".
- "STOP" is an opt-out when it stands on its own (alone, with a score, "merci", "svp"...,
  or set off by punctuation at either end of the reply, or written in capitals inside a
  sentence as SMS keywords are); "the problem didn't stop" is not one. A reply may give a score
  and opt out ("9 STOP"): both are kept, since the customer did state the score.
- A number word counts at the start of the reply, alone in its clause ("merci, neuf"), after a
  cue ("je donne huit", "I'd give it a nine") or in "x sur 10"; elsewhere it is part of a
  sentence ("les deux agents", "un téléphone neuf"). "un"/"one" counts only alone or after a cue.
- `comment` is the reply without the score expression (cue included: "je donne 8 car..." keeps
  "car...") and without the opt-out words; the whole reply when nothing was read.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

from omnicanal.surveys.models import SCALES

Lang = Literal["fr", "en", "auto"]


@dataclass(frozen=True)
class ParsedReply:
    # On the kind's scale, or None when the reply gives none (or is ambiguous).
    score: int | None
    # A request to receive no more surveys.
    opt_out: bool
    # The rest of the text ("" when nothing).
    comment: str


# ---------------------------------------------------------------- normalisation

_CHAR_MAP = {
    "\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'", "\u02bc": "'",
    "\u0153": "oe", "\u00e6": "ae", "\u00df": "ss",
    "\u00ab": '"', "\u00bb": '"', "\u201c": '"', "\u201d": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
    "\u2026": "...", "\u00bd": " 1/2", "\u2044": "/", "\u2215": "/", "\U0001f51f": "10",
}
_SKIN_TONES = range(0x1F3FB, 0x1F400)


@dataclass
class _Folded:
    """The reply in lower case without accents, letters repeated three times or more squeezed
    to one ("tresss facile"), with the original position of each character for the comment."""

    text: str
    origin: list[int]
    taken: list[bool] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.taken = [False] * len(self.text)

    def free(self, start: int, end: int) -> bool:
        return not any(self.taken[start:end])

    def take(self, start: int, end: int) -> None:
        for index in range(start, end):
            self.taken[index] = True


def _fold(original: str) -> _Folded:
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(original):
        mapped = _CHAR_MAP.get(char)
        if mapped is None:
            mapped = "".join(
                piece
                for piece in unicodedata.normalize("NFKD", char)
                if unicodedata.category(piece) not in {"Mn", "Me"} and ord(piece) not in _SKIN_TONES
            ).lower()
        for piece in mapped:
            chars.append(piece)
            origin.append(index)
    kept_chars: list[str] = []
    kept_origin: list[int] = []
    index = 0
    while index < len(chars):
        run_end = index
        while run_end < len(chars) and chars[run_end] == chars[index]:
            run_end += 1
        keep = 1 if chars[index].isalpha() and run_end - index >= 3 else run_end - index
        kept_chars.extend(chars[index : index + keep])
        kept_origin.extend(origin[index : index + keep])
        index = run_end
    return _Folded("".join(kept_chars), kept_origin)


# ---------------------------------------------------------------- vocabulary

_B = r"(?<![a-z0-9])"
_E = r"(?![a-z0-9])"
_PUNCT = ".,;:!?()[]\"/|"

_WORDS_FR = {
    "zero": 0, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6,
    "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "quinze": 15,
    "vingt": 20, "cent": 100,
}
_WORDS_EN = {
    "zero": 0, "nil": 0, "nought": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "fifteen": 15, "twenty": 20, "hundred": 100,
}
# Words that are far more often an article or a pronoun than a score.
_ARTICLE_WORDS = {"un", "une", "one"}

# A number followed by one of these counts or measures something.
_UNITS = (
    r"h|hr|hrs|hrs?\.|heures?|hours?|mins?|mn|minutes?|secs?|secondes?|seconds?|s|j|jours?|"
    r"days?|nuits?|nights?|semaines?|sem|weeks?|wks?|mois|months?|ans?|annees?|years?|yrs?|"
    r"fois|times?|x|eur|euros?|e|\$|usd|dollars?|pounds?|chf|cts?|centimes?|cents?|%|pour ?cent|"
    r"percent|pct|km|kms|m|metres?|meters?|kg|kgs|g|grammes?|go|gb|mo|mb|ko|kb|"
    r"appels?|calls?|coups? de fil|messages?|mails?|e-?mails?|sms|textos?|texts?|relances?|"
    r"reponses?|replies|tickets?|demandes?|requests?|commandes?|orders?|colis|packages?|"
    r"parcels?|articles?|items?|produits?|products?|pieces?|unites?|units?|"
    r"personnes?|people|persons?|gens|agents?|conseillers?|conseilleres?|operateurs?|"
    r"operators?|interlocuteurs?|techniciens?|technicians?|enfants?|kids?|children|"
    r"etoiles?|stars?|points?|pts|numeros?|lignes?|lines?|pages?|euros?|rues?|street|"
    r"avenue|bd|boulevard|allee|chemin|place|etages?|floors?|seul|seule|single|"
    r"transferts?|transfers?|tentatives?|attempts?|tries|essais?|echanges?|interactions?|"
    r"mn|min\.|jrs?|mins\.|problemes?|problems?|soucis?|issues?|bugs?|erreurs?|errors?|"
    r"questions?|choses?|things?|raisons?|reasons?|fautes?|faults?|defauts?|stress|"
    r"attente|wait|waiting|hassle|effort|efforts|complaints?|plaintes?|reproches?|"
    r"clics?|clicks?|etapes?|steps?|ecrans?|screens?|formulaires?|forms?|mots?|words?|"
    r"lettres?|letters?|chiffres?|digits?|fois\.|semaine|retards?|delays?|"
    "[\u2b50\u2605\U0001f31f]"
)

# Months: a number next to one is a date.
_MONTHS = (
    r"janvier|janv|fevrier|fevr?|mars|avril|avr|mai|juin|juillet|juil|aout|septembre|sept|"
    r"octobre|oct|novembre|nov|decembre|dec|january|jan|february|feb|march|mar|april|apr|"
    r"june|jun|july|jul|august|aug|september|sep|october|november|december"
)
_DAYS = (
    r"lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|monday|tuesday|wednesday|"
    r"thursday|friday|saturday|sunday"
)

# Words before a number that make it an identifier, a place, a rank or a time.
_ID_BEFORE = (
    r"n ?°|n ?o\.|nr|#|num|numero|number|nb|ref|reference|commande|cmd|order|ticket|"
    r"dossier|case|facture|invoice|colis|suivi|tracking|client|compte|account|page|version|"
    r"v|etage|floor|chambre|room|article|item|code|ligne|line|bus|porte|gate|tel|telephone|"
    r"phone|mobile|portable|appartement|apt|bat|batiment|building|quai|terminal|vol|flight|"
    r"top|iphone|galaxy|windows|android|ios|etape|step|option|choix|choice|touche|"
    r"key|menu|tapez|taper|press|pressed|appuyez|appuye|depuis|since|jusqu'a|until|till|"
    r"vers|at|by|chaque|each|every|fois|times|modele|model|serie|series|saison|season|"
    r"episode|chapitre|chapter|groupe|group|equipe|team|niveau|level|stage|classe|class"
)
# Words ending in s or x that may follow a score without being a counted noun.
_FOLLOWERS_S = {
    "mais", "plus", "tres", "pas", "sans", "vous", "nous", "les", "des", "ses", "mes", "tes",
    "ces", "dans", "sous", "vers", "apres", "depuis", "as", "is", "was", "has", "thanks",
    "this", "yes", "us", "its", "always", "tous", "toujours", "thx", "cheers", "bravos",
    "merci", "parfois", "alors", "donc", "puis", "aussi", "ainsi", "jamais", "hors", "vos",
    "nos", "toutes", "guys", "excellents", "bons", "gentils", "kudos", "congrats",
    "felicitations", "bises", "salutations", "regards", "thnks", "tks",
}
# Words that may follow a score of 0 ("0 nul"); any other word makes it a count ("0 suivi").
_AFTER_ZERO = {
    "nul", "nulle", "merci", "thanks", "pas", "jamais", "never", "horrible", "terrible",
    "honteux", "honteuse", "lamentable", "catastrophique", "minable", "decu", "decue",
    "sorry", "desole", "desolee", "car", "parce", "because", "mais", "but", "vraiment",
    "really", "pathetique", "pathetic", "awful", "scandaleux", "inadmissible", "inacceptable",
    "unacceptable", "pitoyable", "zero", "absolument", "franchement", "honestly",
}
# "1 more thing", "2 autres questions": a count, whatever the noun.
_COUNTING_FOLLOWERS = {
    "more", "other", "others", "autre", "autres", "thing", "chose", "last", "dernier",
    "derniere", "extra", "additional", "supplementaire", "encore", "seul", "seule",
}
_COURTESY = (
    r"merci|merci beaucoup|mille mercis|thanks|thank you|thx|ty|svp|stp|s'il vous plait|"
    r"s'il te plait|please|pls|plz|bravo|cheers|super|top|parfait|perfect|great|excellent|"
    r"genial|nickel|ok|okay|bonne journee|have a nice day|cordialement|regards|bien|good"
)

# Cues that put a score after them.
_CUES = (
    r"(?:(?:je|j'|moi je|perso je|personnellement je)\s*(?:vous |te |lui |leur )?"
    r"(?:donne|donnerai|donnerais|mets|met|mettrai|mettrais|attribue|attribuerais|dirais|"
    r"dirai|dis|note|noterais|noterai|evalue|choisis|reponds|vote)"
    r"|j'?ai (?:mis|donne|note|attribue)|je (?:vous|lui|leur) ai (?:mis|donne|attribue)"
    r"|ma note(?: (?:est|serait|sera|finale))?|note(?: finale| globale| generale)?|"
    r"notation|evaluation|score|rating|reponse|answer|mon score|my score|my rating|"
    r"c'est un|c'est une|c est un|ce serait un|ca vaut(?: un)?|ca merite(?: un)?|"
    r"vous meritez(?: un)?|tu merites(?: un)?|"
    r"(?:i'?d|i would|i will|i'll|i|we'?d|we would|we)\s+(?:give|rate|score|say|put|"
    r"vote|choose|pick|answer)|(?:i|we)\s+(?:gave|rated|scored)|"
    r"(?:give|rate|gave|rated|scoring|scored|rating)|"
    r"(?:it'?s|its|it is|that'?s|that is|you get|you deserve|you guys get|deserves?)"
    r")"
    r"(?:\s+(?:it|you|you guys|them|this|u|y'all|ya|the service|the experience|"
    r"le service|l'experience|vous|la prestation))?"
    r"(?:\s+(?:a|an|un|une|de|d'|at|as|of|is|was|:|=|-|en))?"
    r"(?:\s+(?:solid|good|strong|big|fair|honest|easy|clear|bon|solide|petit|gros|beau|"
    r"bel|grand|honnete|franc))?"
    r"\s*[:=\-]?\s*"
)

# Words right before a number or a verbal answer that make it unsure or not a statement.
_HEDGES = {
    "pas", "not", "no", "jamais", "never", "even", "maybe", "perhaps", "peut-etre",
    "peutetre", "probablement", "probably", "possibly", "environ", "about", "around",
    "approx", "approximately", "presque", "almost", "nearly", "quasi", "quasiment", "genre",
    "like", "over", "under", "plus", "moins", "more", "less", "than", "que", "least", "most",
    "sinon", "otherwise", "ni", "nor", "neither", "si", "if", "could",
    "might", "should", "serais", "serait", "aurais", "aurait", "pourrais", "pourrait",
    "devrais", "devrait", "voudrais", "wish", "hope", "espere", "guere", "aucunement",
    "nullement", "hardly", "barely", "rarely", "rarement", "ou", "or", "voire", "entre",
    "between", "et", "and", "vs", "instead", "plutot",
}
_NEGATION_SUFFIX = "n't"
# Words right after a number that make it a guess: "8 peut-être", "7 maybe", "9 ou plus".
_HEDGE_AFTER = re.compile(
    r"\s*[,.]?\s*(?:peut-?etre|maybe|perhaps|probablement|probably|environ|about|ish|-ish|"
    r"a peu pres|approx\w*|ou plus|or more|ou moins|or less|max|maximum|minimum|"
    r"grand max|at most|at best|au mieux|au plus|at least|au moins|je pense|i think|"
    r"i guess|je crois|i suppose|j'imagine|disons|let's say|if|unless|sauf si|s'il|"
    r"si (?:vous|tu|on|j'|je|il|elle|c'|ca|le|la|les|mon|ma|mes))" + _E
)
# A number right after one of these words completes the phrase ("1 colis sur 2", "acheté 9"):
# it is not a score given on its own.
_NOT_BEFORE_SCORE = {
    "sur", "of", "on", "out", "de", "d'", "du", "des", "le", "la", "les", "l'", "the", "en",
    "in", "at", "for", "pour", "par", "per", "mon", "ma", "mes", "my", "your",
    "votre", "vos", "nos", "our", "avec", "with", "apres", "after", "avant", "before", "dans",
    "depuis", "since", "paye", "payee", "paid", "achete", "bought", "coute", "cost", "costs",
    "recu", "received", "seulement", "only", "juste", "just", "que", "than", "to", "from",
    "into", "numero", "number", "no", "tous", "all", "every", "chaque", "ages",
    "age", "aged", "vers", "til", "till", "until", "jusqu'a", "attendu", "waited", "appele",
    "called", "fait", "made", "did", "done", "envoye", "sent", "mis", "pris", "took", "taken",
    "perdu", "lost", "gagne", "won", "rembourse", "refunded", "commande", "ordered", "vu",
    "seen", "saw", "entre", "between", "and", "et", "or", "ou",
}


# ---------------------------------------------------------------- opt-outs

_SURVEY_NOUNS = (
    r"(?:sondages?|questionnaires?|enquetes?|messages?|sms|textos?|mails?|e-?mails?|"
    r"relances?|notifications?|surveys?|texts?|questions?|appels?|calls?|spams?|trucs?)"
)
_OBJECT = r"(?: (?:de|d'|vos|ces|les|des|tous ces|toutes ces|your|these|those|the|any|more)){0,2}"
_OPT_OUT_ANYWHERE = re.compile(
    _B + r"(?:"
    r"(?:please )?unsubscribe(?: me)?|unsub|desabonn\w*(?:[- ]moi)?|desinscri\w*(?:[- ]moi)?|"
    r"opt(?:ing)? ?-?out|opt me out|"
    r"(?:je (?:ne )?(?:veux|souhaite|desire|voudrais) )?ne plus (?:rien )?(?:recevoir|etre "
    r"(?:contacte|sollicite|relance|derange)e?s?)(?:" + _OBJECT + r" ?" + _SURVEY_NOUNS + r")?|"
    r"je (?:ne )?(?:veux|souhaite|voudrais) plus (?:recevoir|etre (?:contacte|sollicite|"
    r"relance|derange)e?s?|(?:(?:de|d'|vos|ces|les|des) ?){1,2}" + _SURVEY_NOUNS + r")"
    r"(?:" + _OBJECT + r" ?" + _SURVEY_NOUNS + r")?|"
    r"ne (?:me |m')(?:contactez|sollicitez|envoyez|ecrivez|harcelez|relancez|derangez|"
    r"envoyer|contacter|ecrire|solliciter|relancer) ?(?:plus|jamais)(?: rien)?"
    r"(?:" + _OBJECT + r" ?" + _SURVEY_NOUNS + r")?|"
    r"plus (?:jamais )?(?:de|d') ?" + _SURVEY_NOUNS + r"|"
    r"ne plus (?:me |m')(?:contacter|envoyer|ecrire|solliciter|relancer|deranger|appeler)"
    r"(?:" + _OBJECT + r" ?" + _SURVEY_NOUNS + r")?|"
    r"(?:arret\w*|cesse\w*|stop\w*) (?:de |d')?(?:me |m')?(?:envoyer|ecrire|contacter|"
    r"harceler|solliciter|relancer|deranger|spammer|texter)(?: (?:moi|me))?"
    r"(?:" + _OBJECT + r" ?" + _SURVEY_NOUNS + r")?|"
    r"(?:arret\w*|cesse\w*|stop)(?: (?:avec|aux|a|les|vos|ces|des|with|the|your|these))* ?"
    + _SURVEY_NOUNS + r"|"
    r"stop (?:sending|texting|messaging|contacting|emailing|spamming|asking|bothering|"
    r"harassing)(?: me)?(?:" + _OBJECT + r" ?" + _SURVEY_NOUNS + r")?|"
    r"(?:please )?(?:do not|don'?t|dont|never) (?:send|text|message|contact|email|bother)"
    r"(?: me)?(?: (?:any|anymore|again|more|these|those|the|your|another|other))*"
    r"(?: " + _SURVEY_NOUNS + r")?(?: (?:again|anymore|ever again))?|"
    r"no more " + _SURVEY_NOUNS + r"|"
    r"i (?:do not|don'?t|dont) want (?:to (?:receive|get) )?(?:any )?(?:more )?"
    + _SURVEY_NOUNS + r"(?: (?:anymore|again))?|"
    r"(?:please )?(?:remove|take) me (?:off|from)(?: (?:your|the|this|all))?"
    r"(?: (?:list|lists|mailing list|survey list|surveys?|texts?))?|"
    r"leave me alone|laisse[sz]?[- ]moi tranquilles?|fiche[sz]?[- ]moi la paix|"
    r"foute[sz]?[- ]moi la paix|lache[sz]?[- ]moi"
    r")" + _E
)
_OPT_OUT_KEYWORD = re.compile(
    _B + r"(stop|stopall|stop all|stop sms|stopsms|arret|arrete|arreter|arretez|end|quit|"
    r"cancel)" + _E + r"(?![-'])"
)
_CAPITAL_KEYWORDS = {"STOP", "STOPALL", "ARRET", "ARR\u00caT", "ARRETEZ", "ARR\u00caTEZ"}
_WEAK_KEYWORDS = {"end", "quit", "cancel", "arrete", "arreter"}
_BARE_OPT_OUT_FILLERS = re.compile(
    _B + r"(?:" + _COURTESY + r"|sms|les sms|messages|sondages?|surveys?|now|maintenant|"
    r"tout|all|please|vos|les|your|svp|stp|bye|au revoir|definitivement|for good)" + _E
)


def _find_opt_outs(folded: _Folded, original: str) -> list[tuple[int, int]]:
    text = folded.text
    spans: list[tuple[int, int]] = []
    for match in _OPT_OUT_ANYWHERE.finditer(text):
        if folded.free(match.start(), match.end()):
            spans.append((match.start(), match.end()))
            folded.take(match.start(), match.end())
    for match in _OPT_OUT_KEYWORD.finditer(text):
        start, end = match.start(), match.end()
        if not folded.free(start, end):
            continue
        before, after = text[:start], text[end:]
        word = match.group(1)
        # Nothing else but a score, courtesy or punctuation: "STOP", "9 stop", "Stop merci".
        bare = not re.search(r"[a-z]", _BARE_OPT_OUT_FILLERS.sub(" ", before + " " + after))
        first = not re.search(r"[a-z0-9]", before)
        last = not re.search(r"[a-z0-9]", after)
        set_off_after = not after.strip() or after.lstrip()[:1] in _PUNCT
        set_off_before = not before.strip() or before.rstrip()[-1:] in _PUNCT
        written = original[folded.origin[start] : folded.origin[end - 1] + 1]
        # SMS keywords in capitals inside a sentence written in lower case ("Merci STOP").
        capitals = written in _CAPITAL_KEYWORDS and any(c.islower() for c in original)
        strong = word not in _WEAK_KEYWORDS
        if (
            bare
            or (strong and word.startswith("stop") and first)
            or (strong and ((first and set_off_after) or (last and set_off_before)))
            or capitals
        ):
            spans.append((start, end))
            folded.take(start, end)
    return spans


# ---------------------------------------------------------------- verbal scales

_VERY_FR = (
    r"(?:(?:vraiment|tellement|vraiment vraiment|tres)\s+)?(?:tres|tres tres|super|hyper|"
    r"extremement|ultra|totalement|entierement|completement|pleinement|parfaitement|"
    r"tout a fait|absolument|100 ?%|cent pour cent|archi|vachement)"
)
_VERY_EN = (
    r"(?:(?:really|so|very)\s+)?(?:very|very very|super|extremely|completely|totally|fully|"
    r"highly|entirely|absolutely|perfectly|100 ?%|hugely|incredibly|immensely)"
)
_SOMEWHAT_FR = r"(?:plutot|assez|relativement|globalement|dans l'ensemble|en general)"
_SOMEWHAT_EN = r"(?:fairly|rather|somewhat|mostly|generally|overall)"

_SAT_FR = r"(?:satisfaite?s?|satisfaisante?s?)"
_DISSAT_FR = r"(?:insatisfaite?s?|mecontente?s?|insatisfaisante?s?)"
_SAT_EN = r"(?:satisfied|satisfactory)"
_DISSAT_EN = r"(?:dissatisfied|unsatisfied|unsatisfactory)"
_NOT_FR = r"(?:(?:ne|n')\s*(?:suis|suis vraiment|etais|etait|est|sommes|serai)?\s*)?pas"
_AT_ALL_FR = r"(?:du (?:tout|tt))(?: du (?:tout|tt))?"
_NOT_EN = r"(?:not|(?:am|was|is|are|i'?m)\s*not|isn'?t|wasn'?t|aren'?t|weren'?t)"

_EASY_FR = r"(?:facile|aise)"
_HARD_FR = r"(?:difficile|complique)"
_EASY_EN = r"(?:easy)"
_HARD_EN = r"(?:difficult|hard|complicated)"

# (pattern, value) tried in order; a longer wording comes before the shorter one it contains.
# A value of None reads the wording as ambiguous.
_VERBAL: dict[str, dict[str, list[tuple[str, int | None]]]] = {
    "csat": {
        "fr": [
            (rf"ni {_SAT_FR} ni {_DISSAT_FR}|ni {_DISSAT_FR} ni {_SAT_FR}", 3),
            (rf"{_NOT_FR} {_AT_ALL_FR} {_SAT_FR}|{_NOT_FR} {_SAT_FR} {_AT_ALL_FR}|"
             rf"absolument pas {_SAT_FR}|"
             rf"{_VERY_FR} {_DISSAT_FR}|{_DISSAT_FR} au plus haut point", 1),
            (rf"(?:tres|vraiment) peu {_SAT_FR}|{_NOT_FR} (?:entierement|totalement|"
             rf"completement|pleinement|tout a fait|{_DISSAT_FR}|vraiment {_DISSAT_FR})"
             rf"(?: {_SAT_FR})?", None),
            (rf"{_NOT_FR} (?:tres|trop|vraiment|tellement|si|franchement|super) {_SAT_FR}|"
             rf"{_NOT_FR} {_SAT_FR}|peu {_SAT_FR}|{_SOMEWHAT_FR} {_DISSAT_FR}|"
             rf"un peu {_DISSAT_FR}|{_DISSAT_FR}", 2),
            (rf"moyennement {_SAT_FR}|mitigee?s?|neutres?|ni bien ni mal", 3),
            (rf"{_VERY_FR} {_SAT_FR}|{_SAT_FR} a 100 ?%|{_SAT_FR} a cent pour cent|"
             rf"on ne peut plus {_SAT_FR}|{_SAT_FR} au plus haut point", 5),
            (rf"{_SOMEWHAT_FR} {_SAT_FR}|{_SAT_FR}", 4),
        ],
        "en": [
            (rf"neither {_SAT_EN} nor {_DISSAT_EN}|neither {_DISSAT_EN} nor {_SAT_EN}", 3),
            (rf"{_NOT_EN} (?:at all|in the least) {_SAT_EN}|{_NOT_EN} {_SAT_EN} at all|"
             rf"absolutely not {_SAT_EN}|"
             rf"{_VERY_EN} {_DISSAT_EN}", 1),
            (rf"{_NOT_EN} (?:entirely|completely|fully|totally|quite|{_DISSAT_EN})"
             rf"(?: {_SAT_EN})?", None),
            (rf"{_NOT_EN} (?:very|too|really|so|that) {_SAT_EN}|{_NOT_EN} {_SAT_EN}|"
             rf"{_SOMEWHAT_EN} {_DISSAT_EN}|(?:a bit|a little|slightly) {_DISSAT_EN}|"
             rf"{_DISSAT_EN}", 2),
            (r"neutral|mixed feelings|mixed|so-so|so so", 3),
            (rf"{_VERY_EN} {_SAT_EN}|{_SAT_EN} 100 ?%", 5),
            (rf"{_SOMEWHAT_EN} {_SAT_EN}|{_SAT_EN}", 4),
        ],
    },
    "ces": {
        "fr": [
            (rf"(?:{_VERY_FR} )?(?:{_HARD_FR}) (?:a|de) (?:dire|savoir|juger|repondre)", None),
            (rf"ni {_EASY_FR} ni {_HARD_FR}|ni {_HARD_FR} ni {_EASY_FR}|neutres?", 4),
            (rf"{_NOT_FR} {_AT_ALL_FR} {_EASY_FR}|{_NOT_FR} {_EASY_FR} {_AT_ALL_FR}|"
             rf"{_VERY_FR} {_HARD_FR}|{_HARD_FR} au possible", 1),
            (rf"{_NOT_FR} (?:\w+ )?(?:{_EASY_FR}|{_HARD_FR})|peu {_EASY_FR}|"
             rf"(?:hyper |super |tres )?(?:complexe|evident)", None),
            (rf"{_SOMEWHAT_FR} {_HARD_FR}|un peu {_HARD_FR}", 3),
            (rf"{_VERY_FR} {_EASY_FR}|on ne peut plus {_EASY_FR}|{_EASY_FR} comme tout|"
             rf"{_EASY_FR} comme bonjour", 7),
            (rf"{_SOMEWHAT_FR} {_EASY_FR}", 5),
            (rf"{_HARD_FR}", 2),
            (rf"{_EASY_FR}", 6),
        ],
        "en": [
            (rf"(?:{_VERY_EN} )?(?:{_HARD_EN}) to (?:say|tell|judge|answer)|(?:work|worked|"
             rf"working|works|try|tried|trying) (?:so |very |really )?hard|hard work|"
             rf"hard ?(?:drive|disk|copy|ware)|(?:a bit|a little) {_EASY_EN}", None),
            (rf"neither {_EASY_EN} nor {_HARD_EN}|neither {_HARD_EN} nor {_EASY_EN}|"
             rf"neutral", 4),
            (rf"{_NOT_EN} (?:at all|in the least) {_EASY_EN}|{_NOT_EN} {_EASY_EN} at all|"
             rf"{_VERY_EN} {_HARD_EN}", 1),
            (rf"{_NOT_EN} (?:\w+ )?(?:{_EASY_EN}|{_HARD_EN})", None),
            (rf"{_SOMEWHAT_EN} {_HARD_EN}|(?:a bit|a little|slightly) {_HARD_EN}", 3),
            (rf"{_VERY_EN} {_EASY_EN}|easy peasy|as easy as (?:pie|it gets)|effortless", 7),
            (rf"{_SOMEWHAT_EN} {_EASY_EN}", 5),
            (rf"{_HARD_EN}", 2),
            (rf"{_EASY_EN}", 6),
        ],
    },
}
# "I am", "c'était": kept with the answer so that the comment is only the rest.
_SUBJECT = (
    r"(?:(?:je suis|je me sens|j'?etais|j'?ai ete|nous sommes|on est|i am|i'?m|im|i was|"
    r"i feel|we are|we'?re|we were|c'?etait|c'?est|c est|it was|it'?s|it is)\s+)?"
    r"(?:(?:je|j'|nous|on|i|we)\s*)?"
)
# "moyen" says "average" only when it is the whole answer ("moyen", "c'était moyen"):
# elsewhere it is a means ("un moyen de paiement", "pas moyen de vous joindre").
_AVERAGE_ALONE = re.compile(
    r"\s*(?:c'?est|c'?etait|c est|it was|it'?s|service|experience|plutot|assez|pretty|"
    r"rather|fairly)?\s*(moyen|moyenne|average|so-so|so so)\s*[.!]*\s*"
)
# Adverbs that change a verbal answer in a way the table does not read.
_VERBAL_MODIFIERS = {
    "vraiment", "trop", "si", "tellement", "really", "so", "quite", "pretty", "relativement",
    "relatively", "kinda", "sorta", "peu", "plus", "moins", "less", "more", "most", "least",
    "assez", "moyennement", "bien", "fort", "enough", "too", "almost", "presque", "quasi",
    "quasiment", "pas", "not", "never", "jamais", "ni", "nor", "neither", "serais",
    "serait", "sera", "would", "could", "might", "if", "wish", "hope", "espere", "guere",
    "etre", "be", "been", "soyez", "soit", "sois", "rendre", "make", "maybe", "perhaps",
    "peut-etre", "probablement", "probably", "rien", "nothing", "aucun", "aucune",
    "nobody", "personne", "none", "hardly", "barely", "ou", "or", "moderately", "moderement",
    "serai", "serons", "seront", "will", "shall", "quand", "lorsque", "when", "once", "until",
    "absolument", "franchement", "certainement", "totalement", "completement", "carrement",
    "absolutely", "definitely", "totally", "completely", "certainly", "honestly",
}


# ---------------------------------------------------------------- emoji

_FACE_SCORES = {
    "\U0001f621": 1, "\U0001f620": 1, "\U0001f92c": 1,
    "\U0001f641": 2, "\U0001f61e": 2, "\u2639": 2, "\U0001f61f": 2,
    "\U0001f610": 3, "\U0001f611": 3,
    "\U0001f642": 4,
    "\U0001f600": 5, "\U0001f603": 5, "\U0001f604": 5, "\U0001f601": 5, "\U0001f60d": 5,
    "\U0001f929": 5, "\U0001f970": 5,
}
_STARS = {"\u2b50", "\u2605", "\U0001f31f"}
_EMPTY_STARS = {"\u2606"}


# ---------------------------------------------------------------- the parser


@dataclass
class _Evidence:
    value: int | None  # None: something that forbids a score (ambiguous, off the scale)
    start: int
    end: int
    tier: int  # 0 a number, 1 a verbal answer, 2 emoji


def _number_words(lang: Lang) -> dict[str, int]:
    if lang == "fr":
        return dict(_WORDS_FR)
    if lang == "en":
        return dict(_WORDS_EN)
    return {**_WORDS_EN, **_WORDS_FR}


def _words_before(text: str, position: int, count: int) -> list[str]:
    """The last words before position within the same clause, nearest last."""
    clause = re.split(r"[.,;:!?()\[\]\"|]|\s-\s|\n", text[:position])[-1]
    return re.findall(r"[a-z0-9'-]+", clause)[-count:]


_NEGATED_AUXILIARIES = {
    "dont", "cant", "wont", "isnt", "wasnt", "arent", "didnt", "doesnt", "wouldnt", "couldnt",
    "shouldnt", "aint", "havent", "hasnt",
}


def _hedged(text: str, position: int) -> bool:
    return any(
        word in _HEDGES or word.endswith(_NEGATION_SUFFIX) or word in _NEGATED_AUXILIARIES
        for word in _words_before(text, position, 3)
    )


def _next_char(text: str, position: int) -> str:
    rest = text[position:].lstrip()
    return rest[:1]


def _prev_char(text: str, position: int) -> str:
    before = text[:position].rstrip()
    return before[-1:]


def _next_word(text: str, position: int) -> str:
    match = re.match(r"\s*([a-z$%\u20ac\u00a3'*-]+)", text[position:])
    return match.group(1) if match else ""


class _Reader:
    def __init__(self, original: str, kind: str, lang: Lang) -> None:
        self.original = original
        self.kind = kind
        self.lang = lang
        self.low, self.high = SCALES[kind]
        self.folded = _fold(original)
        self.text = self.folded.text
        self.evidence: list[_Evidence] = []
        self.words = _number_words(lang)
        words = sorted(self.words, key=len, reverse=True)
        self.number = r"(?:\d+(?:[.,]\d+)?|" + "|".join(words) + r")"

    # -- helpers
    def _value(self, token: str) -> int | None:
        """The integer a token says, None for a decimal."""
        if token in self.words:
            return self.words[token]
        if re.fullmatch(r"\d+", token):
            return int(token)
        return None

    def _in_scale(self, value: int | None) -> bool:
        return value is not None and self.low <= value <= self.high

    def _add(self, value: int | None, start: int, end: int, tier: int) -> None:
        self.evidence.append(_Evidence(value, start, end, tier))
        self.folded.take(start, end)

    def _ignore(self, pattern: str) -> None:
        for match in re.finditer(pattern, self.text):
            if self.folded.free(match.start(), match.end()):
                self.folded.take(match.start(), match.end())

    def _unsure(self, start: int, end: int) -> bool:
        return (
            _hedged(self.text, start)
            or self._in_question(end)
            or _HEDGE_AFTER.match(self.text, end) is not None
        )

    def _in_question(self, end: int) -> bool:
        """The sentence goes on to a question mark: "9 ?", "Is it easy to cancel?"."""
        terminator = re.search(r"[.!?\n]", self.text[end:])
        return terminator is not None and terminator.group(0) == "?"

    def _original_word_before(self, position: int) -> str:
        match = re.search(r"([a-z0-9'-]+)[^a-z0-9]*$", self.text[:position])
        if match is None:
            return ""
        start, end = self.folded.origin[match.start(1)], self.folded.origin[match.end(1) - 1]
        return self.original[start : end + 1].lower()

    def _is_start(self, position: int) -> bool:
        return not re.search(r"[a-z0-9]", self.text[:position])

    def _is_end(self, position: int) -> bool:
        return not re.search(r"[a-z0-9]", self.text[position:])

    # -- steps
    def read(self) -> None:
        if self.kind == "csat":
            # Before percentages are put aside: "satisfait à 100 %" is the top of the scale.
            full = (rf"{_B}(?:(?:{_SAT_FR}|{_SAT_EN}) (?:a )?100 ?%|100 ?% {_SAT_FR}|"
                    rf"100 ?% {_SAT_EN}){_E}")
            for match in re.finditer(full, self.text):
                if self.folded.free(match.start(), match.end()):
                    self._add(5, match.start(), match.end(), 1)
        self._mask_non_scores()
        self._fractions()
        self._stars_and_counted()
        self._cued_numbers()
        self._hedged_and_half_numbers()
        self._bare_digits()
        self._bare_words()
        self._verbal()
        self._emoji()

    def _mask_non_scores(self) -> None:
        digits = r"\d+(?:[.,]\d+)?"
        # Phone numbers and long references.
        for match in re.finditer(r"\+?\d[\d .\-/]{6,}\d", self.text):
            if len(re.findall(r"\d", match.group(0))) >= 8:
                self.folded.take(match.start(), match.end())
        self._ignore(r"\d{4,}")
        # Dates.
        self._ignore(r"\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}")
        self._ignore(_B + r"(?:le |du |au |the |on )?\d{1,2}(?:er|st|nd|rd|th)?\s*(?:"
                     + _MONTHS + r")" + _E)
        self._ignore(_B + r"(?:" + _MONTHS.replace("|mar|", "|") + r"|may|" + _DAYS + r")\s*"
                     r"(?:the\s*)?\d{1,2}(?:er|st|nd|rd|th)?" + _E)
        self._ignore(_B + r"(?:" + _DAYS + r")\s*\d{1,2}" + _E)
        # Times and round-the-clock idioms.
        self._ignore(_B + r"\d{1,2}\s*h\s*\d{0,2}" + _E + r"|" + _B + r"\d{1,2}:\d{2}" + _E
                     + r"|" + _B + r"\d{1,2}\s*(?:am|pm|a\.m\.|p\.m\.)")
        self._ignore(r"24\s*/\s*7|24\s*h?\s*/\s*24|7\s*j?\s*/\s*7(?=\s*j)|7\s*j\s*/\s*7|"
                     r"7\s*jours\s*(?:sur|/)\s*7|h24|24\s*h|48\s*h|72\s*h")
        # Money, percentages, multiplications, ordinals, signs.
        self._ignore(r"(?:[$\u20ac\u00a3]|eur)\s*" + digits)
        self._ignore(_B + digits + r"\s*(?:[$\u20ac\u00a3%]|pour ?cent|percent)")
        self._ignore(_B + r"x\s*\d+" + _E + r"|" + _B + r"\d+\s*x" + _E)
        self._ignore(_B + r"\d+\s*(?:er|ere|e|eme|emes|nd|nde|st|rd|th|°)" + _E)
        # Identifiers, places, ranks and times named by the word before the number.
        self._ignore(_B + r"(?:" + _ID_BEFORE + r")\s*[:#°]?\s*" + r"\d+" + _E
                     + r"(?!\s*(?:/|sur|out of)\s*\d)")
        # "le 9", "du 12", "the 3rd": dates (or a bus line); "à 9": a time.
        self._ignore(_B + r"(?:le|du|au|the)\s+\d{1,2}" + _E + r"(?!\s*(?:/|sur|out of))")
        for match in re.finditer(r"\d+", self.text):
            start = match.start()
            if start >= 2 and self.original[self.folded.origin[start - 2]] in "\u00e0\u00c0" and (
                self.text[start - 1] == " "
            ) and self.folded.free(start, match.end()):
                # "à 9": a time, or the end of a range ("8 à 9").
                self._add(None, start, match.end(), 0)

    def _stars_and_counted(self) -> None:
        """A number followed by a unit counts something; stars rate CSAT."""
        pattern = (_B + r"(" + self.number + r")\s*(" + _UNITS + r"|\*)" + r"(?![a-z0-9])")
        for match in re.finditer(pattern, self.text):
            start, end = match.start(), match.end()
            if not self.folded.free(start, end):
                continue
            unit = match.group(2)
            if unit in {"*", "etoile", "etoiles", "star", "stars"} or unit in _STARS:
                value = self._value(match.group(1))
                elsewhere = re.match(r"\s*(?:on|sur|chez|au|at|in|dans|de plus|more)" + _E,
                                     self.text[end:])
                if match.group(1) in _ARTICLE_WORDS:
                    self.folded.take(start, end)
                elif self.kind == "csat" and self._in_scale(value) and not elsewhere:
                    self._add(value, start, end, 0)
                else:
                    self._add(None, start, end, 0)
                continue
            if unit in {"e", "s", "m", "g", "x"} and not re.match(r"\d", match.group(1)):
                continue
            self.folded.take(start, end)

    def _fractions(self) -> None:
        pattern = (r"(" + _CUES + r")?" + _B + r"(" + self.number + r")"
                   r"(?:\s*(?:points?|pts|etoiles?|stars?))?"
                   r"\s*(?:/|\s(?:sur|out of|of|on)\s)\s*(" + self.number + r")" + _E)
        for match in re.finditer(pattern, self.text):
            start, end = match.start(), match.end()
            if not self.folded.free(start, end):
                continue
            numerator, denominator = self._value(match.group(2)), self._value(match.group(3))
            if match.group(3) in _ARTICLE_WORDS and match.group(2) in _ARTICLE_WORDS:
                continue
            hedged = self._unsure(start, end)
            following = _next_word(self.text, end)
            # "9 sur 10 personnes", "2 out of 3 agents": a proportion, not a score.
            counted = bool(re.fullmatch(_UNITS, following)) or (
                following[-1:] in "sx" and following not in _FOLLOWERS_S and len(following) > 3
            )
            if counted and _next_char(self.text, end).isalpha():
                hedged = True
            if (
                numerator is not None
                and denominator == self.high
                and self._in_scale(numerator)
                and not hedged
                and _next_char(self.text, end) != "?"
            ):
                self._add(numerator, start, end, 0)
            else:
                self._add(None, start, end, 0)

    def _cued_numbers(self) -> None:
        pattern = _B + r"(" + _CUES + r")(" + self.number + r")" + _E
        for match in re.finditer(pattern, self.text):
            start, end = match.start(), match.end()
            number_start = match.start(2)
            if not self.folded.free(number_start, end):
                continue
            token = match.group(2)
            # "je mets un 8": the article is not the score.
            if token in _ARTICLE_WORDS and re.match(r"\s*(?:\d|" + self.number + r")",
                                                    self.text[end:]):
                continue
            value = self._value(token)
            cue_start = start if self.folded.free(start, number_start) else number_start
            if self._unsure(cue_start, end):
                self._add(None, cue_start, end, 0)
            elif self._in_scale(value):
                self._add(value, cue_start, end, 0)
            else:
                self._add(None, cue_start, end, 0)

    def _hedged_and_half_numbers(self) -> None:
        half = r"(" + self.number + r")\s*(?:et demi|et demie|and a half|1/2|\+|-\s*$)"
        for match in re.finditer(_B + half, self.text):
            if self.folded.free(match.start(), match.end()):
                self._add(None, match.start(), match.end(), 0)
        for match in re.finditer(r"(?<![a-z0-9])[-+]\d+(?:[.,]\d+)?", self.text):
            if self.folded.free(match.start(), match.end()):
                self._add(None, match.start(), match.end(), 0)

    def _bare_digits(self) -> None:
        bare = r"(?<![a-z0-9])(?<![0-9][.,])\d+(?:[.,]\d+)?(?![a-z0-9])"
        for match in re.finditer(bare, self.text):
            start, end = match.start(), match.end()
            if not self.folded.free(start, end):
                continue
            token = match.group(0)
            value = self._value(token)
            following = _next_word(self.text, end)
            if following in _COUNTING_FOLLOWERS or (
                following
                and following[-1:] in "sx"
                and following not in _FOLLOWERS_S
                and len(following) > 3
                and _next_char(self.text, end).isalpha()
            ):
                # "2 enfants", "3 colis": counted nouns.
                self.folded.take(start, end)
                continue
            if value is None or not self._in_scale(value):
                self._add(None, start, end, 0)
                continue
            if value == 0 and following and following not in _AFTER_ZERO and (
                _next_char(self.text, end).isalpha()
            ):
                # "0 suivi", "0 retour": none of something, not a score.
                self._add(None, start, end, 0)
                continue
            if self._unsure(start, end):
                self._add(None, start, end, 0)
                continue
            article = re.search(
                r"(?<![a-z0-9'])(?:un|une|a|an)\s+(?:(?:solid|good|strong|big|clear|bon|beau|"
                r"gros|petit|solide|grand)\s+)?$",
                self.text[:start],
            )
            if article and self.folded.free(article.start(), start):
                start = article.start()
            before, after = _prev_char(self.text, start), _next_char(self.text, end)
            previous = _words_before(self.text, start, 1)
            if previous and previous[0] == "sur" and self._original_word_before(start) != "sur":
                previous = []  # "bien sûr 10": sure, not "on"
            if previous and previous[0] in _NOT_BEFORE_SCORE:
                self._add(None, start, end, 0)
                continue
            alone = (
                self._is_start(start)
                or self._is_end(end)
                or before in _PUNCT + "-"
                or after in _PUNCT + "-"
                or not after.isalnum()
                or re.match(r"\s*(?:" + _COURTESY + r")" + _E, self.text[end:])
            )
            self._add(value if alone else None, start, end, 0)

    def _bare_words(self) -> None:
        words = "|".join(sorted(self.words, key=len, reverse=True))
        for match in re.finditer(_B + r"(" + words + r")" + _E, self.text):
            start, end = match.start(), match.end()
            if not self.folded.free(start, end):
                continue
            token = match.group(1)
            value = self.words[token]
            rest_empty = not re.sub(
                r"(?:" + _COURTESY + r")|[^a-z0-9]", "", self.text[:start] + self.text[end:]
            )
            if token in _ARTICLE_WORDS:
                if rest_empty:
                    self._add(value if self._in_scale(value) else None, start, end, 0)
                continue
            before, after = _prev_char(self.text, start), _next_char(self.text, end)
            clause_start = self._is_start(start) or before in _PUNCT + "-"
            clause_end = self._is_end(end) or after in _PUNCT + "-" or not after.isalnum()
            if not (self._is_start(start) or (clause_start and clause_end) or rest_empty):
                continue
            if self._is_start(start) and not clause_end:
                following = _next_word(self.text, end)
                # "neuf super" reads as a score; "deux choses" counts.
                if (following[-1:] in "sx" and following not in _FOLLOWERS_S) or following in {
                    "de", "d'", "des", "du", "of", "more", "fois", "autres", "other", "et",
                    "and", "ou", "or", "a", "an",
                }:
                    continue
            if self._unsure(start, end):
                self._add(None, start, end, 0)
            else:
                self._add(value if self._in_scale(value) else None, start, end, 0)

    def _verbal(self) -> None:
        table = _VERBAL.get(self.kind)
        if table is None:
            return
        langs = ["fr", "en"] if self.lang == "auto" else [self.lang]
        if self.kind == "csat":
            average = _AVERAGE_ALONE.fullmatch(self.text)
            if average and self.folded.free(average.start(1), average.end(1)):
                self._add(3, average.start(), average.end(), 1)
        for lang in langs:
            for pattern, value in table[lang]:
                full = _B + _SUBJECT + r"(?:" + pattern + r")" + _E
                for match in re.finditer(full, self.text):
                    start, end = match.start(), match.end()
                    if not self.folded.free(start, end):
                        continue
                    before = _words_before(self.text, start, 3)
                    doubtful = bool(before) and (
                        before[-1] in _VERBAL_MODIFIERS
                        or any(
                            word in _VERBAL_MODIFIERS - {"bien", "assez", "fort", "plus"}
                            for word in before[:-1]
                        )
                        or any(
                            word.endswith(_NEGATION_SUFFIX) or word in _NEGATED_AUXILIARIES
                            for word in before
                        )
                    )
                    if before and before[-1] == "plus" and value is not None:
                        doubtful = True
                    following = self.text[end:].lstrip()
                    # "satisfait de l'agent mais pas du délai": half an answer.
                    if re.search(r"(?:mais|but|sauf|except|hormis|par contre|en revanche|"
                                 r"cependant|however)\b.*\b(?:pas|not|n't|no|jamais|never)\b|"
                                 r"^[,;]\s*(?:pas|not)\b", following):
                        doubtful = True
                    if self._in_question(end) or re.match(
                        r"(?:du tout|at all|pas|not|ni|nor|or|ou|voire|mais pas|but not|quand|"
                        r"lorsque|when|once|si|if|des que|as soon as|until|tant que|-?ish)" + _E,
                        following,
                    ):
                        doubtful = True
                    if re.match(r"enough" + _E, following) and not doubtful:
                        # "easy enough": softened, so no verbal score, but no contradiction
                        # of a number given with it either ("6, easy enough").
                        self.folded.take(start, end)
                        continue
                    self._add(None if doubtful else value, start, end, 1)

    def _emoji(self) -> None:
        if self.kind != "csat":
            return
        # A face or stars answer when they are the answer ("😀", "⭐⭐⭐⭐ merci"), not when
        # they decorate a sentence ("Ok merci 😊", "Pire service 😡").
        words = re.sub(_B + r"(?:" + _COURTESY + r")" + _E, " ", self.text)
        if re.search(r"[a-z0-9]", words):
            return
        stars = [i for i, char in enumerate(self.text) if char in _STARS]
        empty = [i for i, char in enumerate(self.text) if char in _EMPTY_STARS]
        if stars:
            positions = stars + empty
            value = len(stars)
            self._add(value if self._in_scale(value) else None, min(positions),
                      max(positions) + 1, 2)
            # Stars taken as a block: anything between them goes with them.
        for index, char in enumerate(self.text):
            face = _FACE_SCORES.get(char)
            if face is not None and self.folded.free(index, index + 1):
                self._add(face, index, index + 1, 2)

    # -- the answer
    def score(self) -> tuple[int | None, list[_Evidence]]:
        if any(item.value is None for item in self.evidence):
            return None, []
        for tier in (0, 1, 2):
            found = [item for item in self.evidence if item.tier == tier]
            values = {item.value for item in found}
            if len(values) > 1:
                return None, []
            if values:
                return values.pop(), found
        return None, []

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        original_end = self.folded.origin[end - 1] + 1
        last = self.text[end - 1]
        # Letters squeezed by the folding belong to the span ("satisfaitttt").
        while original_end < len(self.original) and (
            _fold(self.original[original_end]).text in {"", last if last.isalpha() else ""}
        ):
            original_end += 1
        return self.folded.origin[start], original_end


_LEADING = " \t\r\n.,;:!?-_/|\"'*~\u00b7=+"
_TRAILING = " \t\r\n,;:-_/|*~\u00b7=+("


def _without(original: str, spans: list[tuple[int, int]]) -> str:
    kept: list[str] = []
    cursor = 0
    for start, end in sorted(spans):
        if start < cursor:
            start = cursor
        kept.append(original[cursor:start])
        kept.append(" ")
        cursor = max(cursor, end)
    kept.append(original[cursor:])
    comment = "".join(kept)
    comment = re.sub(r"[ \t]+", " ", comment)
    comment = re.sub(r" ([,.)])", r"\1", comment)
    comment = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", comment)
    comment = re.sub(r"\(\s*\)", "", comment)
    return comment.lstrip(_LEADING).rstrip(_TRAILING).strip()


def parse_reply(text: str, kind: str, lang: Lang = "auto") -> ParsedReply:
    """Read a customer's free-text reply to a survey of `kind` (csat, nps or ces)."""
    if kind not in SCALES:
        raise ValueError(f"unknown survey kind {kind!r}: expected one of {', '.join(SCALES)}")
    reader = _Reader(text, kind, lang)
    opt_out_spans = _find_opt_outs(reader.folded, text)
    reader.read()
    score, used = reader.score()
    spans = [reader.original_span(start, end) for start, end in opt_out_spans]
    spans += [reader.original_span(item.start, item.end) for item in used]
    if not spans:
        return ParsedReply(None, False, text.strip())
    return ParsedReply(score, bool(opt_out_spans), _without(text, spans))
