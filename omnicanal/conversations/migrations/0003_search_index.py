"""Full-text search over message text and contact names: see
omnicanal/conversations/search_index.py for what is created on each engine and why."""

from django.db import migrations

from omnicanal.conversations import search_index


def forward(apps, schema_editor) -> None:
    search_index.install(schema_editor.connection)


def backward(apps, schema_editor) -> None:
    search_index.uninstall(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("contacts", "0001_initial"),
        ("conversations", "0002_labels"),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
