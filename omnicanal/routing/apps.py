from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "omnicanal.routing"
    label = "routing"

    def ready(self) -> None:
        from omnicanal.conversations import outbox
        from omnicanal.routing import automation, sla

        for kind in sla.SUBSCRIBED_KINDS:
            outbox.subscribe(kind, sla.handle_event)
        automation.subscribe()
