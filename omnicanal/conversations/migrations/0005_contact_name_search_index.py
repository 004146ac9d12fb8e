"""PostgreSQL: a GIN index for contact name search (see search_index.py); nothing on SQLite,
where the FTS5 table of 0003 already serves names."""

from django.db import migrations

from omnicanal.conversations import search_index


def forward(apps, schema_editor) -> None:
    search_index.install_postgres_contact_index(schema_editor.connection)


def backward(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS contact_name_search")


class Migration(migrations.Migration):

    dependencies = [("conversations", "0004_view_counts_index")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
