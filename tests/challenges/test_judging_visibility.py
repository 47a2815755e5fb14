"""Who sees and changes what: anonymous, other organization, member, judge, team, organizer.

Refusals are 403 (or a sign-in redirect), change nothing and reach the audit log."""

import logging

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation

from challenges.judging.models import Assignment, Award, Judge, Score
from challenges.judging.selectors import scores_for_entry
from challenges.judging.services import panel, results
from portal.models import Membership
from tests.challenges.judging_setup import english, judged_round, score  # noqa: F401 (fixture)
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def organizer_pages(setup):
    slug = setup.challenge.slug
    return [
        reverse("judging_manage", args=[slug, 1]),
        reverse("results_manage", args=[slug, 1]),
        reverse("results_export", args=[slug, 1]),
    ]


def test_anonymous_is_sent_to_sign_in(client):
    setup = judged_round()
    for url in [*organizer_pages(setup), reverse("judge_queue", args=[setup.challenge.slug])]:
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", ["other_org_admin", "member", "judge"])
def test_non_organizers_cannot_open_or_change_the_panel(client, caplog, who):
    setup = judged_round()
    if who == "other_org_admin":
        user = MembershipFactory(role=Membership.Role.ADMIN).user
    elif who == "member":
        user = MembershipFactory(
            organization=setup.challenge.organization, role=Membership.Role.MEMBER
        ).user
    else:
        user = setup.judges[0].user
    client.force_login(user)
    for url in organizer_pages(setup):
        assert client.get(url).status_code in (403, 404)
    caplog.set_level(logging.WARNING, logger="portal.security")
    response = client.post(
        reverse("results_manage", args=[setup.challenge.slug, 1]),
        {"action": "award", "submission": setup.entries[0].pk, "kind": "winner"},
    )
    assert response.status_code in (403, 404)
    assert not Award.objects.exists()
    if response.status_code == 403:
        assert any("judging refused" in r.getMessage() for r in caplog.records)


def test_organizer_sees_the_panel_and_standings(client):
    setup = judged_round()
    score(setup, setup.judges[0], setup.entries[0], 4, 4)
    client.force_login(setup.organizer)
    manage = client.get(reverse("judging_manage", args=[setup.challenge.slug, 1]))
    assert manage.status_code == 200
    assert "1 of 4 scored" in manage.content.decode()
    standings = client.get(reverse("results_manage", args=[setup.challenge.slug, 1]))
    assert standings.status_code == 200
    assert "Team 0 entry" in standings.content.decode()


def test_judge_queue_shows_progress_and_requires_the_declaration_first(client):
    setup = judged_round(declare=False)
    judge = setup.judges[0]
    client.force_login(judge.user)
    queue_url = reverse("judge_queue", args=[setup.challenge.slug])
    response = client.get(queue_url)
    assert response.status_code == 302
    assert response["Location"].endswith(reverse("judge_conflicts", args=[setup.challenge.slug]))
    client.post(reverse("judge_conflicts", args=[setup.challenge.slug]), {"teams": []})
    page = client.get(queue_url).content.decode()
    assert "0 of 4 scored" in page


def test_judge_cannot_open_an_unassigned_or_conflicted_entry(client, caplog):
    setup = judged_round(entries=4, judges=3, per_entry=2)
    judge = setup.judges[0]
    unassigned = next(
        e
        for e in setup.entries
        if not Assignment.objects.filter(judge=judge, submission=e).exists()
    )
    client.force_login(judge.user)
    caplog.set_level(logging.WARNING, logger="portal.security")
    url = reverse("judge_score", args=[setup.challenge.slug, unassigned.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"action": "submit"}).status_code == 403
    assert "score_unassigned" in caplog.text

    assigned = Assignment.objects.filter(judge=judge).first().submission
    client.post(
        reverse("judge_conflicts", args=[setup.challenge.slug]), {"teams": [assigned.team_id]}
    )
    assert (
        client.get(reverse("judge_score", args=[setup.challenge.slug, assigned.pk])).status_code
        == 403
    )


def test_judge_sees_other_scores_only_after_submitting_their_own(client):
    setup = judged_round()
    first, second = setup.judges[0], setup.judges[1]
    entry = setup.entries[0]
    score(setup, first, entry, 5, 5)
    Score.objects.filter(assignment__judge=first).update(comment="Brilliant idea")
    # second judge has not submitted: refused by the selector, nothing on the page
    with pytest.raises(PermissionDenied):
        scores_for_entry(user=second.user, submission=entry)
    client.force_login(second.user)
    url = reverse("judge_score", args=[setup.challenge.slug, entry.pk])
    page = client.get(url).content.decode()
    assert "Other judges" not in page and str(first.user) not in page
    # a draft is not enough
    score(setup, second, entry, 2, 2, submit=False)
    with pytest.raises(PermissionDenied):
        scores_for_entry(user=second.user, submission=entry)
    score(setup, second, entry, 2, 2)
    page = client.get(url).content.decode()
    assert "Other judges" in page and str(first.user) in page


def test_scoring_form_refuses_bad_input_with_400_naming_the_criterion(client):
    setup = judged_round()
    judge, entry = setup.judges[0], setup.entries[0]
    impact, feasibility = setup.criteria
    client.force_login(judge.user)
    response = client.post(
        reverse("judge_score", args=[setup.challenge.slug, entry.pk]),
        {f"criterion_{impact.pk}": "7", f"criterion_{feasibility.pk}": "", "action": "submit"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Impact: the score must be between 1 and 5." in page
    assert "Feasibility: a score is needed to submit." in page
    assert not Score.objects.exists()


def test_blind_mode_hides_the_team(client):
    setup = judged_round(blind=True)
    client.force_login(setup.judges[0].user)
    page = client.get(
        reverse("judge_score", args=[setup.challenge.slug, setup.entries[0].pk])
    ).content.decode()
    assert "Team 0 entry" in page
    assert "By Team 0" not in page
    assert "code.example.org" not in page


def test_team_sees_its_own_scores_without_judge_identities_once_published(client):
    setup = judged_round()
    for judge in setup.judges:
        for entry in setup.entries:
            score(setup, judge, entry, 3, 4)
    member = setup.members[0]
    team = setup.entries[0].team
    url = reverse("team_scores", args=[setup.challenge.slug, team.slug])
    client.force_login(member)
    assert "once the results are published" in client.get(url).content.decode()

    results.award_set(
        round=setup.round, submission=setup.entries[0], by=setup.organizer, feedback="Well done"
    )
    panel.judging_lock(rubric=setup.rubric, by=setup.organizer)
    results.result_publish(round=setup.round, by=setup.organizer)
    page = client.get(url).content.decode()
    assert "Judge 1" in page and "Well done" in page
    for judge in Judge.objects.all():
        assert judge.user.username not in page

    other_team = setup.entries[1].team
    other_url = reverse("team_scores", args=[setup.challenge.slug, other_team.slug])
    assert client.get(other_url).status_code == 403
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403


def test_scoring_errors_come_in_the_users_language(client):
    setup = judged_round()
    impact, feasibility = setup.criteria
    client.force_login(setup.judges[0].user)
    with translation.override("zh-hant"):
        url = reverse("judge_score", args=[setup.challenge.slug, setup.entries[0].pk])
    response = client.post(
        url,
        {f"criterion_{impact.pk}": "abc", f"criterion_{feasibility.pk}": "3", "action": "draft"},
    )
    assert response.status_code == 400
    assert "Impact：分數必須是數字。" in response.content.decode()


def test_queue_and_panel_queries_do_not_grow_with_entries(client, django_assert_max_num_queries):
    setup = judged_round(entries=12, judges=3)
    client.force_login(setup.judges[0].user)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("judge_queue", args=[setup.challenge.slug]))
    assert "0 of 12 scored" in page.content.decode()
    client.force_login(setup.organizer)
    with django_assert_max_num_queries(25):
        assert (
            client.get(reverse("results_manage", args=[setup.challenge.slug, 1])).status_code == 200
        )


def test_organizer_adjusts_assignments_by_hand_but_never_to_a_conflicted_judge(client):
    setup = judged_round(entries=3, judges=3, per_entry=1)
    judge, entry = setup.judges[0], setup.entries[0]
    Assignment.objects.filter(submission=entry).delete()
    panel.conflict_declare(judge=judge, by=setup.organizer, teams=[entry.team])
    client.force_login(setup.organizer)
    url = reverse("judging_manage", args=[setup.challenge.slug, 1])
    page = client.post(
        url, {"action": "assignment_add", "judge": judge.pk, "submission": entry.pk}, follow=True
    )
    assert "This judge declared a conflict with that team." in page.content.decode()
    assert not Assignment.objects.filter(judge=judge, submission=entry).exists()
    other = setup.judges[1]
    client.post(url, {"action": "assignment_add", "judge": other.pk, "submission": entry.pk})
    assert Assignment.objects.filter(judge=other, submission=entry).exists()


def test_invited_judge_accepts_by_link_and_joins_the_panel(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    setup = judged_round(judges=0)
    with django_capture_on_commit_callbacks(execute=True):
        panel.judge_invite(
            challenge=setup.challenge, email="Expert@Example.org", by=setup.organizer
        )
    (mail,) = mailoutbox
    assert mail.to == ["expert@example.org"]
    assert mail.subject.startswith("You are invited to judge")  # the inviter's language
    link = next(word for word in mail.body.split() if "/judging/invitations/" in word)
    expert = UserFactory(email="expert@example.org")
    client.force_login(expert)
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.post("/" + path)
    assert response.status_code == 302
    assert Judge.objects.filter(challenge=setup.challenge, user=expert).exists()


def test_a_conflict_with_a_company_covers_all_its_teams(client):
    from challenges.models import Team
    from tests.factories import OrganizationFactory

    setup = judged_round(entries=4, judges=3, declare=False)
    startup = OrganizationFactory(kind="company")
    Team.objects.filter(pk__in=[setup.entries[0].team_id, setup.entries[1].team_id]).update(
        company=startup
    )
    judge = setup.judges[0]
    client.force_login(judge.user)
    client.post(
        reverse("judge_conflicts", args=[setup.challenge.slug]), {"companies": [startup.pk]}
    )
    assigned = set(Assignment.objects.filter(judge=judge).values_list("submission_id", flat=True))
    assert assigned == {setup.entries[2].pk, setup.entries[3].pk}


def test_a_judge_with_an_account_is_invited_in_their_language(
    mailoutbox, django_capture_on_commit_callbacks
):
    setup = judged_round(judges=0)
    UserFactory(email="expert@example.org", language="zh-hant")
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        panel.judge_invite(
            challenge=setup.challenge, email="expert@example.org", by=setup.organizer
        )
    (mail,) = mailoutbox
    assert mail.subject.startswith("邀請您擔任")
