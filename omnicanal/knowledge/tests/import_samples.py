"""FAQ content for the import tests, written for them (a fictional bicycle-rental company,
"Vélo Ville"), in French and English."""

from __future__ import annotations

FAQ_DETAILS_FR = """<!doctype html>
<html lang="fr">
<head><title>FAQ - Vélo Ville</title><style>body { color: red }</style>
<script>console.log("tracker")</script></head>
<body>
<header><a href="/">Vélo Ville</a><nav><a href="/tarifs">Tarifs</a></nav></header>
<main>
  <h1>Questions fréquentes sur la location</h1>
  <p>Tout ce qu'il faut savoir avant de louer un vélo.</p>
  <details>
    <summary>Comment réserver un vélo ?</summary>
    <p>Réservez depuis l'application ou sur <a href="https://velo-ville.example/reserver">notre site</a>,
    au plus tard la veille à 20 h.</p>
  </details>
  <details>
    <summary>Puis-je annuler ma réservation ?</summary>
    <p>Oui, sans frais jusqu'à deux heures avant le retrait.</p>
    <ul><li>Moins de deux heures avant : 5 € retenus.</li><li>Vélo non retiré : la journée est due.</li></ul>
  </details>
  <details>
    <summary>Quels sont les moyens de paiement acceptés ?</summary>
    <p>Carte bancaire, Apple Pay et chèques-vacances en agence.</p>
  </details>
</main>
<footer>© Vélo Ville - <a href="/mentions">Mentions légales</a></footer>
</body></html>
"""

FAQ_JSON_LD_EN = """<!doctype html>
<html lang="en"><head><title>Help - Velo Ville</title>
<script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": "Organization", "name": "Velo Ville"},
  {"@type": "FAQPage", "mainEntity": [
    {"@type": "Question", "name": "Do you rent child seats?",
     "acceptedAnswer": {"@type": "Answer", "text": "<p>Yes, for 3 € a day, on request when you book.</p>"}},
    {"@type": "Question", "name": "Is a helmet included?",
     "acceptedAnswer": {"@type": "Answer", "text": "<p>A helmet is lent free of charge with every bike.</p>"}}
  ]}
]}
</script></head>
<body><main><h1>Help</h1><p>Some text that is not a question.</p></main></body></html>
"""

FAQ_DEFINITIONS_EN = """<html lang="en"><body><article><h1>Deliveries</h1>
<dl>
  <dt>Can you deliver the bike to my hotel?</dt>
  <dd>Yes, anywhere in the city centre, for 10 € each way.</dd>
  <dt>When are deliveries made?</dt>
  <dd>Every day between 8 am and 7 pm.</dd>
</dl></article></body></html>
"""

FAQ_HEADINGS_FR = """<html lang="fr"><body><div id="content"><h1>Assurance</h1>
<h2>Que faire en cas de crevaison ?</h2>
<p>Appelez l'assistance au 01 23 45 67 89 : un réparateur vient sous une heure.</p>
<h2>Suis-je assuré en cas de vol ?</h2>
<p>Oui, si le vélo était attaché avec l'antivol fourni.</p>
<p>Une franchise de 150 € reste à votre charge.</p>
<h2>Contact</h2>
<p>Écrivez-nous à aide@velo-ville.example.</p>
</div></body></html>
"""

ARTICLE_PAGE_EN = """<!doctype html>
<html lang="en"><head><title>Opening hours | Velo Ville</title></head>
<body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/faq">FAQ</a></li></ul></nav>
<main>
<h1>Opening hours of our shops</h1>
<p>Our three shops are open <strong>every day</strong> except 1 May.</p>
<h2>Summer</h2>
<table><thead><tr><th>Shop</th><th>Hours</th></tr></thead>
<tbody><tr><td>Gare de Lyon</td><td>8:00-20:00</td></tr><tr><td>Bastille</td><td>9:00-19:00</td></tr></tbody></table>
<form><input name="newsletter"><button>Subscribe</button></form>
<p>See also <a href="/aide/tarifs">our prices</a>.</p>
<p onclick="alert(1)">Questions? <a href="javascript:alert(1)">Write to us</a>.</p>
</main>
<footer>Velo Ville</footer>
</body></html>
"""

MARKDOWN_FR = """---
title: Louer un vélo électrique
category: Location
language: fr
---

Les vélos électriques se louent **à la demi-journée** ou à la journée.

- Batterie chargée à chaque retrait
- Chargeur fourni pour les locations de plus de deux jours
"""

MARKDOWN_EN_HEADING = """# Returning a bike late

If you return the bike after the agreed time, each started hour costs 4 €.

Tell us in advance through the app and we will extend the rental instead.
"""

CSV_MIXED = (
    "title;body;category;language;visibility\n"
    "Combien coûte une journée ?;Une journée de location coûte 18 €, casque compris.;Tarifs;fr;public\n"
    "How much is a week?;A week costs 75 €, lock and helmet included.;Prices;en;public\n"
    ";Ligne sans titre;Tarifs;fr;public\n"
    "Remises pour les groupes;À partir de dix vélos, 15 % de remise.;Tarifs;de;public\n"
    "Procédure vol (interne);Vérifier l'antivol, puis déclarer le vol à l'assureur.;Interne;fr;internal\n"
)
