"""Fill Conversation.sla_due_at (added by conversations 0011) from the running SLA clocks:
from now on routing.sla keeps it as the clocks change."""

from typing import Any

from django.db import migrations
from django.db.models import Min, OuterRef, Subquery


def copy_next_due(apps: Any, schema_editor: Any) -> None:
    Conversation = apps.get_model("conversations", "Conversation")
    SlaClock = apps.get_model("routing", "SlaClock")
    next_due = (
        SlaClock.objects.filter(
            conversation=OuterRef("pk"), stopped_at__isnull=True, running_since__isnull=False,
            due_at__isnull=False, target_seconds__isnull=False,
        )
        .values("conversation")
        .annotate(next_due=Min("due_at"))
        .values("next_due")
    )
    Conversation.objects.filter(
        pk__in=SlaClock.objects.filter(stopped_at__isnull=True).values("conversation")
    ).update(sla_due_at=Subquery(next_due))


class Migration(migrations.Migration):

    dependencies = [
        ('routing', '0005_translated_model_names'),
        ('conversations', '0011_conversation_sort_orders'),
    ]

    operations = [
        migrations.RunPython(copy_next_due, migrations.RunPython.noop),
    ]
