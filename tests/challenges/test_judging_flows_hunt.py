"""What the judging flows hunt found: the scoring form lists every refused score above it
with its criterion and shows the team's Markdown as the team's page does; the tie order
reads the separators organizers type; a conflict declared after publication is refused
with a message instead of a server error."""

import re

import pytest
from django.urls import reverse

from challenges.judging.models import (
    Assignment,
    ConflictOfInterest,
    JudgeInvitation,
    Result,
    Score,
)
from challenges.judging.services import panel
from challenges.models import Submission
from tests.challenges.judging_setup import (  # noqa: F401
    english,
    judged_round,
    published_winner,
    score,
)
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_refused_scores_are_listed_above_the_form_each_with_its_criterion(client):
    setup = judged_round(entries=1, judges=1)
    judge, entry = setup.judges[0], setup.entries[0]
    impact, feasibility = setup.criteria
    client.force_login(judge.user)
    page = reverse("judge_score", args=[setup.challenge.slug, entry.pk])

    response = client.post(
        page,
        {f"criterion_{impact.pk}": "abc", f"criterion_{feasibility.pk}": "9", "action": "draft"},
    )

    assert response.status_code == 400
    html = response.content.decode()
    summary = html[html.index('id="score-errors"') :]
    summary = summary[: summary.index("</div>")]
    assert "Nothing was saved" in summary
    assert f'href="#criterion_{impact.pk}"' in summary
    assert "Impact: the score must be a number." in summary
    assert f'href="#criterion_{feasibility.pk}"' in summary
    assert "Feasibility: the score must be between 1 and 5." in summary
    assert 'value="abc"' in html  # what was typed stays in the form
    assert not Score.objects.exists()


def test_a_comma_decimal_reaches_the_server_as_typed(client):
    setup = judged_round(entries=1, judges=1)
    setup.rubric.step = "0.5"
    setup.rubric.save()
    judge, entry = setup.judges[0], setup.entries[0]
    client.force_login(judge.user)
    page = reverse("judge_score", args=[setup.challenge.slug, entry.pk])

    html = client.get(page).content.decode()
    field = html[html.index(f'id="criterion_{setup.criteria[0].pk}"') - 120 :]
    # A number box drops what it cannot read: 4,5 was sent as 45 and "abc" as nothing.
    assert 'type="text" inputmode="decimal"' in field[:200]
    impact, feasibility = setup.criteria
    client.post(
        page,
        {f"criterion_{impact.pk}": "4,5", f"criterion_{feasibility.pk}": "3", "action": "draft"},
    )
    assert Score.objects.get(criterion=impact).value == 4.5


def test_judges_read_the_teams_markdown_as_formatted_text(client):
    setup = judged_round(entries=1, judges=1)
    entry = setup.entries[0]
    Submission.objects.filter(pk=entry.pk).update(
        description="## How it works\n\nIt reads **berth schedules**."
    )
    client.force_login(setup.judges[0].user)

    html = client.get(reverse("judge_score", args=[setup.challenge.slug, entry.pk])).content
    html = html.decode()

    assert "<strong>berth schedules</strong>" in html
    assert "## How it works" not in html


def tie_order(client, setup, typed: str):
    client.force_login(setup.organizer)
    return client.post(
        reverse("results_manage", args=[setup.challenge.slug, 1]),
        {"action": "ties", "order": typed},
        follow=True,
    )


@pytest.mark.parametrize("separator", ["，", "、", " ", ", #"])
def test_tie_order_reads_the_separators_organizers_type(client, separator):
    setup = judged_round(entries=3, judges=1)
    first, second = setup.entries[2].pk, setup.entries[0].pk

    response = tie_order(client, setup, f"{first}{separator}{second}")

    assert "Tie order saved." in response.content.decode()
    assert Result.objects.get(round=setup.round).tie_order == [first, second]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("{a}, x", "Not an entry number: x."),
        ("{a}, 999999", "Not an entry of this round: 999999."),
        ("{a}, {a}", "Listed more than once: {a}."),
    ],
)
def test_a_refused_tie_order_names_the_refused_value(client, typed, message):
    setup = judged_round(entries=2, judges=1)
    a = setup.entries[0].pk

    response = tie_order(client, setup, typed.format(a=a))

    assert message.format(a=a) in response.content.decode()
    assert not Result.objects.filter(round=setup.round).exclude(tie_order=[]).exists()


def test_conflict_declared_after_publication_is_refused_with_a_message(client):
    setup = published_winner()
    judge = setup.judges[0]
    team = setup.entries[0].team
    client.force_login(judge.user)
    page = reverse("judge_conflicts", args=[setup.challenge.slug])

    response = client.post(page, {"teams": [team.pk]}, follow=True)

    assert response.status_code == 200
    assert "The results are published and can no longer change." in response.content.decode()
    # The published scores stay, and so does the assignment they belong to.
    assert Assignment.objects.filter(judge=judge, submission=setup.entries[0]).exists()
    assert not ConflictOfInterest.objects.filter(judge=judge, team=team).exists()
    panel.conflict_declare(judge=judge, by=judge.user)  # declaring nobody still works


def invitation_page(client, setup, *, status, accepted_by=None):
    invitation = panel.judge_invite(
        challenge=setup.challenge, email="new@example.org", by=setup.organizer
    )
    if accepted_by is not None:
        panel.judge_invitation_accept(invitation=invitation, user=accepted_by)
    JudgeInvitation.objects.filter(pk=invitation.pk).update(status=status)
    return reverse("judge_invitation_accept", args=[invitation.token])


def test_a_cancelled_invitation_says_so_instead_of_offering_to_accept(client):
    setup = judged_round(entries=1, judges=0)
    client.force_login(UserFactory())

    html = client.get(invitation_page(client, setup, status="cancelled")).content.decode()

    assert "This invitation was cancelled." in html
    assert "Accept and join the panel" not in html


def test_a_used_invitation_says_so_to_others_and_leads_its_judge_to_the_queue(client):
    setup = judged_round(entries=1, judges=0)
    judge = UserFactory()
    page = invitation_page(client, setup, status="accepted", accepted_by=judge)

    client.force_login(UserFactory())
    html = client.get(page).content.decode()
    assert "This invitation has already been used." in html
    assert "Accept and join the panel" not in html

    client.force_login(judge)
    html = client.get(page).content.decode()
    assert reverse("judge_queue", args=[setup.challenge.slug]) in html
    assert "Accept and join the panel" not in html


def test_each_judges_leniency_is_shown_with_its_sign_as_the_note_explains(client):
    setup = judged_round(entries=2, judges=2, per_entry=None)
    lenient, harsh = setup.judges
    for entry, base in zip(setup.entries, (4, 2), strict=True):
        score(setup, lenient, entry, base + 1, base + 1)
        score(setup, harsh, entry, base, base)
    client.force_login(setup.organizer)

    page = client.get(reverse("results_manage", args=[setup.challenge.slug, 1])).content.decode()

    section = page[page.index("How each judge") :]
    cells = re.findall(r"<td>([^<]*)</td><td>[^<]*</td><td>\d+</td>", section)
    assert len(cells) == 2
    assert {cell[0] for cell in cells} == {"+", "\u2212"}, cells
