"""Organizers edit a rubric's criterion in place: its name, description and guidance in
both languages at any time (judges go on scoring the same criterion), its weight only until
the first score. Every change is kept in the criterion's history with who made it."""

import logging
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from challenges.judging.models import Assignment, Criterion, Rubric, Score
from challenges.judging.services import panel
from challenges.judging.services.scoring import scores_save
from portal.models import Membership
from tests.challenges.judging_setup import judged_round, score
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def url_in(language: str, name: str, *args) -> str:
    with translation.override(language):
        return reverse(name, args=args)


def edit_post(criterion: Criterion, **fields) -> dict:
    """The edit form as the page fills it, with `fields` typed over it."""
    prefix = f"criterion-{criterion.pk}"
    data = {"action": "criterion_edit", "pk": str(criterion.pk)}
    for name in ("name", "description", "guidance"):
        for lang in ("zh_hant", "en"):
            data[f"{prefix}-{name}_{lang}"] = getattr(criterion, f"{name}_{lang}") or ""
    data[f"{prefix}-weight"] = str(criterion.weight.normalize())
    data.update({f"{prefix}-{name}": value for name, value in fields.items()})
    return data


@pytest.fixture
def scored():
    """A round whose judging has started: one judge scored one entry."""
    setup = judged_round(entries=2, judges=1)
    score(setup, setup.judges[0], setup.entries[0], 4, 3)
    return setup


def test_after_scoring_starts_an_english_only_criterion_gets_its_chinese_name(client, scored):
    setup = scored
    # As migration 0004 left it: the English name copied into the Chinese field.
    impact = setup.criteria[0]
    Criterion.objects.filter(pk=impact.pk).update(name_zh_hant="Impact", name_en=None)
    impact.refresh_from_db()
    client.force_login(setup.organizer)

    response = client.post(
        url_in("en", "judging_manage", setup.challenge.slug, 1),
        edit_post(
            impact,
            name_zh_hant="影響力",
            name_en="Impact",
            description_zh_hant="能幫到多少市民？",
            description_en="How many residents does it help?",
        ),
    )

    assert response.status_code == 302
    impact.refresh_from_db()
    assert (impact.name_zh_hant, impact.name_en) == ("影響力", "Impact")
    assert impact.weight == 2  # unchanged
    # The same criterion: the judge's score stays on it and the judge reads the new words.
    assert Score.objects.filter(criterion=impact).count() == 1
    entry = setup.entries[0]
    client.force_login(setup.judges[0].user)
    chinese = client.get(url_in("zh-hant", "judge_score", setup.challenge.slug, entry.pk))
    english = client.get(url_in("en", "judge_score", setup.challenge.slug, entry.pk))
    assert "影響力" in chinese.content.decode() and "能幫到多少市民？" in chinese.content.decode()
    assert "How many residents does it help?" in english.content.decode()
    assert 'value="4"' in english.content.decode()  # the score given before the edit


def test_weight_changes_until_the_first_score():
    setup = judged_round(entries=1, judges=1)
    impact = setup.criteria[0]

    panel.criterion_update(criterion=impact, by=setup.organizer, weight="3.5")

    impact.refresh_from_db()
    assert impact.weight == Decimal("3.5")


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Scoring has started: the weight can no longer be changed."),
        ("zh-hant", "權重"),  # the field's label, in the summary of what to correct
    ],
)
def test_weight_is_refused_once_scoring_started_naming_the_field(client, scored, language, message):
    setup = scored
    impact = setup.criteria[0]
    client.force_login(setup.organizer)

    response = client.post(
        url_in(language, "judging_manage", setup.challenge.slug, 1),
        edit_post(impact, weight="5", name_en="Impact on residents"),
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert f'id="id_criterion-{impact.pk}-weight_error"' in page  # under the weight input
    assert 'value="Impact on residents"' in page  # what was typed is kept
    impact.refresh_from_db()
    assert (impact.weight, impact.name_en) == (2, "Impact")  # nothing saved


def test_the_same_weight_written_another_way_is_no_change(client, scored):
    setup = scored
    feasibility = setup.criteria[1]
    client.force_login(setup.organizer)

    response = client.post(
        url_in("en", "judging_manage", setup.challenge.slug, 1),
        edit_post(feasibility, weight="1.00", guidance_en="1: years away · 5: ready now"),
    )

    assert response.status_code == 302
    feasibility.refresh_from_db()
    assert feasibility.guidance_en == "1: years away · 5: ready now"


def test_edited_weight_field_is_shown_read_only_once_scoring_started(client, scored):
    setup = scored
    client.force_login(setup.organizer)

    page = client.get(url_in("en", "judging_manage", setup.challenge.slug, 1)).content.decode()

    weight = f'id="id_criterion-{setup.criteria[0].pk}-weight"'
    tag = page[page.rindex("<input", 0, page.index(weight)) : page.index(">", page.index(weight))]
    assert "readonly" in tag


def test_scale_is_refused_once_scoring_started(scored):
    with pytest.raises(ValidationError, match="scale can no longer be changed"):
        panel.rubric_save(round=scored.round, by=scored.organizer, scale_max=10)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"name_zh_hant": "", "name_en": ""},
            "Give the criterion a name in at least one language.",
        ),
        ({"name_en": "Feasibility"}, "This rubric already has a criterion with that name."),
        ({"weight": "-1"}, "The weight must be a number above zero."),
    ],
)
def test_bad_edits_are_refused_with_the_reason(client, fields, message):
    setup = judged_round(entries=1, judges=0)
    impact = setup.criteria[0]
    client.force_login(setup.organizer)

    response = client.post(
        url_in("en", "judging_manage", setup.challenge.slug, 1), edit_post(impact, **fields)
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    impact.refresh_from_db()
    assert (impact.name_en, impact.weight) == ("Impact", 2)


def test_each_edit_is_kept_in_the_history_with_who_made_it(scored):
    setup = scored
    impact = setup.criteria[0]

    panel.criterion_update(
        criterion=impact, by=setup.organizer, name_zh_hant="影響力", description_en="Reach"
    )

    latest, before = impact.history.all()[:2]
    assert latest.history_type == "~" and latest.history_user == setup.organizer
    assert (latest.name_zh_hant, latest.name_en, latest.description_en) == (
        "影響力",
        "Impact",
        "Reach",
    )
    assert before.history_type == "+" and before.name_zh_hant is None


@pytest.mark.parametrize("who", ["anonymous", "other_org_editor", "team_member", "judge"])
def test_only_organizers_edit_criteria(client, caplog, scored, who):
    setup = scored
    impact = setup.criteria[0]
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
        edit_post(impact, name_en="Sneaky"),
    )

    if user is None:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == 403
        assert any("judging_manage" in r.getMessage() for r in caplog.records)
        with pytest.raises(PermissionDenied):
            panel.criterion_update(criterion=impact, by=user, name_en="Sneaky")
    impact.refresh_from_db()
    assert impact.name_en == "Impact"
    assert impact.history.filter(history_type="~").count() == 0


def test_a_criterion_of_another_round_cannot_be_edited_from_this_one(client, scored):
    other = judged_round(entries=1, judges=0)
    client.force_login(scored.organizer)
    foreign = other.criteria[0]

    response = client.post(
        url_in("en", "judging_manage", scored.challenge.slug, 1),
        edit_post(foreign, name_en="Hijacked"),
    )

    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.name_en == "Impact"


def test_a_draft_without_any_score_leaves_the_weights_open():
    setup = judged_round(entries=1, judges=1)
    judge = setup.judges[0]
    assignment = Assignment.objects.get(judge=judge)

    # The judge opens the entry and saves only a note to self.
    scores_save(assignment=assignment, by=judge.user, values={}, comment="Read the demo first")

    assert Rubric.objects.get(pk=setup.rubric.pk).frozen_at is None
    panel.criterion_update(criterion=setup.criteria[0], by=setup.organizer, weight=3)
    assert Criterion.objects.get(pk=setup.criteria[0].pk).weight == 3
