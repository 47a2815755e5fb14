"""Data migrations run on a database holding rows written by the code before them."""

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from datasets import models

pytestmark = pytest.mark.django_db(transaction=True)


def migrate(target: tuple[str, str]):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


def test_versions_take_the_file_facts_of_the_file_they_were_read_from():
    old = migrate(("datasets", "0009_personal_data_kept_unpublished"))
    try:
        Organization = old.get_model("portal", "Organization")
        Dataset = old.get_model("datasets", "Dataset")
        Resource = old.get_model("datasets", "Resource")
        ResourceVersion = old.get_model("datasets", "ResourceVersion")
        organization = Organization.objects.create(name="Parks", slug="parks")
        dataset = Dataset.objects.create(name="visitors", organization=organization)
        resource = Resource.objects.create(
            dataset=dataset, format="XLSX", size=2048, sha256="b" * 64, mimetype="application/x"
        )
        resource.file.save("feb.xlsx", ContentFile(b"x" * 2048), save=True)
        replaced = ResourceVersion.objects.create(
            resource=resource, number=1, table_name="ds_1_v1", sha256="a" * 64,
            source_name="resources/2024/01/jan.csv",
        )  # fmt: skip
        replaced.source_file.save("jan.csv", ContentFile(b"a,b\n1,2\n"), save=True)
        resource.current_version = replaced  # feb.xlsx waits: it is being read
        resource.save()
        current = ResourceVersion.objects.create(
            resource=resource, number=2, table_name="ds_1_v2", sha256="b" * 64,
            source_file=resource.file.name, source_name=resource.file.name,
        )  # fmt: skip

        new = migrate(("datasets", "0010_version_file_facts"))
        ResourceVersion = new.get_model("datasets", "ResourceVersion")
        current = ResourceVersion.objects.get(pk=current.pk)
        assert (current.size, current.mimetype, current.format) == (2048, "application/x", "XLSX")
        replaced = ResourceVersion.objects.get(pk=replaced.pk)
        # Its size is read from storage when asked (Resource.public_file).
        assert (replaced.size, replaced.mimetype, replaced.format) == (None, "", "CSV")
    finally:
        migrate(
            ("datasets", MigrationExecutor(connection).loader.graph.leaf_nodes("datasets")[0][1])
        )
    public = models.Resource.objects.get(pk=resource.pk).public_file
    assert (public.size, public.sha256, public.format) == (8, "a" * 64, "CSV")
    assert public.file.name == replaced.source_file.name
