from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Its own app, not a part of conversations: it reacts to the events of several domains
    (conversations, routing's SLA clocks, automations) and owns what agents are told."""

    name = "omnicanal.notifications"
    label = "notifications"

    def ready(self) -> None:
        from omnicanal.notifications.subscribers import subscribe_all

        subscribe_all()
