from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "omnicanal.routing"
    label = "routing"
    verbose_name = _("Routing")

    def ready(self) -> None:
        from omnicanal.connectors.webchat.actions import provide_opening, provide_queue_status
        from omnicanal.conversations import outbox
        from omnicanal.routing import automation, opening, queries, sla, subscribers

        # Queueing first: rules that run on arrival find the conversation in its queue (to
        # add a skill it needs, to tell the customer their place in line).
        subscribers.subscribe_all()
        for kind in sla.SUBSCRIBED_KINDS:
            outbox.subscribe(kind, sla.handle_event)
        automation.subscribe()
        # The chat widget shows the visitor's place in line.
        provide_queue_status(queries.queue_status)
        # …and whether the team is in, by a business calendar.
        provide_opening(opening.calendar_opening)
        # Deactivated from the settings, the admin or a command: no new conversations.
        post_save.connect(_offline_when_deactivated, sender=settings.AUTH_USER_MODEL,
                          dispatch_uid="routing.offline_when_deactivated")


def _offline_when_deactivated(sender: Any, instance: Any, **kwargs: Any) -> None:
    from omnicanal.routing.actions import take_offline_if_deactivated

    take_offline_if_deactivated(instance)
