from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "omnicanal.knowledge"
    label = "knowledge"
