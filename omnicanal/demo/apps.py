from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo: its data loader and the local sinks `omnicanal demo` ships. An app (no
    models) so that its pages' templates and styles are found."""

    name = "omnicanal.demo"
    label = "demo"
