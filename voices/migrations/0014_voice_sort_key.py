"""sort_key, what the catalog orders names by (the name in lower case without the ASCII
punctuation it starts with), its catalog index, and on PostgreSQL the word index made
again on it (voices/search.py): its first word as it is and the others after "~", which
tells names beginning with a word from the others."""

import django.db.models.functions.text
from django.db import migrations, models

import voices.models

# Written out here, not imported, so this migration means the same whatever the app
# later does; voices/search.py spells the same expression in its queries.
PG_FORWARD = [
    "DROP INDEX IF EXISTS voice_name_words_idx",
    "CREATE FUNCTION voice_name_words(key text) RETURNS tsvector "
    "LANGUAGE sql IMMUTABLE STRICT COST 100 SET search_path = pg_catalog AS "
    "$$ SELECT array_to_tsvector(array_remove(array_remove(regexp_split_to_array("
    "regexp_replace(key, '[^A-Za-z0-9\\u0080-\\U0010FFFF]+', ' ~', 'g'), ' '), ''), '~')) $$",
    "CREATE INDEX voice_name_words_idx ON voices_voice "
    "USING gin (voice_name_words(sort_key)) WITH (fastupdate = off)",
    # Figures of ten times as many words as ANALYZE keeps by default, so the planner's
    # estimate of a prefix's rows (voices/search.py chooses a way by it) counts rare ones.
    "ALTER INDEX voice_name_words_idx ALTER COLUMN 1 SET STATISTICS 1000",
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS voice_name_words_idx",
    "DROP FUNCTION IF EXISTS voice_name_words(text)",
    "CREATE INDEX voice_name_words_idx ON voices_voice "
    "USING gin (to_tsvector('simple'::regconfig, name)) WITH (fastupdate = off)",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("teams", "0004_balancepoint"),
        ("voices", "0013_voice_name_index"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="voice",
            options={"ordering": ["sort_key", "pk"]},
        ),
        migrations.RemoveIndex(
            model_name="voice",
            name="voice_catalog_name_idx",
        ),
        migrations.AddField(
            model_name="voice",
            name="sort_key",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.db.models.functions.text.Lower(
                    models.Func(
                        models.F("name"),
                        models.Value(
                            "\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r\x0e\x0f\x10\x11\x12"
                            "\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f"
                            " !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~\x7f"
                        ),
                        function="LTRIM",
                    )
                ),
                output_field=voices.models.CodePointCharField(max_length=200),
            ),
        ),
        migrations.AddIndex(
            model_name="voice",
            index=models.Index(
                condition=models.Q(("gone_at__isnull", True)),
                fields=["team", "sort_key", "id"],
                name="voice_catalog_sort_idx",
            ),
        ),
        migrations.RunPython(_run(PG_FORWARD), _run(PG_BACKWARD)),
    ]
