"""What agents read for an intent: the shipped baseline's intents have names in their
language; a team's own intents are its labels, shown as they are."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

BASELINE_INTENT_NAMES = {
    "order_status": _("Order status"),
    "change_order": _("Change an order"),
    "cancel": _("Cancellation"),
    "return_exchange": _("Return or exchange"),
    "refund": _("Refund"),
    "billing": _("Billing"),
    "account_access": _("Account access"),
    "technical_issue": _("Technical issue"),
    "product_info": _("Product information"),
    "human_agent": _("Asks for a person"),
    "oos": _("Out of scope"),
}


def intent_name(intent: str) -> str:
    return str(BASELINE_INTENT_NAMES.get(intent, intent))
