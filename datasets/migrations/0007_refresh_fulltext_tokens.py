"""Recompute the full-text column of every loaded table: digit runs are now indexed as
pairs, like CJK runs (datasets/datastore/fts.py), and searches look for the new tokens.

Uses the current tokenizer on purpose: the point is that stored tokens match what the
query side asks for today."""

from django.conf import settings
from django.db import migrations


def refresh(apps, schema_editor):
    if schema_editor.connection.alias != "default":
        return
    from datasets.datastore.load import refresh_fts, version_tables

    using = settings.DATASTORE_DATABASE
    existing = set(version_tables(using=using))
    ResourceVersion = apps.get_model("datasets", "ResourceVersion")
    for version in ResourceVersion.objects.filter(table_name__in=existing).only(
        "table_name", "columns"
    ):
        refresh_fts(table_name=version.table_name, columns=version.columns, using=using)


class Migration(migrations.Migration):
    dependencies = [("datasets", "0006_harvest_sources")]

    operations = [migrations.RunPython(refresh, migrations.RunPython.noop, elidable=True)]
