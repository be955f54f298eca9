from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Leadership reporting: the weekly late-dossier report and the dashboard.

    Reads dossiers, feedback and satisfaction through their selectors; owns only its snapshots.
    """

    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
