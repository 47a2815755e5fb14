"""The officials' harvest pages: who may use them, adding a source, reading run reports."""

import copy

import pytest

from datasets.models import HarvestRun, HarvestSource
from portal.models import Membership
from tests.datasets.remote_portal import RECORDED
from tests.factories import (
    HarvestSourceFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return OrganizationFactory(slug="dot")


def login_as(client, org, role):
    user = MembershipFactory(organization=org, role=role).user
    client.force_login(user)
    return user


def test_anonymous_is_sent_to_sign_in(client, org):
    response = client.get("/en/organizations/dot/harvest/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", [Membership.Role.MEMBER, None])
def test_members_and_outsiders_are_refused(client, org, role):
    if role:
        login_as(client, org, role)
    else:
        client.force_login(UserFactory())
    source = HarvestSourceFactory(organization=org)
    assert client.get("/en/organizations/dot/harvest/").status_code == 403
    assert client.get(f"/en/organizations/dot/harvest/{source.pk}/").status_code == 403
    assert client.post(f"/en/organizations/dot/harvest/{source.pk}/").status_code == 403
    assert not source.runs.exists()


def test_editor_of_another_organization_cannot_see_our_source(client, org):
    login_as(client, OrganizationFactory(slug="other"), Membership.Role.EDITOR)
    source = HarvestSourceFactory(organization=org)
    assert client.get(f"/en/organizations/other/harvest/{source.pk}/").status_code == 404


def test_editor_adds_a_source_and_sees_the_link_on_the_organization_page(
    client, org, django_capture_on_commit_callbacks
):
    login_as(client, org, Membership.Role.EDITOR)
    page = client.get("/en/organizations/dot/")
    assert b"/en/organizations/dot/harvest/" in page.content

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/en/organizations/dot/harvest/",
            {"name": "Old CKAN", "kind": "ckan", "url": "http://127.0.0.1:9", "ingest_files": "on"},
        )
    response = client.get(response["Location"])

    source = HarvestSource.objects.get(organization=org)
    assert source.name == "Old CKAN"
    # the first run was queued (eager in tests) and reported: the test host refuses it
    run = source.runs.get()
    assert run.status == HarvestRun.Status.FAILED
    explanation = run.errors[0]["message"].rsplit(": ", 1)[-1]
    assert explanation in response.content.decode()


def test_duplicate_or_bad_address_names_the_field(client, org):
    login_as(client, org, Membership.Role.ADMIN)
    HarvestSourceFactory(organization=org, url="https://data.example.org")
    duplicate = client.post(
        "/en/organizations/dot/harvest/",
        {"name": "Again", "kind": "ckan", "url": "https://data.example.org"},
    )
    assert duplicate.status_code == 200
    assert b"already harvests this address" in duplicate.content
    bad = client.post(
        "/en/organizations/dot/harvest/", {"name": "Bad", "kind": "ckan", "url": "not a url"}
    )
    assert b"Enter a valid URL" in bad.content
    assert HarvestSource.objects.count() == 1


def test_run_report_in_traditional_chinese(client, org):
    login_as(client, org, Membership.Role.EDITOR)
    source = HarvestSourceFactory(organization=org)
    HarvestRun.objects.create(
        source=source,
        status=HarvestRun.Status.PARTIAL,
        created=3,
        updated=1,
        archived=2,
        errors=[{"remote_id": "abc-123", "message": "url: Enter a valid URL."}],
    )
    page = client.get(f"/organizations/dot/harvest/{source.pk}/").content.decode()
    assert "abc-123" in page
    assert "新增 3" in page
    assert "封存 2" in page


def test_a_failed_run_reads_in_each_editors_language_whatever_the_workers(client, org):
    # Scheduled runs happen in the worker's language (the site's, Chinese); an editor
    # reading the English pages sees the reason in English, and the other way round.
    from django.utils import translation

    from datasets.interop.harvest import harvest_run

    login_as(client, org, Membership.Role.EDITOR)
    source = HarvestSourceFactory(organization=org, url="http://127.0.0.1:9/catalog")
    with translation.override("zh-hant"):
        run = harvest_run(source=source)
    assert run.status == HarvestRun.Status.FAILED
    assert "不允許連結至內部或私有網路位址" in run.errors[0]["message"], run.errors

    english = client.get(f"/en/organizations/dot/harvest/{source.pk}/").content.decode()
    chinese = client.get(f"/organizations/dot/harvest/{source.pk}/").content.decode()

    assert "start=0: Links to internal or private network addresses are not allowed" in english
    assert "start=0：不允許連結至內部或私有網路位址（127.0.0.1）。" in chinese


def test_a_remote_dataset_the_catalog_refused_reads_in_each_editors_language(client, org, remote):
    from django.utils import translation

    from datasets.interop.harvest import harvest_run

    login_as(client, org, Membership.Role.EDITOR)
    source = HarvestSourceFactory(organization=org, url=remote.url)
    broken = copy.deepcopy(RECORDED)
    broken["result"]["results"][1]["resources"][0]["url"] = "not a url at all"
    remote.ckan_response = broken
    with translation.override("zh-hant"):  # a scheduled run, in the site's language
        run = harvest_run(source=source)
    assert run.status == HarvestRun.Status.PARTIAL

    english = client.get(f"/en/organizations/dot/harvest/{source.pk}/").content.decode()
    chinese = client.get(f"/organizations/dot/harvest/{source.pk}/").content.decode()

    assert "url: Enter a valid URL." in english
    with translation.override("zh-hant"):
        assert f"url: {translation.gettext('Enter a valid URL.')}" in chinese
    assert "Enter a valid URL." not in chinese
