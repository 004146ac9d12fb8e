from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "omnicanal.analytics"
    label = "analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        from omnicanal.analytics import daily

        daily.subscribe_all()
