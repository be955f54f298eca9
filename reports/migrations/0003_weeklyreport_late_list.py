"""The weekly report's late list in a column of its own (reports.models.WeeklyReport.late_list),
compressed with lz4 on PostgreSQL 14+ built with it (else PostgreSQL's default, pglz)."""

from django.db import migrations, models


def compress_with_lz4(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql" or connection.pg_version < 140000:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        row = cursor.fetchone()
    if row and row[0]:
        table = schema_editor.quote_name(apps.get_model("reports", "WeeklyReport")._meta.db_table)
        schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN late_list SET COMPRESSION lz4")


class Migration(migrations.Migration):
    dependencies = [("reports", "0002_role_permissions")]

    operations = [
        migrations.AddField(
            model_name="weeklyreport",
            name="late_list",
            field=models.TextField(blank=True, editable=False, verbose_name="late dossiers (JSON)"),
        ),
        migrations.RunPython(compress_with_lz4, migrations.RunPython.noop, elidable=True),
    ]
