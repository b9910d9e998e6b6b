"""An index of the words of voice names, for the catalog's search (voices/search.py):
an FTS5 table kept by triggers on SQLite, a GIN index on the words on PostgreSQL."""

from django.db import migrations

# Written out here, not imported, so this migration means the same whatever the app
# later does; voices/search.py holds the same triggers to put back after a rebuild.
SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE voices_voice_fts USING fts5("
    "name, content='voices_voice', content_rowid='id', "
    "tokenize='ascii', prefix='1 2 3')",
    """CREATE TRIGGER voices_voice_fts_insert AFTER INSERT ON voices_voice
    BEGIN
        INSERT INTO voices_voice_fts(rowid, name) VALUES (new.id, new.name);
    END""",
    """CREATE TRIGGER voices_voice_fts_delete AFTER DELETE ON voices_voice
    BEGIN
        INSERT INTO voices_voice_fts(voices_voice_fts, rowid, name)
        VALUES ('delete', old.id, old.name);
    END""",
    """CREATE TRIGGER voices_voice_fts_rename
    AFTER UPDATE OF name ON voices_voice WHEN old.name IS NOT new.name
    BEGIN
        INSERT INTO voices_voice_fts(voices_voice_fts, rowid, name)
        VALUES ('delete', old.id, old.name);
        INSERT INTO voices_voice_fts(rowid, name) VALUES (new.id, new.name);
    END""",
    # The voices already here.
    "INSERT INTO voices_voice_fts(voices_voice_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS voices_voice_fts_insert",
    "DROP TRIGGER IF EXISTS voices_voice_fts_delete",
    "DROP TRIGGER IF EXISTS voices_voice_fts_rename",
    "DROP TABLE IF EXISTS voices_voice_fts",
]
PG_FORWARD = [
    "CREATE INDEX voice_name_words_idx ON voices_voice "
    "USING gin (to_tsvector('simple'::regconfig, name)) WITH (fastupdate = off)",
]
PG_BACKWARD = ["DROP INDEX IF EXISTS voice_name_words_idx"]


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for sql in statements.get(vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("voices", "0012_clone_burki_sample"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": PG_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": PG_BACKWARD}),
        ),
    ]
