from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "omnicanal.routing"
    label = "routing"
