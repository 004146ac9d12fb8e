from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "omnicanal.contacts"
    label = "contacts"
