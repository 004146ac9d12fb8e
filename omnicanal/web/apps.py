from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "omnicanal.web"
    label = "web"
