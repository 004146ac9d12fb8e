from django.apps import AppConfig


class ConnectorsConfig(AppConfig):
    name = "omnicanal.connectors"
    label = "connectors"

    def ready(self) -> None:
        from omnicanal.connectors.webchat.actions import push_queue_on_assignment
        from omnicanal.conversations import outbox

        outbox.subscribe("conversation.assigned", push_queue_on_assignment)
