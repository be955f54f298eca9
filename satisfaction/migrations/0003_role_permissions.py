"""Grant the satisfaction permissions to the role groups (code checks permissions, never groups).

- administrator: edits the survey (new versions, criteria, questions, checklist) in the admin,
  and may enrol tablets;
- leader: reads responses and follow-ups and closes follow-ups;
- desk_officer: enrols and revokes the survey tablets at the desk.
"""

from django.db import migrations

from core.migration_utils import grant_permissions

S = "satisfaction."
SURVEY_MODELS = ["survey", "criterion", "question", "facilityoption"]
GRANTS = {
    "administrator": [
        *(
            S + f"{action}_{model}"
            for model in SURVEY_MODELS
            for action in ("add", "change", "view")
        ),
        *(S + f"delete_{model}" for model in ["criterion", "question", "facilityoption"]),
        S + "view_kioskdevice",
        S + "enroll_kioskdevice",
    ],
    "leader": [
        S + p
        for p in [
            "view_survey",
            "view_response",
            "view_answer",
            "view_followup",
            "view_followupevent",
            "close_followup",
        ]
    ],
    "desk_officer": [S + p for p in ["view_kioskdevice", "enroll_kioskdevice"]],
}


def forwards(apps, schema_editor):
    grant_permissions(apps, GRANTS, app_labels=["satisfaction"])


class Migration(migrations.Migration):
    dependencies = [("satisfaction", "0002_survey_v1"), ("accounts", "0002_role_groups")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
