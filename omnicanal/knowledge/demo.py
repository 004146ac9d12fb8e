"""Demo help-center content in French and English; idempotent, for `omnicanal demo`."""

from __future__ import annotations

from omnicanal.knowledge.actions import save_article
from omnicanal.knowledge.models import Article, ArticleStatus, BodyFormat, Category

CATEGORIES = {
    "fr": [("commandes", "Commandes et livraison", 1), ("compte", "Mon compte", 2)],
    "en": [("orders", "Orders and delivery", 1), ("account", "My account", 2)],
}

ARTICLES = [
    ("fr", "commandes", "suivre-ma-commande", "Suivre ma commande", BodyFormat.TEXT,
     "Votre commande part de notre entrepôt sous 48 heures ouvrées.\n\n"
     "Le numéro de suivi du transporteur vous est envoyé par e-mail dès l'expédition. "
     "Un colis en retard de plus de cinq jours ? Écrivez-nous avec votre numéro de commande."),
    ("fr", "commandes", "retourner-un-article", "Retourner un article", BodyFormat.HTML,
     "<p>Vous disposez de <strong>30 jours</strong> pour nous retourner un article.</p>"
     "<ol><li>Imprimez l'étiquette de retour depuis votre compte.</li>"
     "<li>Déposez le colis dans un point relais.</li></ol>"
     "<p>Le remboursement arrive sous dix jours après réception.</p>"),
    ("fr", "compte", "changer-mon-mot-de-passe", "Changer mon mot de passe", BodyFormat.TEXT,
     "Ouvrez Mon compte, puis Sécurité, et choisissez « Changer le mot de passe ». "
     "Un lien de confirmation vous est envoyé par e-mail."),
    ("en", "orders", "track-my-order", "Track my order", BodyFormat.TEXT,
     "Your order leaves our warehouse within two working days.\n\n"
     "The carrier's tracking number is e-mailed to you as soon as it ships. "
     "Parcel more than five days late? Write to us with your order number."),
    ("en", "orders", "return-an-item", "Return an item", BodyFormat.HTML,
     "<p>You have <strong>30 days</strong> to send an item back.</p>"
     "<ol><li>Print the return label from your account.</li>"
     "<li>Drop the parcel at a pick-up point.</li></ol>"
     "<p>The refund arrives within ten days of receipt.</p>"),
    ("en", "account", "change-my-password", "Change my password", BodyFormat.TEXT,
     "Open My account, then Security, and choose “Change password”. "
     "A confirmation link is sent to you by e-mail."),
]


def load_help_center_demo() -> int:
    """Create the demo categories and published articles that do not exist yet; returns
    how many articles were created."""
    categories = {}
    for locale, rows in CATEGORIES.items():
        for slug, name, position in rows:
            category, _ = Category.objects.get_or_create(
                locale=locale, slug=slug, defaults={"name": name, "position": position}
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
    return created
