"""Demo judging: a judged challenge (three judges of different leniency, a conflict of
interest, a tie, published results) and two pilots. Called from challenges/demo.py;
safe to run again (the demo challenge and pilots are rebuilt)."""

from datetime import date, timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone

from challenges.judging.models import Assignment, Judge, Pilot, Rubric
from challenges.judging.services import panel, pilots, results, scoring
from challenges.models import Challenge, Round, Submission, Team, TeamMembership
from challenges.services.challenges import challenge_advance_stage
from portal.demo import DEMO_PASSWORD
from portal.models import Organization

SLUG = "cool-bus-stops"
LIVE_SLUG = "harbour-air-quality"  # a judging-stage challenge from challenges/demo.py
PILOT_SLUGS = ["shaded-bus-stops-xinyi", "ghent-cycle-counters"]

# title, team, company slug or None, {judge: (impact, feasibility, open data)}
ENTRIES = [
    (
        "Shade Finder",
        "Shade Seekers",
        None,
        {"harsh": (3, 3, 3), "lenient": (5, 5, 5), "mid": (4, 4, 4)},
    ),
    ("Bus Heat Map", "Urban Pulse", "urban-pulse", {"harsh": (3, 2, 3), "lenient": (5, 4, 5)}),
    (
        "Cool Route",
        "Route Runners",
        None,
        {"harsh": (2, 2, 2), "lenient": (4, 4, 4), "mid": (3, 3, 3)},
    ),
    (
        "Tree Planner",
        "Green Grid",
        None,
        {"harsh": (2, 2, 2), "lenient": (4, 4, 4), "mid": (3, 3, 3)},
    ),
    (
        "Heat Alert Bot",
        "Night Owls",
        None,
        {"harsh": (1, 2, 1), "lenient": (3, 3, 3), "mid": (2, 2, 2)},
    ),
]


# Each language in its own field: a page shows the reader's language only.
CRITERIA = [
    {
        "name_zh_hant": "影響力",
        "name_en": "Impact",
        "weight": 2,
        "description_zh_hant": "等車是否更涼爽、更短？",
        "description_en": "How much cooler and shorter is the wait?",
        "guidance_zh_hant": "1：幾乎感覺不到 · 5：乘客明顯感受到差別",
        "guidance_en": "1: hardly noticeable · 5: riders clearly feel the difference",
    },
    {"name_zh_hant": "可行性", "name_en": "Feasibility", "weight": 1},
    {"name_zh_hant": "開放資料運用", "name_en": "Use of open data", "weight": 1},
]


def _user(username: str, display_name: str):
    user, created = get_user_model().objects.get_or_create(
        username=username,
        defaults={"email": f"{username}@example.org", "display_name": display_name},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
        EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
    return user


def load(stdout) -> None:
    User = get_user_model()
    Pilot.objects.filter(slug__in=PILOT_SLUGS).delete()
    Challenge.objects.filter(slug=SLUG).delete()
    organizer = User.objects.get(username="demo-admin")
    participant = User.objects.get(username="demo-participant")
    judges = {
        "lenient": User.objects.get(username="demo-judge"),
        "harsh": _user("demo-judge-2", "Demo Judge 2 示範評審二"),
        "mid": _user("demo-judge-3", "Demo Judge 3 示範評審三"),
    }
    now = timezone.now()
    challenge = Challenge.objects.create(
        organization=Organization.objects.get(slug="taipei-dit"),
        slug=SLUG,
        title_zh_hant="更涼爽的公車站",
        title_en="Cooler bus stops",
        summary_zh_hant="讓夏天等公車的人不再曝曬的點子。",
        summary_en="Ideas to keep people waiting for the bus cool in summer.",
        problem_zh_hant="午後烈日下的公車站高達攝氏 40 度，乘客最多要等 15 分鐘。",
        problem_en="Bus stops in the afternoon sun reach 40 °C; riders wait up to 15 minutes.",
        # Judged first, moved on to results once they are published (scores are refused
        # at the results stage).
        status=Challenge.Status.JUDGING,
        offers_pilot=True,
        published_at=now - timedelta(days=60),
        created_by=organizer,
    )
    round_ = Round.objects.create(
        challenge=challenge,
        number=1,
        title_zh_hant="原型",
        title_en="Prototypes",
        opens_at=now - timedelta(days=60),
        closes_at=now - timedelta(days=14),
    )
    rubric = panel.rubric_save(round=round_, by=organizer, judges_per_entry=None)
    criteria = [panel.criterion_add(rubric=rubric, by=organizer, **fields) for fields in CRITERIA]
    seats = {
        key: panel.judge_add(challenge=challenge, user=u, by=organizer) for key, u in judges.items()
    }

    submissions = []
    for title, team_name, company_slug, _marks in ENTRIES:
        company = Organization.objects.get(slug=company_slug) if company_slug else None
        team = Team.objects.create(
            challenge=challenge,
            name=team_name,
            slug=team_name.lower().replace(" ", "-"),
            company=company,
            created_by=participant if company else None,
        )
        if company:
            TeamMembership.objects.create(team=team, user=participant, role="lead")
        submissions.append(
            Submission.objects.create(
                team=team,
                round=round_,
                title=title,
                summary=f"{title}: a prototype for cooler waits.",
                status=Submission.Status.SUBMITTED,
                submitted_at=now - timedelta(days=15),
            )
        )
    # The mid judge consults for Urban Pulse: a declared conflict with the company.
    panel.conflict_declare(
        judge=seats["mid"],
        by=judges["mid"],
        companies=[Organization.objects.get(slug="urban-pulse")],
        reason="Advises the startup.",
    )
    for key in ("lenient", "harsh"):
        panel.conflict_declare(judge=seats[key], by=judges[key])
    panel.assignments_generate(round=round_, by=organizer)

    for submission, (_title, _team, _company, marks) in zip(submissions, ENTRIES, strict=True):
        for key, values in marks.items():
            scoring.scores_save(
                assignment=Assignment.objects.get(judge=seats[key], submission=submission),
                by=judges[key],
                values={c.pk: v for c, v in zip(criteria, values, strict=True)},
                comment="Clear pitch." if values[0] >= 4 else "Needs a field test.",
                submit=True,
            )
    awards = [
        ("winner", "NT$300,000 and a pilot", "The strongest impact case; pilot in Xinyi."),
        ("runner_up", "NT$100,000", "Great data work; feasibility needs a field test."),
        ("mention", "", "Tied with Tree Planner: both commended by the panel."),
        ("mention", "", "Tied with Cool Route: both commended by the panel."),
        ("", "", "A useful idea; show how alerts reach riders without phones."),
    ]
    for submission, (kind, prize, feedback) in zip(submissions, awards, strict=True):
        results.award_set(
            round=round_,
            submission=submission,
            by=organizer,
            kind=kind,
            prize=prize,
            feedback=feedback,
        )
    panel.judging_lock(rubric=rubric, by=organizer)
    results.result_publish(round=round_, by=organizer)
    challenge_advance_stage(challenge=challenge, by=organizer, to=Challenge.Status.RESULTS)

    dot = Organization.objects.get(slug="taipei-dot")
    first = pilots.pilot_create(
        by=organizer,
        slug=PILOT_SLUGS[0],
        title_zh_hant="信義區遮蔭公車站",
        title_en="Shaded bus stops in Xinyi",
        summary_zh_hant="Shade Finder 在信義區十個公車站設置感測器與遮陽棚。",
        summary_en="Shade Finder's sensors and shades at ten bus stops in Xinyi District.",
        host_agency=dot,
        challenge=challenge,
        submission=submissions[0],
        site="Xinyi District, Taipei",
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 10, 31),
        budget=1_500_000,
        support="Stop access, power, and the bus arrival data feed.",
        status=Pilot.Status.RUNNING,
    )
    pilots.milestone_add(
        pilot=first,
        by=organizer,
        title_zh_hant="十個站點完成安裝",
        title_en="Ten stops equipped",
        due_on=date(2026, 4, 15),
        done_on=date(2026, 4, 10),
        evidence_zh_hant="安裝報告",
        evidence_en="Installation report",
    )
    pilots.milestone_add(
        pilot=first,
        by=organizer,
        title_zh_hant="夏季評估",
        title_en="Summer evaluation",
        due_on=date(2026, 9, 30),
    )
    pilots.measure_set(
        pilot=first,
        by=organizer,
        name_zh_hant="候車處最高溫度",
        name_en="Peak temperature at the stop",
        unit="°C",
        baseline=40,
        target=34,
        actual=35,
    )
    pilots.measure_set(
        pilot=first,
        by=organizer,
        name_zh_hant="乘客滿意度",
        name_en="Rider satisfaction",
        unit="%",
        baseline=41,
        target=70,
        actual=66,
    )
    pilots.pilot_update_post(
        pilot=first,
        by=organizer,
        title_zh_hant="第一個月",
        title_en="First month",
        body_zh_hant="十個站的乘客都能在遮蔭下候車。",
        body_en="Riders wait in shade at all ten stops.",
    )

    ghent = Organization.objects.get(slug="gent-mobility")
    second = Pilot.objects.create(
        slug=PILOT_SLUGS[1],
        title_zh_hant="環城道路自行車計數器",
        title_en="Cycle counters on the ring road",
        summary_zh_hant="六個路口的開放計數器即時公布自行車流量。",
        summary_en="Open counters at six junctions publish live cycling numbers.",
        host_agency=ghent,
        site="R40, Ghent",
        starts_on=date(2025, 4, 1),
        ends_on=date(2025, 12, 31),
        budget=80_000,
        currency="EUR",
        status=Pilot.Status.SCALED_UP,
    )
    second.milestones.create(
        title_zh_hant="六個計數器上線",
        title_en="Six counters live",
        due_on=date(2025, 6, 1),
        done_on=date(2025, 5, 20),
    )
    second.measures.create(
        name_zh_hant="每日自行車計數",
        name_en="Daily cyclists counted",
        unit_zh_hant="輛次",
        unit_en="bicycles",
        target=20000,
        actual=23500,
    )
    _live_panel(User.objects.get(username="demo-staff"), judges)
    stdout.write(f"Judging demo: {challenge.title} with published results and 2 pilots.")


def _live_panel(staff, judges) -> None:
    """Seat demo-judge on the challenges demo's judging-stage challenge, entries unscored,
    so signing in as demo-judge shows the conflict declaration and a queue to score."""
    challenge = Challenge.objects.filter(slug=LIVE_SLUG).first()
    round_ = challenge.rounds.order_by("number").first() if challenge else None
    if round_ is None or not Submission.objects.submitted().filter(round=round_).exists():
        return
    Judge.objects.filter(challenge=challenge).delete()
    Rubric.objects.filter(round=round_).delete()
    rubric = panel.rubric_save(round=round_, by=staff, judges_per_entry=2, step="0.5")
    for fields in CRITERIA:
        panel.criterion_add(rubric=rubric, by=staff, **fields)
    for key in ("lenient", "harsh"):
        panel.judge_add(challenge=challenge, user=judges[key], by=staff)
    # demo-judge-2 has declared; demo-judge declares on first sign-in.
    harsh = Judge.objects.get(challenge=challenge, user=judges["harsh"])
    panel.conflict_declare(judge=harsh, by=judges["harsh"])
    panel.assignments_generate(round=round_, by=staff)
