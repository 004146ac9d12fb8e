"""Demo help-center content in French and English; idempotent, for `omnicanal demo`.

Enough to show the design: three topics per language, articles with headings (a table of
contents), lists and a tip, and the words the search tests look for (remboursement, livraison,
résiliation, refund, delivery)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from omnicanal.accounts.models import Role, User
from omnicanal.knowledge.actions import save_article
from omnicanal.knowledge.models import (
    Article,
    ArticleStatus,
    BodyFormat,
    Category,
    HelpCenterSettings,
    Visibility,
)

CATEGORIES = {
    "fr": [
        ("commandes", "Commandes et livraison", 1,
         "Suivre un colis, les délais et les modes de livraison."),
        ("retours", "Retours et remboursements", 2,
         "Renvoyer un article, échanger une taille, être remboursé."),
        ("compte", "Compte et abonnement", 3,
         "Mot de passe, données personnelles et abonnement."),
    ],
    "en": [
        ("orders", "Orders and delivery", 1,
         "Tracking a parcel, delivery times and options."),
        ("returns", "Returns and refunds", 2,
         "Sending an item back, exchanging a size, getting your money back."),
        ("account", "Account and subscription", 3,
         "Password, personal data and your subscription."),
    ],
}

ARTICLES = [
    ("fr", "commandes", "suivre-ma-commande", "Suivre ma commande", BodyFormat.HTML,
     "<p>Votre commande part de notre entrepôt sous 48 heures ouvrées.</p>"
     "<h2>Où trouver le numéro de suivi</h2>"
     "<p>Le numéro de suivi du transporteur vous est envoyé par e-mail dès l'expédition. "
     "Il figure aussi dans Mon compte, rubrique Commandes.</p>"
     "<h2>Un colis en retard</h2>"
     "<p>Un colis en retard de plus de cinq jours ? Écrivez-nous avec votre numéro de "
     "commande : nous ouvrons une enquête auprès du transporteur.</p>"),
    ("fr", "commandes", "delais-et-modes-de-livraison", "Délais et modes de livraison",
     BodyFormat.HTML,
     "<p>Nous livrons en France métropolitaine, en Belgique, en Suisse et au Luxembourg.</p>"
     "<h2>Livraison standard</h2>"
     "<p>Livrée en 3 à 5 jours ouvrés, gratuite dès 50 € d'achat.</p>"
     "<h2>Livraison express</h2>"
     "<p>Commandée avant 13 h, votre commande est livrée le lendemain (9,90 €).</p>"
     "<h2>Point relais</h2>"
     "<p>Choisissez un point relais à la commande : vous avez 10 jours pour retirer votre "
     "colis avec une pièce d'identité.</p>"),
    ("fr", "retours", "retourner-un-article", "Retourner un article", BodyFormat.HTML,
     "<p>Vous disposez de <strong>30 jours</strong> pour nous retourner un article.</p>"
     "<h2>Préparer le retour</h2>"
     "<ol><li>Imprimez l'étiquette de retour depuis votre compte.</li>"
     "<li>Déposez le colis dans un point relais.</li></ol>"
     "<h2>Articles exclus</h2>"
     "<p>Les articles personnalisés et les cartes cadeaux ne peuvent pas être retournés.</p>"),
    ("fr", "retours", "quand-suis-je-rembourse", "Quand suis-je remboursé ?", BodyFormat.HTML,
     "<p>Le remboursement arrive sous dix jours après réception de votre retour.</p>"
     "<h2>Sur quel moyen de paiement</h2>"
     "<p>Nous remboursons toujours sur le moyen de paiement utilisé pour la commande : "
     "carte bancaire, PayPal ou carte cadeau.</p>"
     "<h2>Remboursement partiel</h2>"
     "<p>Un article abîmé ou incomplet peut n'être remboursé qu'en partie ; nous vous "
     "écrivons avant.</p>"
     "<blockquote>Astuce : le suivi du remboursement apparaît dans Mon compte, "
     "rubrique Retours.</blockquote>"),
    ("fr", "compte", "changer-mon-mot-de-passe", "Changer mon mot de passe", BodyFormat.TEXT,
     "Ouvrez Mon compte, puis Sécurité, et choisissez « Changer le mot de passe ». "
     "Un lien de confirmation vous est envoyé par e-mail."),
    ("fr", "compte", "resiliation-de-mon-abonnement", "Résiliation de mon abonnement",
     BodyFormat.HTML,
     "<p>Votre abonnement Premium est sans engagement : vous pouvez le résilier à tout "
     "moment.</p>"
     "<h2>Résilier en ligne</h2>"
     "<ol><li>Ouvrez Mon compte, rubrique Abonnement.</li>"
     "<li>Choisissez « Mettre fin à l'abonnement » et confirmez.</li></ol>"
     "<h2>Après la résiliation</h2>"
     "<p>Vos avantages restent actifs jusqu'à la fin de la période payée ; aucun autre "
     "prélèvement n'est fait.</p>"),
    ("en", "orders", "track-my-order", "Track my order", BodyFormat.HTML,
     "<p>Your order leaves our warehouse within two working days.</p>"
     "<h2>Where to find the tracking number</h2>"
     "<p>The carrier's tracking number is e-mailed to you as soon as it ships. "
     "It is also in My account, under Orders.</p>"
     "<h2>A late parcel</h2>"
     "<p>Parcel more than five days late? Write to us with your order number and we will "
     "open an investigation with the carrier.</p>"),
    ("en", "orders", "delivery-times-and-options", "Delivery times and options",
     BodyFormat.HTML,
     "<p>We deliver to the United Kingdom, Ireland and most of the European Union.</p>"
     "<h2>Standard delivery</h2>"
     "<p>Delivered in 3 to 5 working days, free on orders over £45.</p>"
     "<h2>Express delivery</h2>"
     "<p>Order before 1 pm and we deliver the next working day (£8.50).</p>"
     "<h2>Pick-up points</h2>"
     "<p>Choose a pick-up point at checkout: you have 10 days to collect your parcel "
     "with an ID.</p>"),
    ("en", "returns", "return-an-item", "Return an item", BodyFormat.HTML,
     "<p>You have <strong>30 days</strong> to send an item back.</p>"
     "<h2>Prepare the return</h2>"
     "<ol><li>Print the return label from your account.</li>"
     "<li>Drop the parcel at a pick-up point.</li></ol>"
     "<h2>Items we cannot take back</h2>"
     "<p>Personalised items and gift cards cannot be returned.</p>"),
    ("en", "returns", "when-will-i-be-refunded", "When will I be refunded?", BodyFormat.HTML,
     "<p>Refunds are issued within ten days of receiving your return.</p>"
     "<h2>Which payment method</h2>"
     "<p>We always refund the payment method used for the order: card, PayPal or gift "
     "card.</p>"
     "<h2>Partial refunds</h2>"
     "<p>A damaged or incomplete item may be refunded in part; we write to you first.</p>"
     "<blockquote>Tip: your refund's progress shows in My account, under "
     "Returns.</blockquote>"),
    ("en", "account", "change-my-password", "Change my password", BodyFormat.TEXT,
     "Open My account, then Security, and choose “Change password”. "
     "A confirmation link is sent to you by e-mail."),
    ("en", "account", "cancel-my-subscription", "Cancel my subscription", BodyFormat.HTML,
     "<p>Premium has no minimum term: you can cancel at any time.</p>"
     "<h2>Cancel online</h2>"
     "<ol><li>Open My account, under Subscription.</li>"
     "<li>Choose “End subscription” and confirm.</li></ol>"
     "<h2>After cancelling</h2>"
     "<p>Your benefits stay active until the end of the paid period; you are not charged "
     "again.</p>"),
]


# The French and English versions of one article: one translation group each.
TRANSLATIONS = [
    ("suivre-ma-commande", "track-my-order"),
    ("delais-et-modes-de-livraison", "delivery-times-and-options"),
    ("retourner-un-article", "return-an-item"),
    ("quand-suis-je-rembourse", "when-will-i-be-refunded"),
    ("changer-mon-mot-de-passe", "change-my-password"),
    ("resiliation-de-mon-abonnement", "cancel-my-subscription"),
]
# An article for agents only, in Markdown: the help center never shows it.
INTERNAL_ARTICLE = (
    "fr", "retours", "geste-commercial-procedure-interne",
    "Geste commercial : procédure interne",
    "Réservé à l'équipe : quand et comment proposer un geste commercial.\n\n"
    "## Quand le proposer\n\n"
    "- Colis en retard de **plus de cinq jours** ;\n"
    "- Article abîmé à la livraison ;\n"
    "- Deuxième contact pour le même problème.\n\n"
    "## Montants\n\n"
    "| Situation | Geste |\n|---|---|\n"
    "| Retard | Livraison remboursée |\n| Article abîmé | Bon de 10 € |\n\n"
    "> Au-delà de 30 €, demandez l'accord d'un superviseur.\n",
)
# The article whose owner must look at it again (its review date has passed).
OWNED_ARTICLE = ("fr", "delais-et-modes-de-livraison")


def _demo_owner() -> User | None:
    return (User.objects.filter(is_active=True, role=Role.SUPERVISOR).order_by("pk").first()
            or User.objects.filter(is_active=True).order_by("pk").first())


def link_demo_translations() -> None:
    """The FR and EN demo articles as translations of each other; one owned article due for
    review; one internal article."""
    for french, english in TRANSLATIONS:
        source = Article.objects.filter(locale="fr", slug=french).first()
        if source is not None:
            Article.objects.filter(locale="en", slug=english).update(
                translation_group=source.translation_group)
    owner = _demo_owner()
    owned = Article.objects.filter(locale=OWNED_ARTICLE[0], slug=OWNED_ARTICLE[1]).first()
    if owned is not None and owner is not None and owned.owner_id is None:
        owned.owner = owner
        owned.review_by = timezone.localdate() - dt.timedelta(days=7)
        save_article(owned)
    locale, category_slug, slug, title, body = INTERNAL_ARTICLE
    if not Article.objects.filter(locale=locale, slug=slug).exists():
        save_article(Article(
            locale=locale, category=Category.objects.filter(
                locale=locale, slug=category_slug).first(),
            slug=slug, title=title, body_format=BodyFormat.MARKDOWN, body=body,
            status=ArticleStatus.PUBLISHED, visibility=Visibility.INTERNAL, owner=owner,
        ))


def load_help_center_demo() -> int:
    """Create the demo categories and published articles that do not exist yet; returns
    how many articles were created. The help center gets a demo name and contact details
    unless an administrator already set them."""
    HelpCenterSettings.objects.get_or_create(pk=1, defaults={
        "organisation_name": "Boutique Lumière", "contact_email": "aide@boutique.example",
        "contact_phone": "+33 1 23 45 67 89",
    })
    categories = {}
    for locale, rows in CATEGORIES.items():
        for slug, name, position, description in rows:
            category, _ = Category.objects.get_or_create(
                locale=locale, slug=slug,
                defaults={"name": name, "position": position, "description": description},
            )
            categories[(locale, slug)] = category
    created = 0
    for locale, category_slug, slug, title, body_format, body in ARTICLES:
        if Article.objects.filter(locale=locale, slug=slug).exists():
            continue
        save_article(Article(
            locale=locale, category=categories[(locale, category_slug)], slug=slug, title=title,
            body_format=body_format, body=body, status=ArticleStatus.PUBLISHED,
        ))
        created += 1
    link_demo_translations()
    return created
