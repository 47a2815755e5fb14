"""Criteria and pilots are written in both languages: the forms have an input per language,
pages show the reader's language (the other when it has none), the pilots API gives both,
and scores.csv says each status in words in the downloader's language."""

import csv
import io
import logging

import pytest
from django.urls import reverse
from django.utils import translation

from challenges.judging.models import Criterion, Measure, Milestone, Pilot, PilotUpdate
from challenges.judging.services import pilots
from challenges.models import Challenge
from portal.models import Membership
from tests.challenges.judging_setup import judged_round, published_winner, score
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def url_in(language: str, name: str, *args) -> str:
    with translation.override(language):
        return reverse(name, args=args)


def criterion_post(**fields) -> dict:
    data = {
        "action": "criterion_add",
        "criterion-name_zh_hant": "",
        "criterion-name_en": "",
        "criterion-weight": "1",
        "criterion-description_zh_hant": "",
        "criterion-description_en": "",
        "criterion-guidance_zh_hant": "",
        "criterion-guidance_en": "",
    }
    data.update({f"criterion-{name}": value for name, value in fields.items()})
    return data


@pytest.fixture
def rubric_round():
    """A closed round with a rubric (Impact, Feasibility) and no judges: criteria can change."""
    return judged_round(entries=1, judges=0)


# Criteria ----------------------------------------------------------------------------------


def test_criterion_is_added_in_both_languages_and_each_page_reads_its_own(client, rubric_round):
    setup = rubric_round
    client.force_login(setup.organizer)
    page = url_in("en", "judging_manage", setup.challenge.slug, 1)
    form = client.get(page).content.decode()
    for label in ("Criterion (Traditional Chinese)", "Criterion (English)"):
        assert label in form

    response = client.post(
        page,
        criterion_post(
            name_zh_hant="創意",
            name_en="Originality",
            weight="1.5",
            description_zh_hant="點子有多新穎？",
            description_en="How new is the idea?",
            guidance_en="1: seen before · 5: never seen",
        ),
    )

    assert response.status_code == 302
    criterion = Criterion.objects.get(name_en="Originality")
    assert (criterion.name_zh_hant, criterion.description_zh_hant) == ("創意", "點子有多新穎？")
    assert criterion.guidance_zh_hant is None  # falls back to the English guidance
    english = client.get(page).content.decode()
    chinese = client.get(url_in("zh-hant", "judging_manage", setup.challenge.slug, 1))
    # The list names it in the page's language (the edit form below holds both).
    shown = f'<span id="criterion-{criterion.pk}-name">'
    assert f"{shown}Originality</span>" in english and "How new is the idea?" in english
    assert f"{shown}創意</span>" in chinese.content.decode()
    assert "點子有多新穎？" in chinese.content.decode()


def test_criterion_named_in_one_language_shows_it_on_the_other_languages_page(client, rubric_round):
    setup = rubric_round
    client.force_login(setup.organizer)
    client.post(
        url_in("en", "judging_manage", setup.challenge.slug, 1), criterion_post(name_en="Reach")
    )

    criterion = Criterion.objects.get(name_en="Reach")
    assert criterion.name_zh_hant is None
    chinese = client.get(url_in("zh-hant", "judging_manage", setup.challenge.slug, 1))
    assert "Reach" in chinese.content.decode()
    with translation.override("zh-hant"):
        assert Criterion.objects.get(pk=criterion.pk).name == "Reach"


def test_criterion_without_a_name_is_refused_under_the_readers_language(client, rubric_round):
    setup = rubric_round
    client.force_login(setup.organizer)
    response = client.post(
        url_in("en", "judging_manage", setup.challenge.slug, 1),
        criterion_post(description_en="Kept as typed"),
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Criterion (English): Give the criterion a name in at least one language." in html
    assert "Kept as typed" in html  # what was typed is shown again
    assert Criterion.objects.filter(rubric=setup.rubric).count() == 2


def test_criterion_errors_name_the_field_in_chinese_on_the_chinese_page(client, rubric_round):
    setup = rubric_round
    client.force_login(setup.organizer)
    response = client.post(
        url_in("zh-hant", "judging_manage", setup.challenge.slug, 1),
        criterion_post(name_zh_hant="創意", weight="很多"),
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "權重" in html and "權重必須是數字。" in html
    assert Criterion.objects.filter(rubric=setup.rubric).count() == 2


def test_criterion_name_taken_in_either_language_is_refused(client, rubric_round):
    setup = rubric_round  # its criteria were named on English pages: Impact, Feasibility
    client.force_login(setup.organizer)
    response = client.post(
        url_in("en", "judging_manage", setup.challenge.slug, 1),
        criterion_post(name_zh_hant="影響力", name_en="Impact"),
    )

    assert response.status_code == 400
    assert "This rubric already has a criterion with that name." in response.content.decode()
    assert not Criterion.objects.filter(name_zh_hant="影響力").exists()


@pytest.mark.parametrize("who", ["anonymous", "other_org_editor", "team_member", "judge"])
def test_only_organizers_add_criteria(client, caplog, who):
    setup = judged_round(entries=1, judges=1)
    user = {
        "anonymous": lambda: None,
        "other_org_editor": lambda: MembershipFactory(role=Membership.Role.EDITOR).user,
        "team_member": lambda: setup.members[0],
        "judge": lambda: setup.judges[0].user,
    }[who]()
    if user is not None:
        client.force_login(user)
    caplog.set_level(logging.WARNING, logger="portal.security")

    response = client.post(
        url_in("en", "judging_manage", setup.challenge.slug, 1),
        criterion_post(name_en="Sneaky", name_zh_hant="偷偷"),
    )

    if user is None:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == 403
        assert any("judging_manage" in r.getMessage() for r in caplog.records)
    assert not Criterion.objects.filter(name_en="Sneaky").exists()


# Pilots ------------------------------------------------------------------------------------


@pytest.fixture
def host():
    agency = OrganizationFactory(name_en="Transportation", name_zh_hant="交通局")
    editor = MembershipFactory(organization=agency, role=Membership.Role.EDITOR).user
    return agency, editor


def test_pilot_is_started_in_both_languages_and_each_reader_sees_theirs(client, host):
    agency, editor = host
    client.force_login(editor)
    form = client.get(url_in("en", "pilot_create")).content.decode()
    assert "Title (Traditional Chinese)" in form and "Title (English)" in form
    assert "Left empty, English pages show the Chinese." in form

    response = client.post(
        url_in("en", "pilot_create"),
        {
            "title_zh_hant": "遮蔭公車站",
            "title_en": "Shaded bus stops",
            "summary_zh_hant": "十個站。",
            "summary_en": "Ten stops.",
            "host_agency": agency.pk,
            "currency": "TWD",
            "public": "on",
        },
    )

    pilot = Pilot.objects.get(slug="shaded-bus-stops")  # the address from the English title
    assert response.status_code == 302
    english = client.get(url_in("en", "pilot_detail", pilot.slug)).content.decode()
    chinese = client.get(url_in("zh-hant", "pilot_detail", pilot.slug)).content.decode()
    assert "Shaded bus stops" in english and "Ten stops." in english
    assert "遮蔭公車站" not in english
    assert "遮蔭公車站" in chinese and "十個站。" in chinese
    assert "Shaded bus stops" not in chinese


def test_pilot_without_a_title_in_any_language_is_refused(client, host):
    agency, editor = host
    client.force_login(editor)
    response = client.post(
        url_in("en", "pilot_create"),
        {"title_zh_hant": "", "title_en": "  ", "slug": "x", "host_agency": agency.pk},
    )

    assert response.status_code == 400
    assert (
        "Title (English): Give the pilot a title in at least one language."
        in response.content.decode()
    )
    assert not Pilot.objects.exists()


def test_manager_adds_the_other_language_and_clears_one(client, host):
    """A pilot written before pages had both languages (its text in one column) is
    edited in place: its existing text shows in its input, the other is added."""
    agency, editor = host
    pilot = Pilot.objects.create(
        slug="quiet-streets",
        title_zh_hant="安靜街道",
        summary_zh_hant="夜間減噪。",
        host_agency=agency,
    )
    client.force_login(editor)
    manage = url_in("en", "pilot_manage", pilot.slug)
    page = client.get(manage).content.decode()
    assert 'name="details-title_zh_hant"' in page and 'value="安靜街道"' in page

    response = client.post(
        manage,
        {
            "action": "details",
            "details-title_zh_hant": "安靜街道",
            "details-title_en": "Quiet streets",
            "details-summary_zh_hant": "",
            "details-summary_en": "Less noise at night.",
            "details-host_agency": agency.pk,
            "details-currency": "TWD",
            "details-public": "on",
        },
    )

    assert response.status_code == 302
    pilot.refresh_from_db()
    assert (pilot.title_en, pilot.summary_en, pilot.summary_zh_hant) == (
        "Quiet streets",
        "Less noise at night.",
        None,
    )
    chinese = client.get(url_in("zh-hant", "pilot_detail", pilot.slug)).content.decode()
    assert "安靜街道" in chinese and "Less noise at night." in chinese  # the summary falls back


# Milestones, measures, updates --------------------------------------------------------------


@pytest.fixture
def pilot(host):
    agency, editor = host
    return editor, pilots.pilot_create(
        by=editor, title_zh_hant="智慧公車站", title_en="Smart bus stops", host_agency=agency
    )


def test_rows_are_written_in_both_languages_and_read_in_the_readers(client, pilot):
    editor, pilot = pilot
    client.force_login(editor)
    manage = url_in("en", "pilot_manage", pilot.slug)
    for data in [
        {
            "action": "milestone_add",
            "milestone-title_zh_hant": "十站完工",
            "milestone-title_en": "Ten stops equipped",
            "milestone-evidence_en": "Installation report",
        },
        {
            "action": "measure_add",
            "measure-name_zh_hant": "等車時間",
            "measure-name_en": "Waiting time",
            "measure-unit_zh_hant": "分鐘",
            "measure-unit_en": "min",
            "measure-target": "5",
        },
        {
            "action": "update_add",
            "update-title_zh_hant": "第一個月",
            "update-title_en": "First month",
            "update-body_zh_hant": "乘客**喜歡**。",
            "update-body_en": "Riders **like** it.",
        },
    ]:
        assert client.post(manage, data).status_code == 302

    english = client.get(url_in("en", "pilot_detail", pilot.slug)).content.decode()
    chinese = client.get(url_in("zh-hant", "pilot_detail", pilot.slug)).content.decode()
    for text in [
        "Ten stops equipped",
        "Waiting time (min)",
        "First month",
        "<strong>like</strong>",
    ]:
        assert text in english, text
    for text in ["十站完工", "等車時間 (分鐘)", "第一個月", "<strong>喜歡</strong>"]:
        assert text in chinese, text
        assert text not in english, text
    # Evidence given in English only: Chinese readers see it rather than nothing.
    assert "Installation report" in chinese


def test_row_forms_refuse_a_row_without_its_name_and_say_which(client, pilot):
    editor, pilot = pilot
    client.force_login(editor)
    manage = url_in("en", "pilot_manage", pilot.slug)
    cases = [
        (
            {"action": "milestone_add", "milestone-evidence_en": "x"},
            "Milestone (English): Give the milestone a title in at least one language.",
        ),
        (
            {"action": "measure_add", "measure-unit_en": "min"},
            "Measure (English): Name the measure in at least one language.",
        ),
        (
            {"action": "update_add", "update-title_en": "Hello"},
            "Text (English): Write the update&#x27;s text in at least one language.",
        ),
        (
            {"action": "update_add", "update-title_en": "X", "update-body_zh_hant": "<script>"},
            "Text (Traditional Chinese): Scripts and embedded frames are not allowed",
        ),
    ]
    for data, message in cases:
        response = client.post(manage, data)
        assert response.status_code == 400
        assert message in response.content.decode()
    assert not Milestone.objects.exists()
    assert not Measure.objects.exists()
    assert not PilotUpdate.objects.exists()


def test_a_measure_is_known_by_its_name_in_either_language(client, pilot):
    editor, pilot = pilot
    client.force_login(editor)
    pilots.measure_set(
        pilot=pilot, by=editor, name_zh_hant="等車時間", name_en="Waiting time", target=5
    )
    client.post(
        url_in("zh-hant", "pilot_manage", pilot.slug),
        {"action": "measure_add", "measure-name_zh_hant": "等車時間", "measure-actual": "6"},
    )

    measure = pilot.measures.get()
    assert (measure.name_en, measure.actual) == ("Waiting time", 6)  # English name kept

    other = pilots.measure_set(pilot=pilot, by=editor, name_en="Riders")
    response = client.post(
        url_in("en", "pilot_manage", pilot.slug),
        {"action": "measure_edit", "pk": other.pk, f"measure-{other.pk}-name_en": "Waiting time"},
    )
    assert response.status_code == 400
    assert (
        "Measure (English): This pilot already has a measure of that name."
        in response.content.decode()
    )


def test_row_edit_form_shows_each_languages_text(client, pilot):
    editor, pilot = pilot
    milestone = pilots.milestone_add(
        pilot=pilot, by=editor, title_zh_hant="十站完工", title_en="Ten stops equipped"
    )
    client.force_login(editor)
    response = client.post(
        url_in("en", "pilot_manage", pilot.slug),
        {
            "action": "milestone_edit",
            "pk": milestone.pk,
            f"milestone-{milestone.pk}-title_zh_hant": "",
            f"milestone-{milestone.pk}-title_en": "Twelve stops equipped",
        },
    )

    assert response.status_code == 302
    milestone.refresh_from_db()
    assert (milestone.title_zh_hant, milestone.title_en) == (None, "Twelve stops equipped")
    chinese = client.get(url_in("zh-hant", "pilot_detail", pilot.slug)).content.decode()
    assert "Twelve stops equipped" in chinese


@pytest.mark.parametrize("who", ["anonymous", "other_org_editor", "team_member", "judge"])
def test_outsiders_cannot_write_a_pilots_rows_in_any_language(client, caplog, who):
    winner = published_winner()
    pilot = pilots.pilot_create(
        by=winner.organizer,
        title_en="Cooler stops",
        host_agency=winner.challenge.organization,
        submission=winner.entries[0],
    )
    user = {
        "anonymous": lambda: None,
        "other_org_editor": lambda: MembershipFactory(role=Membership.Role.EDITOR).user,
        "team_member": lambda: winner.members[0],
        "judge": lambda: winner.judges[0].user,
    }[who]()
    if user is not None:
        client.force_login(user)
    manage = url_in("en", "pilot_manage", pilot.slug)
    for data in [
        {"action": "milestone_add", "milestone-title_zh_hant": "偷偷"},
        {"action": "measure_add", "measure-name_en": "Sneaky"},
        {"action": "update_add", "update-title_en": "Sneaky", "update-body_zh_hant": "偷偷"},
    ]:
        response = client.post(manage, data)
        if user is None:
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        else:
            assert response.status_code == 403
    assert not (Milestone.objects.exists() or Measure.objects.exists())
    assert not PilotUpdate.objects.exists()


# API ---------------------------------------------------------------------------------------


@pytest.fixture
def api_pilot(pilot):
    editor, pilot = pilot
    pilots.milestone_add(pilot=pilot, by=editor, title_zh_hant="十站完工", title_en="Ten stops")
    pilots.measure_set(pilot=pilot, by=editor, name_en="Waiting time", unit_en="min")
    pilots.pilot_update_post(pilot=pilot, by=editor, title_zh_hant="第一個月", body_zh_hant="好。")
    return editor, pilot


def test_api_gives_each_text_in_both_languages_as_challenges_do(client, api_pilot):
    _editor, pilot = api_pilot
    url = reverse("api_pilot_detail", args=[pilot.slug])

    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hant").json()

    assert (english["title"], english["title_zh_hant"], english["title_en"]) == (
        "Smart bus stops",
        "智慧公車站",
        "Smart bus stops",
    )
    assert chinese["title"] == "智慧公車站"
    [milestone] = english["milestones"]
    assert (milestone["title"], milestone["title_zh_hant"], milestone["title_en"]) == (
        "Ten stops",
        "十站完工",
        "Ten stops",
    )
    [measure] = chinese["measures"]
    # Named in English only: the Chinese reader gets the English, the Chinese field is null.
    assert (measure["name"], measure["name_zh_hant"], measure["name_en"]) == (
        "Waiting time",
        None,
        "Waiting time",
    )
    assert measure["unit"] == "min"
    [update] = english["updates"]
    assert (update["title"], update["title_en"], update["body"]) == ("第一個月", None, "好。")


def test_api_lists_public_pilots_and_hides_the_others(
    client, api_pilot, django_assert_max_num_queries
):
    editor, pilot = api_pilot
    hidden = pilots.pilot_create(
        by=editor, title_en="Not yet", host_agency=pilot.host_agency, public=False
    )
    with django_assert_max_num_queries(4):
        listed = client.get(reverse("api_pilot_list")).json()
    assert [p["slug"] for p in listed["results"]] == [pilot.slug]
    assert listed["results"][0]["title_zh_hant"] == "智慧公車站"
    assert client.get(reverse("api_pilot_detail", args=[hidden.slug])).status_code == 404

    client.force_login(editor)
    assert client.get(reverse("api_pilot_detail", args=[hidden.slug])).status_code == 200

    response = client.get(reverse("api_pilot_list"), {"status": "flying"})
    assert response.status_code == 400 and "status" in response.json()


def test_api_names_a_pilots_challenge_only_to_those_who_may_see_it(client):
    winner = published_winner()
    pilot = pilots.pilot_create(
        by=winner.organizer,
        title_en="Cooler stops",
        host_agency=winner.challenge.organization,
        submission=winner.entries[0],
    )
    Challenge.objects.filter(pk=winner.challenge.pk).update(private=True)  # invite only now
    url = reverse("api_pilot_detail", args=[pilot.slug])
    assert client.get(url).json()["challenge"] is None
    client.force_login(winner.organizer)
    assert client.get(url).json()["challenge"] == winner.challenge.slug


# scores.csv --------------------------------------------------------------------------------


def test_scores_csv_says_statuses_in_the_downloaders_language_and_keeps_the_codes(client):
    setup = judged_round(entries=1, judges=2)
    score(setup, setup.judges[0], setup.entries[0], 4, 3, submit=True)
    score(setup, setup.judges[1], setup.entries[0], 2, 2, submit=False)
    client.force_login(setup.organizer)

    def rows(language):
        response = client.get(url_in(language, "results_export", setup.challenge.slug, 1))
        assert response.status_code == 200
        return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))

    english, chinese = rows("en"), rows("zh-hant")
    header = list(english[0])
    assert header[:10] == [
        "entry_id",
        "entry",
        "team",
        "judge",
        "status",
        "criterion",
        "weight",
        "score",
        "comment",
        "submitted_at",
    ]
    assert {(r["status"], r["status_label"]) for r in english} == {
        ("submitted", "Submitted"),
        ("draft", "Draft saved"),
    }
    assert {(r["status"], r["status_label"]) for r in chinese} == {
        ("submitted", "已送出"),
        ("draft", "已存草稿"),
    }


def test_scores_csv_is_for_organizers_only(client):
    setup = judged_round(entries=1, judges=1)
    url = url_in("en", "results_export", setup.challenge.slug, 1)
    assert "/accounts/login/" in client.get(url)["Location"]
    for user in (
        setup.judges[0].user,
        setup.members[0],
        MembershipFactory(role=Membership.Role.EDITOR).user,
        UserFactory(),
    ):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 403
        assert "text/csv" not in response["Content-Type"]
