"""Grant the weekly report and agency-figures permissions to the leader and administrator roles
(code checks permissions, never groups). Desk officers and specialists see their own figures
through `dossiers.view_dossier`."""

from django.db import migrations

from core.migration_utils import grant_permissions

R = "reports."
GRANTS = {
    "leader": [R + p for p in ["view_weeklyreport", "view_agency_figures", "build_weeklyreport"]],
    "administrator": [
        R + p
        for p in [
            "view_weeklyreport",
            "view_agency_figures",
            "build_weeklyreport",
            "view_weeklyreportdelivery",
        ]
    ],
}


def forwards(apps, schema_editor):
    grant_permissions(apps, GRANTS, app_labels=["reports"])


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_weekly_reports"), ("accounts", "0002_role_groups")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
