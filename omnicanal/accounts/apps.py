from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "omnicanal.accounts"
    label = "accounts"
