from django.db import migrations

from core.migration_utils import grant_permissions

GRANTS = {
    "administrator": [
        f"accounts.{action}_{model}"
        for model in ["agency", "department", "user"]
        for action in ["add", "change", "view", "delete"]
    ]
    + ["auth.view_group"],
    "leader": ["accounts.view_agency", "accounts.view_department", "accounts.view_user"],
    "specialist": ["accounts.view_agency", "accounts.view_department"],
    "desk_officer": ["accounts.view_agency", "accounts.view_department"],
}


def forwards(apps, schema_editor):
    grant_permissions(apps, GRANTS, app_labels=["accounts", "auth"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_role_groups")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
