"""Trigram index for the archive search (PostgreSQL only), on published rows only.

`search_text` is already lower-case and unaccented (core.text.fold), so `LIKE '%term%'` on it
needs no unaccent() at query time and a plain gin_trgm_ops index serves it (the pattern of
procedures 0002). SQLite scans.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS feedback_archive_search_trgm ON feedback_feedback "
    "USING gin (search_text gin_trgm_ops) WHERE status = 'published'",
]
BACKWARD = ["DROP INDEX IF EXISTS feedback_archive_search_trgm"]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial")]
    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
