"""Grant the feedback permissions to the role groups (code checks permissions, never groups)."""

from django.db import migrations

from core.migration_utils import grant_permissions

F = "feedback."
GRANTS = {
    "desk_officer": [
        F + p
        for p in [
            "view_feedback",
            "view_all_feedback",
            "receive_feedback",
            "classify_feedback",
            "assign_feedback",
        ]
    ],
    "specialist": [F + p for p in ["view_feedback", "answer_feedback"]],
    "leader": [
        F + p
        for p in [
            "view_feedback",
            "view_all_feedback",
            "receive_feedback",
            "classify_feedback",
            "assign_feedback",
            "answer_feedback",
            "publish_feedback",
            "view_feedback_figures",
        ]
    ],
    "administrator": [
        F + p
        for p in [
            "view_feedback",
            "view_all_feedback",
            "view_feedbackevent",
            "view_feedback_figures",
        ]
    ],
}


def forwards(apps, schema_editor):
    grant_permissions(apps, GRANTS, app_labels=["feedback"])


class Migration(migrations.Migration):
    dependencies = [("feedback", "0002_archive_search_index"), ("accounts", "0002_role_groups")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
