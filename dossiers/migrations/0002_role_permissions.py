from django.db import migrations

from core.migration_utils import grant_permissions

D = "dossiers."
GRANTS = {
    "desk_officer": [
        D + p
        for p in [
            "view_dossier",
            "receive_dossier",
            "assign_dossier",
            "view_all_dossiers",
            "view_dossier_attachment",
            "export_ledger",
            "view_intakeguidance",
        ]
    ],
    "specialist": [
        D + p
        for p in [
            "view_dossier",
            "process_dossier",
            "reschedule_dossier",
            "view_dossier_attachment",
        ]
    ],
    "leader": [
        D + p
        for p in [
            "view_dossier",
            "assign_dossier",
            "process_dossier",
            "reschedule_dossier",
            "view_all_dossiers",
            "view_dossier_attachment",
            "export_ledger",
            "view_intakeguidance",
        ]
    ],
    "administrator": [
        D + p
        for p in [
            "view_dossier",
            "view_all_dossiers",
            "export_ledger",
            "view_dossierevent",
            "view_intakeguidance",
        ]
    ],
}


def forwards(apps, schema_editor):
    grant_permissions(apps, GRANTS, app_labels=["dossiers"])


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0001_initial"), ("accounts", "0002_role_groups")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
