from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "omnicanal.routing"
    label = "routing"

    def ready(self) -> None:
        from omnicanal.routing import automation

        automation.subscribe()
