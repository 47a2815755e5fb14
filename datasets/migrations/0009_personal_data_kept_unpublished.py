from django.db import migrations, models


def mark_decided(apps, schema_editor):
    """Versions an editor already kept unpublished stayed "flagged" with a decision date;
    give them the state that says so, and end the wait of every decided version's job."""
    ResourceVersion = apps.get_model("datasets", "ResourceVersion")
    IngestJob = apps.get_model("datasets", "IngestJob")
    IngestJob.objects.filter(
        version__personal_data="cleared", stage="awaiting_confirmation"
    ).update(stage="done")
    kept = ResourceVersion.objects.filter(
        personal_data="flagged", personal_data_decided_at__isnull=False
    )
    IngestJob.objects.filter(version__in=kept, stage="awaiting_confirmation").update(
        stage="kept_unpublished"
    )
    kept.update(personal_data="personal")


class Migration(migrations.Migration):
    dependencies = [
        ("datasets", "0008_ingest_error_translations"),
    ]

    operations = [
        migrations.AlterField(
            model_name="resourceversion",
            name="personal_data",
            field=models.CharField(
                choices=[
                    ("none", "No personal data found"),
                    ("flagged", "Possible personal data: waiting for an editor"),
                    ("cleared", "Checked by an editor: not personal data"),
                    ("personal", "Checked by an editor: personal data, kept unpublished"),
                ],
                default="none",
                max_length=10,
            ),
        ),
        migrations.RunPython(mark_decided, migrations.RunPython.noop),
    ]
