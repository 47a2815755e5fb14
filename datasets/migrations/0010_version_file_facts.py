import os
from urllib.parse import urlsplit

from django.db import migrations, models


def facts_from_resources(apps, schema_editor):
    """Versions read from the resource's present file take its size, MIME type and format.
    Older ones (their file since replaced) take the format their name says; their size is
    read from storage when asked (Resource.public_file)."""
    ResourceVersion = apps.get_model("datasets", "ResourceVersion")
    for version in ResourceVersion.objects.select_related("resource").iterator():
        resource = version.resource
        if resource.file and version.source_file.name == resource.file.name:
            version.size, version.mimetype = resource.size, resource.mimetype
            version.format = resource.format
        else:
            ext = os.path.splitext(urlsplit(version.source_name).path)[1]
            version.format = ext.lstrip(".").upper()[:30] or resource.format
        version.save(update_fields=["size", "mimetype", "format"])


class Migration(migrations.Migration):
    dependencies = [
        ("datasets", "0009_personal_data_kept_unpublished"),
    ]

    operations = [
        migrations.AddField(
            model_name="resourceversion",
            name="format",
            field=models.CharField(blank=True, max_length=30),
        ),
        migrations.AddField(
            model_name="resourceversion",
            name="mimetype",
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.AddField(
            model_name="resourceversion",
            name="size",
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(facts_from_resources, migrations.RunPython.noop),
    ]
