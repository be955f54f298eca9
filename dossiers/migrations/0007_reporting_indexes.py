"""Index for the period figures (dossiers.reporting): dossiers open or finished since a date."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0006_explanations")]

    operations = [
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(fields=["agency", "finished_at"], name="dossiers_agency_finished"),
        ),
    ]
