from django.db import migrations

from core.migration_utils import grant_permissions

# Everyone who sees dossiers may see their notices; those who talk to applicants may send a
# failed notice again. The notice template preview needs `core.view_notice`.
GRANTS = {
    "administrator": ["core.view_notice", "core.retry_notice"],
    "leader": ["core.view_notice", "core.retry_notice"],
    "desk_officer": ["core.view_notice", "core.retry_notice"],
    "specialist": ["core.view_notice"],
}


def forwards(apps, schema_editor):
    grant_permissions(apps, GRANTS, app_labels=["core"])


class Migration(migrations.Migration):
    dependencies = [("core", "0003_notice_outbox"), ("accounts", "0002_role_groups")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
