"""Trigram index for the staff search on folded applicant names (PostgreSQL only)."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS dossiers_applicant_search_trgm ON dossiers_dossier "
    "USING gin (applicant_search gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS dossiers_code_trgm ON dossiers_dossier "
    "USING gin (upper(code) gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS dossiers_applicant_search_trgm",
    "DROP INDEX IF EXISTS dossiers_code_trgm",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0003_applicant_search")]
    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
