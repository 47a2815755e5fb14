"""Demo challenges in several cities and stages, with teams, entries and Q&A. Demo only.

Dates are set relative to today on every run, so the open challenge stays open. Past
rounds and decisions are written straight to the models: the services rightly refuse
to submit after a deadline, and the demo needs history that already happened.
"""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from challenges.judging import demo as judging_demo
from challenges.models import (
    Announcement,
    Answer,
    Challenge,
    Question,
    Round,
    Submission,
    SubmissionVersion,
    Team,
    TeamMembership,
)
from portal.demo import DEMO_PASSWORD
from portal.models import Organization

DAY = timedelta(days=1)

# slug, organizer, status, (zh title, en title), (zh problem, en problem), prize, pilot,
# rounds as (zh, en, opens in days from today, closes in days from today)
CHALLENGES = [
    (
        "bus-arrival-accuracy",
        "taipei-dit",
        Challenge.Status.OPEN,
        ("更準確的公車到站時間", "More accurate bus arrival times"),
        (
            "尖峰時段公車到站預估常差五分鐘以上，乘客因此錯過轉乘。我們希望利用公車動態資料改善預估。",
            "At rush hour, predicted bus arrivals are often more than five minutes off and "
            "riders miss their transfers. Use the real-time bus data to predict better.",
        ),
        300000,
        True,
        [("構想", "Ideas", -10, 30), ("原型", "Prototypes", 40, 80)],
    ),
    (
        "harbour-air-quality",
        "kaohsiung-ep",
        Challenge.Status.JUDGING,
        ("港區空氣品質預警", "Early warning for harbour air quality"),
        (
            "港區船舶與貨車排放使附近社區空氣品質惡化，居民希望提早收到警示。",
            "Ship and truck emissions around the harbour worsen the air in nearby "
            "neighbourhoods; residents want warnings in advance.",
        ),
        200000,
        False,
        [("提案", "Proposals", -60, -20)],
    ),
    (
        "school-streets",
        "gent-mobility",
        Challenge.Status.RESULTS,
        ("安全上學街道", "Safe school streets"),
        (
            "上下學時段校門口車流混亂，孩童步行與騎車的安全堪憂。",
            "Traffic at school gates at drop-off time makes walking and cycling to school "
            "unsafe for children.",
        ),
        None,
        True,
        [("構想", "Ideas", -120, -90), ("原型", "Prototypes", -80, -40)],
    ),
    (
        "recycling-sorting",
        "taipei-dep",
        Challenge.Status.PUBLISHED,
        ("資源回收分類小幫手", "Help residents sort their recycling"),
        (
            "許多居民不確定物品該如何分類，造成回收率下降。",
            "Many residents are unsure how to sort items, which lowers the recycling rate.",
        ),
        100000,
        False,
        [("構想", "Ideas", 10, 50)],
    ),
    (
        "flood-sensors",
        "taipei-dit",
        Challenge.Status.DRAFT,
        ("社區淹水感測", "Neighbourhood flood sensing"),
        ("草稿：尚未公開。", "Draft: not public yet."),
        None,
        True,
        [("構想", "Ideas", 20, 60)],
    ),
]

# challenge slug -> [(team slug, team name, lead username, company slug, entry title, summary,
#                    showcased, advanced)]
TEAMS = {
    "bus-arrival-accuracy": [
        (
            "urban-pulse",
            "Urban Pulse Labs",
            "demo-participant",
            "urban-pulse",
            "Arrival predictor from GPS traces",
            "A model trained on a year of bus GPS data.",
            False,
            False,
        ),
    ],
    "harbour-air-quality": [
        (
            "clean-harbour",
            "Clean Harbour",
            "demo-dev-chen",
            None,
            "Ship-schedule aware forecast",
            "Forecasts PM2.5 from berth schedules and wind.",
            True,
            False,
        ),
        (
            "urban-pulse",
            "Urban Pulse Labs",
            "demo-participant",
            "urban-pulse",
            "Street-level sensor mesh",
            "Low-cost sensors on lamp posts near the port.",
            False,
            False,
        ),
    ],
    "school-streets": [
        (
            "safe-steps",
            "Safe Steps",
            "demo-dev-janssens",
            None,
            "Timed closures with camera counts",
            "Closes streets 20 minutes at drop-off.",
            True,
            True,
        ),
        (
            "urban-pulse",
            "Urban Pulse Labs",
            "demo-participant",
            "urban-pulse",
            "Walking bus app",
            "Parents share walking routes and schedules.",
            True,
            False,
        ),
    ],
}


def _user(username: str):
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username, defaults={"email": f"{username}@example.org"}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
        EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
    return user


@transaction.atomic
def load(stdout) -> None:
    now = timezone.now().replace(second=0, microsecond=0)
    organizer = _user("demo-editor")
    datasets = _demo_datasets()
    for slug, org_slug, status, titles, problems, prize, pilot, rounds in CHALLENGES:
        organization = Organization.objects.get(slug=org_slug)
        challenge, _created = Challenge.objects.update_or_create(
            slug=slug,
            defaults={
                "organization": organization,
                "status": status,
                "title_zh_hant": titles[0],
                "title_en": titles[1],
                "summary_zh_hant": problems[0][:80],
                "summary_en": problems[1].split(".")[0] + ".",
                "problem_zh_hant": problems[0],
                "problem_en": problems[1],
                "prize_money": prize,
                "prize_currency": "EUR" if org_slug.startswith("gent") else "TWD",
                "offers_pilot": pilot,
                "offers_mentoring": True,
                "max_team_size": 5,
                "contact_email": f"challenges@{org_slug}.example.org",
                "published_at": None if status == Challenge.Status.DRAFT else now - 90 * DAY,
                "results_published_at": now - 10 * DAY
                if status == Challenge.Status.RESULTS
                else None,
                "created_by": organizer,
            },
        )
        for number, (title_zh, title_en, opens, closes) in enumerate(rounds, start=1):
            Round.objects.update_or_create(
                challenge=challenge,
                number=number,
                defaults={
                    "title_zh_hant": title_zh,
                    "title_en": title_en,
                    "opens_at": now + opens * DAY,
                    "closes_at": now + closes * DAY,
                },
            )
        if datasets:
            challenge.datasets.set(datasets[:2])
        _teams_and_entries(challenge, now)
    _questions(now)
    stdout.write(f"Demo challenges: {len(CHALLENGES)}")
    judging_demo.load(stdout)


def _demo_datasets():
    from datasets.models import Dataset

    return list(Dataset.objects.published().order_by("name")[:2])


def _teams_and_entries(challenge: Challenge, now) -> None:
    rounds = list(challenge.rounds.order_by("number"))
    for team_slug, name, lead, company, title, summary, showcased, advanced in TEAMS.get(
        challenge.slug, []
    ):
        team, _created = Team.objects.update_or_create(
            challenge=challenge,
            slug=team_slug,
            defaults={
                "name": name,
                "company": Organization.objects.filter(slug=company).first(),
            },
        )
        TeamMembership.objects.get_or_create(
            team=team, user=_user(lead), defaults={"role": TeamMembership.Role.LEAD}
        )
        first = rounds[0]
        submitted = first.closes_at < now or challenge.status == Challenge.Status.OPEN
        entry, _created = Submission.objects.update_or_create(
            team=team,
            round=first,
            title=title,
            defaults={
                "summary": summary,
                "description": f"## {title}\n\n{summary}",
                "technology_readiness": 4,
                "status": Submission.Status.SUBMITTED if submitted else Submission.Status.DRAFT,
                "submitted_at": min(now, first.closes_at) - DAY if submitted else None,
                "showcased": showcased,
                "advanced": advanced,
                "created_by": team.memberships.first().user,
            },
        )
        if submitted and not entry.versions.exists():
            SubmissionVersion.objects.create(
                submission=entry,
                number=1,
                title=entry.title,
                summary=entry.summary,
                description=entry.description,
                technology_readiness=entry.technology_readiness,
                submitted_by=entry.created_by,
                submitted_at=entry.submitted_at,
            )


def _questions(now) -> None:
    challenge = Challenge.objects.get(slug="bus-arrival-accuracy")
    asker = _user("demo-participant")
    answered, _created = Question.objects.get_or_create(
        challenge=challenge,
        text="Is the bus GPS feed available in real time or only as daily files?",
        defaults={"asked_by": asker, "status": Question.Status.ANSWERED},
    )
    Answer.objects.get_or_create(
        question=answered,
        defaults={
            "author": _user("demo-editor"),
            "text": "Both: a real-time feed (every 30 s) and daily archives.",
            "is_clarification": True,
        },
    )
    Question.objects.get_or_create(
        challenge=challenge,
        text="可以使用市府以外的資料嗎？",
        defaults={"asked_by": _user("demo-member")},
    )
    Announcement.objects.get_or_create(
        challenge=challenge,
        title_en="Online info session",
        defaults={
            "title_zh_hant": "線上說明會",
            "body_zh_hant": "說明會將於下週三晚上七點舉行。",
            "body_en": "Join the info session next Wednesday at 19:00.",
            "author": _user("demo-editor"),
        },
    )
