"""Harvesting another portal (CKAN or DCAT) into an organization, and doing it again."""

import copy
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from datasets.interop.harvest import harvest_run, harvest_source_create
from datasets.interop.tasks import harvest_due_task
from datasets.models import Dataset, HarvestRun, HarvestSource, IngestJob, Resource
from datasets.selectors import dataset_search
from portal.models import Membership
from tests.datasets.remote_portal import RECORDED
from tests.factories import (
    DatasetFactory,
    HarvestSourceFactory,
    MembershipFactory,
    OrganizationFactory,
    ResourceFactory,
    seed_themes_and_licenses,
)

pytestmark = pytest.mark.django_db


def test_recorded_ckan_harvest_twice_creates_no_duplicates(remote):
    source = HarvestSourceFactory(url=remote.url)

    first = harvest_run(source=source)
    second = harvest_run(source=source)

    assert (first.status, first.created, first.updated) == (HarvestRun.Status.SUCCEEDED, 2, 0)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 2)
    datasets = Dataset.objects.filter(organization=source.organization)
    assert sorted(datasets.values_list("name", flat=True)) == ["bicycle-counts", "street-trees"]
    bikes = datasets.get(name="bicycle-counts")
    assert bikes.status == Dataset.Status.PUBLISHED
    assert bikes.title_zh_hant == "Bicycle counts"
    assert bikes.summary_zh_hant == "Hourly bicycle counts at 12 counting stations."
    assert "induction loops" in bikes.description_zh_hant
    assert bikes.license_id == "CC-BY-4.0"
    assert bikes.update_frequency == "DAILY"
    assert bikes.contact_email == "opendata@city.example.org"
    assert sorted(bikes.tags.values_list("name", flat=True)) == ["bicycle", "mobility"]
    assert list(bikes.themes.values_list("slug", flat=True)) == ["transportation"]
    assert bikes.source == f"{remote.url}/dataset/bicycle-counts"
    assert Resource.objects.filter(dataset__organization=source.organization).count() == 3
    csv = bikes.resources.get(format="CSV")
    assert csv.url_type == Resource.UrlType.LINK
    assert csv.url.endswith("counts-2024.csv")
    assert csv.size == 48213
    # searchable on the catalog page like any other dataset
    found = dataset_search(user=None, q="bicycle").datasets
    assert list(found.values_list("name", flat=True)) == ["bicycle-counts"]


def test_changed_remote_dataset_is_updated_in_place(remote):
    source = HarvestSourceFactory(url=remote.url)
    harvest_run(source=source)
    changed = copy.deepcopy(RECORDED)
    package = changed["result"]["results"][0]
    package["title"] = "Bicycle counts (all stations)"
    package["metadata_modified"] = "2024-06-01T00:00:00.000000"
    package["resources"] = package["resources"][:1]

    remote.ckan_response = changed
    run = harvest_run(source=source)

    assert (run.created, run.updated, run.unchanged) == (0, 1, 1)
    bikes = Dataset.objects.get(harvest_record__remote_id=package["id"])
    assert bikes.title_zh_hant == "Bicycle counts (all stations)"
    assert bikes.resources.count() == 1


def test_removed_remote_dataset_is_archived_and_comes_back(remote):
    source = HarvestSourceFactory(url=remote.url)
    harvest_run(source=source)
    fewer = copy.deepcopy(RECORDED)
    fewer["result"]["results"] = fewer["result"]["results"][:1]
    fewer["result"]["count"] = 1

    remote.ckan_response = fewer
    run = harvest_run(source=source)

    assert run.archived == 1
    trees = Dataset.objects.get(name="street-trees")
    assert trees.status == Dataset.Status.ARCHIVED  # kept, not deleted
    remote.ckan_response = RECORDED
    back = harvest_run(source=source)
    assert back.updated == 1
    trees.refresh_from_db()
    assert trees.status == Dataset.Status.PUBLISHED


def test_unreachable_remote_fails_the_run_and_archives_nothing(remote):
    source = HarvestSourceFactory(url=remote.url)
    harvest_run(source=source)
    source.url = f"{remote.url}/gone"  # every answer there is a 404
    source.save()

    run = harvest_run(source=source)

    assert run.status == HarvestRun.Status.FAILED
    assert "404" in run.errors[0]["message"]
    assert not Dataset.objects.filter(status=Dataset.Status.ARCHIVED).exists()


def test_one_bad_remote_dataset_is_reported_and_the_rest_imported(remote):
    source = HarvestSourceFactory(url=remote.url)
    broken = copy.deepcopy(RECORDED)
    broken["result"]["results"][1]["resources"][0]["url"] = "not a url at all"
    remote.ckan_response = broken

    run = harvest_run(source=source)

    assert run.status == HarvestRun.Status.PARTIAL
    assert run.created == 1
    assert run.errors[0]["remote_id"] == "c1b2d3e4-0002-4f00-9a00-000000000002"
    assert "url" in run.errors[0]["message"]
    assert not Dataset.objects.filter(name="street-trees").exists()  # nothing half-saved


def test_local_name_clash_gets_a_new_name(remote):
    DatasetFactory(name="bicycle-counts")
    source = HarvestSourceFactory(url=remote.url)
    harvest_run(source=source)
    harvested = Dataset.objects.filter(organization=source.organization)
    assert harvested.filter(name="bicycle-counts-2").exists()


def test_tabular_files_are_queued_for_ingestion(remote, django_capture_on_commit_callbacks):
    source = HarvestSourceFactory(url=remote.url, ingest_files=True)
    with django_capture_on_commit_callbacks(execute=False):
        harvest_run(source=source)
    jobs = IngestJob.objects.filter(resource__dataset__organization=source.organization)
    assert sorted(jobs.values_list("resource__format", flat=True)) == ["CSV", "GEOJSON"]
    assert set(jobs.values_list("source", flat=True)) == {"url"}


def test_dcat_harvest_from_this_portals_catalog_twice(client, remote):
    seed_themes_and_licenses()
    publisher = OrganizationFactory(slug="parks")
    parks = DatasetFactory(name="parks", organization=publisher, title_en="Parks")
    ResourceFactory(
        dataset=parks, format="CSV", url_type="link", url="https://x.example.org/parks.csv"
    )
    DatasetFactory(name="hidden-plan", organization=publisher, private=True)
    remote.documents["/catalog.jsonld"] = (200, client.get("/catalog.jsonld").content)
    source = HarvestSourceFactory(kind=HarvestSource.Kind.DCAT, url=f"{remote.url}/catalog.jsonld")

    first = harvest_run(source=source)
    second = harvest_run(source=source)

    assert (first.status, first.created) == (HarvestRun.Status.SUCCEEDED, 1), first.errors
    assert (second.created, second.unchanged) == (0, 1)
    copy_ = Dataset.objects.get(organization=source.organization)
    assert copy_.title_en == "Parks"
    assert copy_.title_zh_hant == parks.title_zh_hant
    assert copy_.license_id == "CC-BY-4.0"
    assert copy_.resources.get().format == "CSV"


def test_dcat_us_data_json_harvest(client, remote):
    seed_themes_and_licenses()
    DatasetFactory(name="libraries", title_en="Libraries")
    remote.documents["/data.json"] = (200, client.get("/data.json").content)
    source = HarvestSourceFactory(kind=HarvestSource.Kind.DCAT, url=f"{remote.url}/data.json")
    assert harvest_run(source=source).created == 1
    assert harvest_run(source=source).created == 0


@pytest.mark.django_db(transaction=True)
def test_ckan_harvest_from_this_portals_live_server_twice(live_server, settings):
    port = int(live_server.url.rsplit(":", 1)[1])
    settings.INGEST_FETCH_ALLOWED_ADDRESSES = [("127.0.0.1", port), ("::1", port)]
    seed_themes_and_licenses()
    remote_org = OrganizationFactory(slug="remote-dot")
    for name in ("bus-stops", "taxi-stands"):
        ResourceFactory(dataset=DatasetFactory(name=name, organization=remote_org), format="CSV")
    DatasetFactory(name="remote-secret", organization=remote_org, private=True)
    source = HarvestSourceFactory(url=live_server.url, remote_organization="remote-dot")

    first = harvest_run(source=source)
    second = harvest_run(source=source)

    assert (first.status, first.created) == (HarvestRun.Status.SUCCEEDED, 2), first.errors
    assert (second.created, second.unchanged) == (0, 2)
    harvested = Dataset.objects.filter(organization=source.organization)
    assert sorted(harvested.values_list("name", flat=True)) == ["bus-stops-2", "taxi-stands-2"]
    assert harvested.get(name="bus-stops-2").resources.count() == 1


def test_internal_addresses_are_refused():
    for url in ("http://127.0.0.1:9", "http://10.0.0.1", "http://169.254.169.254"):
        source = HarvestSourceFactory(url=url)
        with translation.override("en"):
            run = harvest_run(source=source)
        assert run.status == HarvestRun.Status.FAILED
        assert "internal or private network addresses" in run.errors[0]["message"]


def test_only_editors_and_admins_register_sources():
    org = OrganizationFactory()
    editor = MembershipFactory(organization=org, role=Membership.Role.EDITOR).user
    member = MembershipFactory(organization=org, role=Membership.Role.MEMBER).user
    with pytest.raises(PermissionDenied):
        harvest_source_create(
            organization=org, by=member, name="X", kind="ckan", url="https://x.example.org"
        )
    source = harvest_source_create(
        organization=org, by=editor, name="X", kind="ckan", url="https://x.example.org"
    )
    assert source.created_by == editor


def test_scheduled_task_harvests_due_sources(remote):
    source = HarvestSourceFactory(url=remote.url)
    HarvestSourceFactory(active=False, url=remote.url + "/paused")
    assert harvest_due_task() == 1
    assert source.runs.get().created == 2
    assert harvest_due_task() == 0  # harvested within the day


def test_remote_jsonld_contexts_are_fetched_safely(client, remote):
    seed_themes_and_licenses()
    DatasetFactory(name="parks", title_en="Parks")
    document = json.loads(client.get("/catalog.jsonld").content)
    remote.documents["/context.jsonld"] = (
        200,
        json.dumps({"@context": document["@context"]}).encode(),
    )
    document["@context"] = "/context.jsonld"  # relative to the catalog, as catalogs do
    remote.documents["/catalog.jsonld"] = (200, json.dumps(document).encode())
    source = HarvestSourceFactory(kind=HarvestSource.Kind.DCAT, url=f"{remote.url}/catalog.jsonld")
    assert harvest_run(source=source).created == 1

    document["@context"] = "http://169.254.169.254/latest/meta-data/context.jsonld"
    remote.documents["/evil.jsonld"] = (200, json.dumps(document).encode())
    evil = HarvestSourceFactory(kind=HarvestSource.Kind.DCAT, url=f"{remote.url}/evil.jsonld")
    with translation.override("en"):
        run = harvest_run(source=evil)
    assert run.status == HarvestRun.Status.FAILED
    assert "internal or private network addresses" in run.errors[0]["message"]
