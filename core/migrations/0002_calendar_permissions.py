from django.db import migrations

from core.migration_utils import grant_permissions

CRUD = [f"core.{a}_calendaroverride" for a in ["add", "change", "view", "delete"]]
GRANTS = {
    "administrator": CRUD,
    "leader": ["core.view_calendaroverride"],
    "specialist": ["core.view_calendaroverride"],
    "desk_officer": ["core.view_calendaroverride"],
}


def forwards(apps, schema_editor):
    grant_permissions(apps, GRANTS, app_labels=["core"])


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial"), ("accounts", "0002_role_groups")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
