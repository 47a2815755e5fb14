"""Officials' pilot pages: starting a pilot from a winning entry or from an agency, managing
its description, status, milestones, measures and updates, and who may do any of it.

Refusals are a sign-in redirect, 403 (404 while the pilot is not public), change nothing
and reach the audit log."""

import datetime
import logging
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from challenges.judging.models import Measure, Milestone, Pilot, PilotUpdate
from challenges.judging.services import pilots
from portal.models import Membership
from tests.challenges.judging_setup import published_winner
from tests.factories import DatasetFactory, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def winner():
    """A published round whose first entry won; the organizer edits for the challenge's
    organization."""
    setup = published_winner()
    return setup


@pytest.fixture
def host():
    """An agency with an editor, hosting a running pilot that has one of each row."""
    agency = OrganizationFactory(name_en="Transportation", name_zh_hant="交通局")
    editor = MembershipFactory(organization=agency, role=Membership.Role.EDITOR).user
    pilot = pilots.pilot_create(
        by=editor,
        title="Smart bus stops",
        host_agency=agency,
        starts_on=datetime.date(2026, 3, 1),
        ends_on=datetime.date(2026, 9, 30),
        status=Pilot.Status.RUNNING,
    )
    pilots.milestone_add(pilot=pilot, by=editor, title="Ten stops equipped")
    pilots.measure_set(pilot=pilot, by=editor, name="Waiting time", unit="min", target=5)
    pilots.pilot_update_post(pilot=pilot, by=editor, title="First month", body="Going well.")
    return editor, pilot


def manage_url(pilot):
    return reverse("pilot_manage", args=[pilot.slug])


def details(pilot, **changes):
    """The manage page's description form as the browser posts it, with `changes`."""
    data = {
        "action": "details",
        "details-title_zh_hant": pilot.title_zh_hant or "",
        "details-title_en": pilot.title_en or "",
        "details-summary_zh_hant": pilot.summary_zh_hant or "",
        "details-summary_en": pilot.summary_en or "",
        "details-host_agency": pilot.host_agency_id,
        "details-site": pilot.site,
        "details-starts_on": pilot.starts_on or "",
        "details-ends_on": pilot.ends_on or "",
        "details-budget": pilot.budget or "",
        "details-currency": pilot.currency,
        "details-support": pilot.support,
        "details-public": "on" if pilot.public else "",
    }
    data.update({f"details-{k}": v for k, v in changes.items()})
    return data


def snapshot(pilot):
    """Everything a manage page can change, to show a refused request changed nothing."""
    pilot = Pilot.objects.get(pk=pilot.pk)
    return (
        [(f.name, getattr(pilot, f.attname)) for f in Pilot._meta.concrete_fields],
        list(pilot.datasets.values_list("pk", flat=True)),
        list(Milestone.objects.filter(pilot=pilot).values()),
        list(Measure.objects.filter(pilot=pilot).values()),
        list(PilotUpdate.objects.filter(pilot=pilot).values()),
    )


# Starting a pilot --------------------------------------------------------------------------


def test_organizer_starts_a_pilot_from_the_winning_entry(client, winner):
    entry = winner.entries[0]
    dataset = DatasetFactory(title_en="Bus arrivals")
    client.force_login(winner.organizer)
    results_page = client.get(reverse("results_manage", args=[winner.challenge.slug, 1]))
    start_url = f"{reverse('pilot_create')}?entry={entry.pk}"
    assert start_url in results_page.content.decode()

    form = client.get(start_url)
    assert form.status_code == 200
    assert "Team 0 entry" in form.content.decode()  # title filled in from the entry
    response = client.post(
        start_url,
        {
            "title_en": "Cooler bus stops",
            "slug": "cooler-bus-stops",
            "summary_en": "Shades at ten stops.",
            "host_agency": winner.challenge.organization_id,
            "site": "Xinyi District",
            "starts_on": "2026-03-01",
            "ends_on": "2026-09-30",
            "budget": "1,500,000",
            "currency": "twd",
            "support": "Power and stop access.",
            "datasets": [dataset.pk],
            "public": "on",
        },
    )
    pilot = Pilot.objects.get(slug="cooler-bus-stops")
    assert response.status_code == 302
    assert response["Location"] == manage_url(pilot)
    assert pilot.submission == entry and pilot.challenge == winner.challenge
    assert pilot.status == Pilot.Status.PLANNED

    client.logout()
    html = client.get(pilot.get_absolute_url()).content.decode()
    for text in ["Cooler bus stops", "Xinyi District", "1500000 TWD", "Bus arrivals", "Power"]:
        assert text in html
    assert "Team 0 entry" in html  # the entry it came from
    assert (
        pilot.get_absolute_url()
        in client.get(reverse("results_public", args=[winner.challenge.slug])).content.decode()
    )
    client.force_login(winner.organizer)
    assert (
        pilot.get_absolute_url()
        in client.get(reverse("results_manage", args=[winner.challenge.slug, 1])).content.decode()
    )


def test_only_the_challenge_organizers_start_a_pilot_from_its_entries(client, winner, caplog):
    start_url = f"{reverse('pilot_create')}?entry={winner.entries[0].pk}"
    other_editor = MembershipFactory(role=Membership.Role.EDITOR).user
    post = {"title_en": "Mine", "slug": "mine", "host_agency": winner.challenge.organization_id}

    response = client.post(start_url, post)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(other_editor)
    caplog.set_level(logging.WARNING, logger="portal.security")
    assert client.get(start_url).status_code == 403
    assert client.post(start_url, post).status_code == 403
    assert any("pilot_create" in r.getMessage() for r in caplog.records)
    assert not Pilot.objects.exists()
    assert (
        "?entry="
        not in client.get(reverse("results_public", args=[winner.challenge.slug])).content.decode()
    )


def test_an_agency_editor_starts_a_pilot_of_their_own(client, host):
    editor, _pilot = host
    agency = editor.memberships.get().organization
    client.force_login(editor)
    assert reverse("pilot_create") in client.get(reverse("pilot_list")).content.decode()
    response = client.post(
        reverse("pilot_create"),
        {"title_en": "Quiet streets", "host_agency": agency.pk, "currency": "TWD"},
    )
    pilot = Pilot.objects.get(slug="quiet-streets")  # made from the title
    assert response["Location"] == manage_url(pilot)
    assert pilot.challenge is None and pilot.host_agency == agency


def test_only_editors_may_open_the_new_pilot_page(client):
    url = reverse("pilot_create")
    assert "/accounts/login/" in client.get(url)["Location"]
    member = MembershipFactory(role=Membership.Role.MEMBER).user
    client.force_login(member)
    assert client.get(url).status_code == 403
    assert url not in client.get(reverse("pilot_list")).content.decode()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"ends_on": "2026-02-01"}, "End date", "The pilot must end after it starts."),
        ({"budget": "a lot"}, "Budget", "Give the budget as a number"),
        ({"budget": "10.5"}, "Budget", "whole amount, without decimals"),
        (
            {"slug": "smart-bus-stops"},
            "Short name (used in the web address)",
            "Another pilot already uses this short name",
        ),
        (
            {"slug": "", "title_en": "智慧公車站"},
            "Short name (used in the web address)",
            "short name in Latin letters",
        ),
        ({"slug": "new"}, "Short name (used in the web address)", "reserved"),
        ({"slug": "not a slug!"}, "Short name (used in the web address)", "Enter a valid"),
        ({"currency": "dollars"}, "Currency", "three letters"),
        ({"starts_on": "31/31/2026"}, "Start date", "Enter a valid date"),
        ({"title_en": ""}, "Title (English)", "Give the pilot a title in at least one language."),
    ],
)
def test_bad_input_is_named_and_nothing_is_saved(client, host, changes, field, message):
    editor, _pilot = host
    agency = editor.memberships.get().organization
    client.force_login(editor)
    post = {
        "title_en": "Cooler stops",
        "slug": "cooler-stops",
        "host_agency": agency.pk,
        "starts_on": "2026-03-01",
        "ends_on": "2026-09-30",
        "budget": "100",
        "currency": "TWD",
    }
    post.update(changes)
    response = client.post(reverse("pilot_create"), post)
    assert response.status_code == 400
    html = response.content.decode()
    assert f"{field}: " in html  # the error summary names the field
    assert message in html
    assert Pilot.objects.count() == 1


def test_errors_are_in_traditional_chinese_on_the_chinese_pages(client, host):
    editor, _pilot = host
    agency = editor.memberships.get().organization
    client.force_login(editor)
    with translation.override("zh-hant"):
        url = reverse("pilot_create")
    assert not url.startswith("/en/")
    response = client.post(
        url,
        {
            "title_en": "Cooler stops",
            "host_agency": agency.pk,
            "starts_on": "2026-03-01",
            "ends_on": "2026-02-01",
            "budget": "很多",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "結束日期：試辦計畫的結束日期必須晚於開始日期。" in html
    assert "預算：請以數字填寫預算" in html
    assert "未儲存任何內容" in html
    assert Pilot.objects.count() == 1


def test_host_agency_must_be_one_the_official_edits_for(client, host):
    editor, _pilot = host
    elsewhere = OrganizationFactory()
    client.force_login(editor)
    page = client.get(reverse("pilot_create")).content.decode()
    assert elsewhere.name not in page
    response = client.post(
        reverse("pilot_create"), {"title_en": "Theirs", "host_agency": elsewhere.pk}
    )
    assert response.status_code == 400
    assert "Host agency: Select a valid choice" in response.content.decode()
    assert not Pilot.objects.filter(host_agency=elsewhere).exists()


# Managing a pilot -------------------------------------------------------------------------


def test_manager_changes_every_part_and_the_public_page_shows_it(client, host):
    editor, pilot = host
    client.force_login(editor)
    url = manage_url(pilot)
    dataset = DatasetFactory(title_en="Cycle counts")

    def post(data):
        response = client.post(url, data)
        assert response.status_code == 302, response.content.decode()
        return response

    post(
        details(
            pilot, title_en="Shaded bus stops", site="Xinyi", budget="250000", datasets=[dataset.pk]
        )
    )
    post({"action": "status", "status-status": Pilot.Status.SCALED_UP})
    milestone = pilot.milestones.get()
    post(
        {
            "action": "milestone_edit",
            "pk": milestone.pk,
            f"milestone-{milestone.pk}-title_en": "Twelve stops equipped",
            f"milestone-{milestone.pk}-done_on": "2026-04-10",
            f"milestone-{milestone.pk}-evidence_url": "https://example.org/report",
        }
    )
    post(
        {
            "action": "milestone_add",
            "milestone-title_en": "Summer review",
            "milestone-due_on": "2026-09-01",
        }
    )
    measure = pilot.measures.get()
    post(
        {
            "action": "measure_edit",
            "pk": measure.pk,
            f"measure-{measure.pk}-name_en": "Wait at the stop",
            f"measure-{measure.pk}-unit_en": "min",
            f"measure-{measure.pk}-baseline": "9",
            f"measure-{measure.pk}-target": "5",
            f"measure-{measure.pk}-actual": "6.5",
        }
    )
    post(
        {
            "action": "measure_add",
            "measure-name_en": "Riders satisfied",
            "measure-unit_en": "%",
            "measure-actual": "66",
        }
    )
    update = pilot.updates.get()
    post(
        {
            "action": "update_edit",
            "pk": update.pk,
            f"update-{update.pk}-title_en": "First month done",
            f"update-{update.pk}-body_en": "Riders **like** it.",
        }
    )
    post({"action": "update_add", "update-title_en": "Summer", "update-body_en": "- hot\n- shaded"})
    assert "Update published." in client.get(url).content.decode()

    client.logout()
    html = client.get(pilot.get_absolute_url()).content.decode()
    for text in [
        "Shaded bus stops",
        "Xinyi",
        "250000 TWD",
        "Cycle counts",
        "Scaled up",
        "Twelve stops equipped",
        "https://example.org/report",
        "Summer review",
        "Wait at the stop (min)",
        "6.50",
        "Riders satisfied",
        "Riders <strong>like</strong> it.",
        "<li>shaded</li>",
    ]:
        assert text in html, text
    assert "Ten stops equipped" not in html and "Waiting time" not in html

    client.force_login(editor)
    for kind, row in [("milestone", milestone), ("measure", measure), ("update", update)]:
        post({"action": f"{kind}_delete", "pk": row.pk})
    client.logout()
    html = client.get(pilot.get_absolute_url()).content.decode()
    assert "Twelve stops equipped" not in html and "Wait at the stop" not in html
    assert "First month done" not in html
    assert "Summer review" in html and "Riders satisfied" in html and "Summer" in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {
                "action": "milestone_add",
                "milestone-title_en": "X",
                "milestone-evidence_url": "not a url",
            },
            "Evidence link: Enter a valid URL.",
        ),
        (
            {"action": "milestone_add", "milestone-title_en": "X", "milestone-due_on": "soon"},
            "Due: Enter a valid date.",
        ),
        (
            {"action": "measure_add", "measure-name_en": "X", "measure-target": "five"},
            "Target: Enter a number.",
        ),
        (
            {"action": "measure_add", "measure-unit_en": "min"},
            "Measure (English): Name the measure in at least one language.",
        ),
        (
            {
                "action": "update_add",
                "update-title_en": "X",
                "update-body_en": "<script>alert(1)</script>",
            },
            "Scripts and embedded frames are not allowed",
        ),
        ({"action": "status", "status-status": "flying"}, "Status: Select a valid choice."),
    ],
)
def test_bad_rows_are_named_and_nothing_changes(client, host, data, message):
    editor, pilot = host
    before = snapshot(pilot)
    client.force_login(editor)
    response = client.post(manage_url(pilot), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert snapshot(pilot) == before


def test_a_rejected_description_keeps_the_saved_one(client, host):
    editor, pilot = host
    before = snapshot(pilot)
    client.force_login(editor)
    dataset = DatasetFactory()
    response = client.post(
        manage_url(pilot),
        details(pilot, title_en="Renamed", ends_on="2026-01-01", datasets=[dataset.pk]),
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "End date: The pilot must end after it starts." in html
    assert 'value="Renamed"' in html  # what was typed is kept for correcting
    assert '<p class="lead">Smart bus stops</p>' in html  # the saved title still heads the page
    assert snapshot(pilot) == before


def test_renaming_a_measure_to_another_ones_name_is_refused(client, host):
    editor, pilot = host
    other = pilots.measure_set(pilot=pilot, by=editor, name="Riders")
    before = snapshot(pilot)
    client.force_login(editor)
    response = client.post(
        manage_url(pilot),
        {"action": "measure_edit", "pk": other.pk, f"measure-{other.pk}-name_en": "Waiting time"},
    )
    assert response.status_code == 400
    assert "already has a measure of that name" in response.content.decode()
    assert snapshot(pilot) == before


def test_rows_of_another_pilot_cannot_be_reached(client, host):
    editor, pilot = host
    other = pilots.pilot_create(by=editor, title="Other pilot", host_agency=pilot.host_agency)
    stranger_row = pilots.milestone_add(pilot=other, by=editor, title="Not yours")
    client.force_login(editor)
    response = client.post(manage_url(pilot), {"action": "milestone_delete", "pk": stranger_row.pk})
    assert response.status_code == 404
    assert Milestone.objects.filter(pk=stranger_row.pk).exists()


# Who may manage ----------------------------------------------------------------------------

CHANGES = [
    {"action": "status", "status-status": Pilot.Status.STOPPED},
    {"action": "milestone_add", "milestone-title_en": "Sneaky"},
    {"action": "measure_add", "measure-name_en": "Sneaky"},
    {"action": "update_add", "update-title_en": "Sneaky", "update-body_en": "Sneaky"},
]


def test_anonymous_visitors_are_sent_to_sign_in_and_change_nothing(client, host):
    _editor, pilot = host
    before = snapshot(pilot)
    url = manage_url(pilot)
    for data in [None, details(pilot, title_en="Sneaky"), *CHANGES]:
        response = client.post(url, data) if data else client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert snapshot(pilot) == before
    assert url not in client.get(pilot.get_absolute_url()).content.decode()


@pytest.mark.parametrize("who", ["other_org_admin", "host_member", "team_member"])
def test_others_are_refused_change_nothing_and_are_logged(client, host, winner, caplog, who):
    _editor, pilot = host
    pilot.challenge, pilot.submission = winner.challenge, winner.entries[0]
    pilot.save()
    user = {
        "other_org_admin": lambda: MembershipFactory(role=Membership.Role.ADMIN).user,
        "host_member": lambda: (
            MembershipFactory(organization=pilot.host_agency, role=Membership.Role.MEMBER).user
        ),
        "team_member": lambda: winner.members[0],
    }[who]()
    rows = [pilot.milestones.get(), pilot.measures.get(), pilot.updates.get()]
    before = snapshot(pilot)
    client.force_login(user)
    caplog.set_level(logging.WARNING, logger="portal.security")
    url = manage_url(pilot)
    assert client.get(url).status_code == 403
    for data in [details(pilot, title_en="Sneaky"), *CHANGES] + [
        {"action": f"{kind}_delete", "pk": row.pk}
        for kind, row in zip(["milestone", "measure", "update"], rows, strict=True)
    ]:
        assert client.post(url, data).status_code == 403
    assert snapshot(pilot) == before
    assert any("pilot_manage" in r.getMessage() for r in caplog.records)
    assert url not in client.get(pilot.get_absolute_url()).content.decode()


def test_host_agency_and_challenge_organizers_both_manage(client, host, winner):
    editor, pilot = host
    pilot.challenge = winner.challenge
    pilot.save()
    for user in (editor, winner.organizer):
        client.force_login(user)
        assert manage_url(pilot) in client.get(pilot.get_absolute_url()).content.decode()
        assert client.get(manage_url(pilot)).status_code == 200
        response = client.post(
            manage_url(pilot), {"action": "measure_add", "measure-name_en": user.username}
        )
        assert response.status_code == 302
    assert set(pilot.measures.values_list("name", flat=True)) == {
        "Waiting time",
        editor.username,
        winner.organizer.username,
    }


def test_a_pilot_not_shown_in_public_is_seen_by_its_managers_only(client, host):
    editor, pilot = host
    client.force_login(editor)
    client.post(manage_url(pilot), details(pilot, public=""))
    pilot.refresh_from_db()
    assert pilot.public is False
    page = client.get(pilot.get_absolute_url())
    assert page.status_code == 200 and "Not shown in public" in page.content.decode()
    assert manage_url(pilot) in client.get(reverse("pilot_list")).content.decode()

    before = snapshot(pilot)
    outsider = MembershipFactory(role=Membership.Role.ADMIN).user
    for user in (None, outsider):
        client.logout()
        if user:
            client.force_login(user)
        assert client.get(pilot.get_absolute_url()).status_code == 404
        assert "Smart bus stops" not in client.get(reverse("pilot_list")).content.decode()
    assert client.get(manage_url(pilot)).status_code == 404
    assert client.post(manage_url(pilot), CHANGES[0]).status_code == 404
    assert snapshot(pilot) == before


# Services ----------------------------------------------------------------------------------


def test_row_services_refuse_strangers(host):
    _editor, pilot = host
    stranger = UserFactory()
    before = snapshot(pilot)
    milestone, measure, update = pilot.milestones.get(), pilot.measures.get(), pilot.updates.get()
    for call in [
        lambda: pilots.pilot_update(pilot=pilot, by=stranger, title="Mine"),
        lambda: pilots.milestone_update(milestone=milestone, by=stranger, title="Mine"),
        lambda: pilots.milestone_delete(milestone=milestone, by=stranger),
        lambda: pilots.measure_update(measure=measure, by=stranger, name="Mine"),
        lambda: pilots.measure_delete(measure=measure, by=stranger),
        lambda: pilots.pilot_update_edit(update=update, by=stranger, title="Mine", body="Mine"),
        lambda: pilots.pilot_update_delete(update=update, by=stranger),
    ]:
        with pytest.raises(PermissionDenied):
            call()
    assert snapshot(pilot) == before


def test_a_host_editor_cannot_hand_the_pilot_to_another_agency(host):
    editor, pilot = host
    with pytest.raises(PermissionDenied):
        pilots.pilot_update(pilot=pilot, by=editor, host_agency=OrganizationFactory())
    pilot.refresh_from_db()
    assert pilot.host_agency == editor.memberships.get().organization


def test_pilot_update_checks_dates_and_leaves_the_pilot_as_it_was(host):
    editor, pilot = host
    with pytest.raises(ValidationError, match="end after it starts"):
        pilots.pilot_update(pilot=pilot, by=editor, ends_on=datetime.date(2026, 1, 1))
    assert pilot.ends_on == datetime.date(2026, 9, 30)
    changed = pilots.pilot_update(pilot=pilot, by=editor, budget=Decimal("1000"))
    assert Pilot.objects.get(pk=pilot.pk).budget == changed.budget == 1000
