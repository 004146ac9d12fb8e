from django.apps import AppConfig


class ConnectorsConfig(AppConfig):
    name = "omnicanal.connectors"
    label = "connectors"
