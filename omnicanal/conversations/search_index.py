"""The search index's storage on each engine: created by migration 0003, repaired after
every migrate.

SQLite (embedded default): FTS5 tables over `conversations_message.text` and
`contacts_contact.name`, kept in sync by triggers so that every writer (ingest, actions,
bulk_create in the benchmark, the admin) is covered without anyone remembering to. They are
external-content tables: the text is stored once, in the real table; `unicode61
remove_diacritics 2` folds accents, so "recu" finds "reçu".

Why a repair after migrate: Django alters a SQLite table by rebuilding it (create a copy,
drop the original), and dropping a table drops its triggers. A later migration of Message or
Contact would silently stop the index from following; `repair_sqlite` puts the triggers back
and rebuilds the index when one was missing.

PostgreSQL (production): text search configurations that unaccent then stem (French and
English) or keep words whole (names), and a GIN index on the expression the queries use. The
`unaccent` extension ships with PostgreSQL's contrib package; when it cannot be created (no
contrib, no privilege) the configurations are created without it, and search still works,
only accent-sensitive.
"""

from __future__ import annotations

from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

SQLITE_TABLES = {
    "conversations_message_fts": """CREATE VIRTUAL TABLE conversations_message_fts USING fts5(
        text, content='conversations_message', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    "contacts_contact_fts": """CREATE VIRTUAL TABLE contacts_contact_fts USING fts5(
        name, content='contacts_contact', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
}

# Every row is indexed, activity lines included (a few short lines per conversation): the
# search filters them out by direction, and indexing exactly the content table's rows is what
# keeps 'rebuild' and the triggers in agreement.
SQLITE_TRIGGERS = {
    "conversations_message_fts_insert": """
        CREATE TRIGGER conversations_message_fts_insert AFTER INSERT ON conversations_message
        BEGIN
            INSERT INTO conversations_message_fts(rowid, text) VALUES (new.id, new.text);
        END""",
    # An external-content table forgets a row only when told the exact text it indexed.
    "conversations_message_fts_delete": """
        CREATE TRIGGER conversations_message_fts_delete AFTER DELETE ON conversations_message
        BEGIN
            INSERT INTO conversations_message_fts(conversations_message_fts, rowid, text)
            VALUES ('delete', old.id, old.text);
        END""",
    # Only a change of text touches the index; delivery updates do not.
    "conversations_message_fts_update": """
        CREATE TRIGGER conversations_message_fts_update
        AFTER UPDATE OF text ON conversations_message
        BEGIN
            INSERT INTO conversations_message_fts(conversations_message_fts, rowid, text)
            VALUES ('delete', old.id, old.text);
            INSERT INTO conversations_message_fts(rowid, text) VALUES (new.id, new.text);
        END""",
    "contacts_contact_fts_insert": """
        CREATE TRIGGER contacts_contact_fts_insert AFTER INSERT ON contacts_contact
        BEGIN
            INSERT INTO contacts_contact_fts(rowid, name) VALUES (new.id, new.name);
        END""",
    "contacts_contact_fts_delete": """
        CREATE TRIGGER contacts_contact_fts_delete AFTER DELETE ON contacts_contact
        BEGIN
            INSERT INTO contacts_contact_fts(contacts_contact_fts, rowid, name)
            VALUES ('delete', old.id, old.name);
        END""",
    "contacts_contact_fts_update": """
        CREATE TRIGGER contacts_contact_fts_update AFTER UPDATE OF name ON contacts_contact
        BEGIN
            INSERT INTO contacts_contact_fts(contacts_contact_fts, rowid, name)
            VALUES ('delete', old.id, old.name);
            INSERT INTO contacts_contact_fts(rowid, name) VALUES (new.id, new.name);
        END""",
}


# name -> (copied from, stemming dictionary)
POSTGRES_CONFIGURATIONS = {
    "omnicanal_french": ("french", "french_stem"),
    "omnicanal_english": ("english", "english_stem"),
    "omnicanal_simple": ("simple", "simple"),
}

# Must stay the exact expression omnicanal.conversations.search builds, or the planner
# will not use the index.
POSTGRES_MESSAGE_INDEX = """
CREATE INDEX IF NOT EXISTS msg_search ON conversations_message USING gin ((
    to_tsvector('omnicanal_french'::regconfig, COALESCE(text, ''))
    || to_tsvector('omnicanal_english'::regconfig, COALESCE(text, ''))
))"""


# Contact names, matched word by word (search._contacts); same rule: the exact expression.
POSTGRES_CONTACT_INDEX = """
CREATE INDEX IF NOT EXISTS contact_name_search ON contacts_contact
USING gin (to_tsvector('omnicanal_simple'::regconfig, name))"""


def install_postgres_contact_index(connection: BaseDatabaseWrapper) -> None:
    """Migration 0005: name search without reading every contact (40-80 ms on 20,000)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(POSTGRES_CONTACT_INDEX)


def _has_unaccent(cursor: Any) -> bool:
    # A failed CREATE EXTENSION would abort the migration's transaction: try it in a
    # savepoint and carry on without unaccent.
    cursor.execute("SAVEPOINT omnicanal_unaccent")
    try:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    except Exception:
        cursor.execute("ROLLBACK TO SAVEPOINT omnicanal_unaccent")
        return False
    cursor.execute("RELEASE SAVEPOINT omnicanal_unaccent")
    return True


def install(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for statement in SQLITE_TABLES.values():
                cursor.execute(statement)
            for statement in SQLITE_TRIGGERS.values():
                cursor.execute(statement)
            _rebuild_sqlite(cursor)
        elif connection.vendor == "postgresql":
            unaccent = _has_unaccent(cursor)
            for name, (parent, stem) in POSTGRES_CONFIGURATIONS.items():
                cursor.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = %s", [name])
                if cursor.fetchone():
                    continue
                cursor.execute(f"CREATE TEXT SEARCH CONFIGURATION {name} (COPY = {parent})")
                dictionaries = f"unaccent, {stem}" if unaccent else stem
                cursor.execute(
                    f"ALTER TEXT SEARCH CONFIGURATION {name} "
                    f"ALTER MAPPING FOR hword, hword_part, word WITH {dictionaries}"
                )
            cursor.execute(POSTGRES_MESSAGE_INDEX)
            cursor.execute(POSTGRES_CONTACT_INDEX)


def uninstall(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            for name in SQLITE_TABLES:
                cursor.execute(f"DROP TABLE IF EXISTS {name}")
        elif connection.vendor == "postgresql":
            cursor.execute("DROP INDEX IF EXISTS msg_search")
            cursor.execute("DROP INDEX IF EXISTS contact_name_search")
            for name in POSTGRES_CONFIGURATIONS:
                cursor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {name}")




def _rebuild_sqlite(cursor: Any) -> None:
    # 'rebuild' re-reads the content table: right after creation, and after any period
    # during which the triggers were missing.
    for name in SQLITE_TABLES:
        cursor.execute(f"INSERT INTO {name}({name}) VALUES ('rebuild')")  # noqa: S608 (constant)


def repair_sqlite(connection: BaseDatabaseWrapper) -> bool:
    """Put back triggers a table rebuild dropped, and re-index; True when it had to."""
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        present = {row[0] for row in cursor.fetchall()}
        if not set(SQLITE_TABLES) <= present:
            return False  # migration 0003 has not run on this database (yet)
        missing = [name for name in SQLITE_TRIGGERS if name not in present]
        for name in missing:
            cursor.execute(SQLITE_TRIGGERS[name])
        if missing:
            _rebuild_sqlite(cursor)
    return bool(missing)
