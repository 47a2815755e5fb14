"""Pilots: the public page across cities, detail with milestones and measures, who may edit."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from challenges.judging.hooks import challenge_results_section, dataset_pilots_section
from challenges.judging.models import Pilot
from challenges.judging.services import pilots
from portal.models import Membership, Organization
from tests.challenges.judging_setup import english  # noqa: F401 (fixture)
from tests.factories import DatasetFactory, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agency_editor():
    city = OrganizationFactory(kind=Organization.Kind.CITY, name_zh_hant="臺北市", name_en="Taipei")
    agency = OrganizationFactory(parent=city, name_zh_hant="交通局", name_en="Transportation")
    return MembershipFactory(organization=agency, role=Membership.Role.EDITOR).user, agency


def make_pilot(agency_editor, **fields):
    user, agency = agency_editor
    pilot = pilots.pilot_create(
        by=user,
        title="Smart bus stops",
        host_agency=agency,
        site="Xinyi District",
        starts_on=datetime.date(2026, 3, 1),
        ends_on=datetime.date(2026, 9, 30),
        budget=500000,
        status=Pilot.Status.RUNNING,
        **fields,
    )
    pilots.milestone_add(
        pilot=pilot, by=user, title="Ten stops equipped", due_on=datetime.date(2026, 4, 1)
    )
    pilots.measure_set(pilot=pilot, by=user, name="Waiting time", unit="min", target=5, actual=6)
    pilots.pilot_update_post(pilot=pilot, by=user, title="First month", body="Riders like it.")
    return pilot


def test_public_pilots_page_lists_pilots_with_agency_and_city(client, agency_editor):
    make_pilot(agency_editor)
    Pilot.objects.create(
        slug="hidden", title="Not yet public", host_agency=agency_editor[1], public=False
    )
    with translation.override("zh-hant"):
        page = client.get(reverse("pilot_list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Smart bus stops" in html and "交通局" in html and "臺北市" in html
    assert "Not yet public" not in html
    assert (
        client.get(reverse("pilot_list"), {"status": "completed"})
        .content.decode()
        .count("Smart bus stops")
        == 0
    )


def test_pilot_page_shows_milestones_measures_and_updates(client, agency_editor):
    pilot = make_pilot(agency_editor)
    with translation.override("zh-hant"):
        html = client.get(pilot.get_absolute_url()).content.decode()
    for text in ["Ten stops equipped", "Waiting time", "First month", "Riders like it.", "進行中"]:
        assert text in html
    assert client.get(reverse("pilot_detail", args=["hidden-or-missing"])).status_code == 404


def test_only_the_host_agency_or_challenge_organizers_edit_a_pilot(agency_editor):
    pilot = make_pilot(agency_editor)
    stranger = MembershipFactory(role=Membership.Role.ADMIN).user
    with pytest.raises(PermissionDenied):
        pilots.pilot_status_set(pilot=pilot, by=stranger, status=Pilot.Status.STOPPED)
    with pytest.raises(PermissionDenied):
        pilots.pilot_create(by=UserFactory(), title="Mine", host_agency=agency_editor[1])
    pilot.refresh_from_db()
    assert pilot.status == Pilot.Status.RUNNING
    pilots.pilot_status_set(pilot=pilot, by=agency_editor[0], status=Pilot.Status.SCALED_UP)
    pilot.refresh_from_db()
    assert pilot.status == Pilot.Status.SCALED_UP


@pytest.mark.usefixtures("english")
def test_pilot_dates_and_slug_are_checked(agency_editor):
    user, agency = agency_editor
    make_pilot(agency_editor)
    with pytest.raises(ValidationError, match="short name"):
        pilots.pilot_create(by=user, title="Smart bus stops", host_agency=agency)
    with pytest.raises(ValidationError, match="end after it starts"):
        pilots.pilot_create(
            by=user,
            title="Backwards",
            host_agency=agency,
            starts_on=datetime.date(2026, 5, 1),
            ends_on=datetime.date(2026, 4, 1),
        )


def test_dataset_and_challenge_pages_link_to_pilots(rf, agency_editor):
    pilot = make_pilot(agency_editor)
    dataset = DatasetFactory()
    request = rf.get("/")
    request.user = UserFactory()
    assert dataset_pilots_section(request, dataset) is None
    pilot.datasets.add(dataset)
    assert dataset_pilots_section(request, dataset).context["pilots"] == [pilot]

    from tests.challenges.judging_setup import judged_round

    setup = judged_round(entries=1, judges=1)
    assert challenge_results_section(request, setup.challenge) is None
    pilot.challenge = setup.challenge
    pilot.save()
    section = challenge_results_section(request, setup.challenge)
    assert section.context["pilots"] == [pilot]


def test_pilot_list_queries_do_not_grow_with_pilots(
    client, agency_editor, django_assert_max_num_queries
):
    for i in range(6):
        Pilot.objects.create(slug=f"pilot-{i}", title=f"Pilot {i}", host_agency=agency_editor[1])
    with django_assert_max_num_queries(6):
        assert client.get(reverse("pilot_list")).status_code == 200


@pytest.mark.usefixtures("english")
def test_challenge_page_shows_winners_and_pilots(client, agency_editor):
    from tests.challenges.judging_setup import published_winner

    setup = published_winner()
    pilot = make_pilot(agency_editor, challenge=setup.challenge)
    html = client.get(setup.challenge.get_absolute_url()).content.decode()
    assert "Team 0 entry" in html and pilot.title in html
    assert reverse("results_public", args=[setup.challenge.slug]) in html
