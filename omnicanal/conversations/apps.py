from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "omnicanal.conversations"
    label = "conversations"
