from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Its own app, not a part of conversations: it reacts to the events of several domains
    (conversations, routing's SLA clocks, automations) and owns what agents are told."""

    name = "omnicanal.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from omnicanal.notifications.subscribers import subscribe_all

        subscribe_all()
