from django.db import migrations

from core.migration_utils import grant_permissions

MODELS = ["procedure", "procedurestep", "submissionmethod", "dossiercomponent", "workflowstep"]


def perms(*actions, models=MODELS):
    return [f"procedures.{a}_{m}" for m in models for a in actions]


GRANTS = {
    "administrator": perms("add", "change", "view", "delete", models=[*MODELS, "field"])
    + ["procedures.publish_procedure"],
    "leader": perms("view", models=[*MODELS, "field"]) + ["procedures.publish_procedure"],
    "specialist": perms("add", "change", "view") + ["procedures.view_field"],
    "desk_officer": perms("view", models=[*MODELS, "field"]),
}


def forwards(apps, schema_editor):
    grant_permissions(apps, GRANTS, app_labels=["procedures"])


class Migration(migrations.Migration):
    dependencies = [("procedures", "0002_search_index"), ("accounts", "0002_role_groups")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
