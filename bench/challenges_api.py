"""Challenge list, challenge page and entry list times, and their query counts.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/challenges_bench \\
        .venv/bin/python bench/challenges_api.py [--challenges 300] [--entries 2000] [--runs 30]

Builds (once; reused on later runs) N published challenges with two rounds each and one
challenge with many submitted entries, then measures in-process through Django's full
request stack: GET /api/v1/challenges/ (anonymous), the challenge page, and
GET /api/v1/challenges/{slug}/submissions/?limit=100 as an organizer. Prints p50/p95 and
the number of SQL queries per request (which must not grow with the data).
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402


def build(n_challenges: int, n_entries: int):
    from challenges.models import Challenge, Round, Submission, Team, TeamMembership
    from portal.models import Membership, Organization, User

    org, _ = Organization.objects.get_or_create(
        slug="bench-agency", defaults={"name": "Bench agency", "kind": "agency"}
    )
    organizer, _ = User.objects.get_or_create(username="bench-organizer")
    Membership.objects.get_or_create(user=organizer, organization=org, defaults={"role": "editor"})
    now = timezone.now()
    existing = Challenge.objects.filter(organization=org).count()
    challenges = [
        Challenge(
            organization=org,
            slug=f"bench-{i}",
            title_en=f"Bench challenge {i}",
            title_zh_hant=f"測試挑戰{i}",
            problem_en="A problem.",
            status="open",
            published_at=now,
        )
        for i in range(existing, n_challenges)
    ]
    Challenge.objects.bulk_create(challenges)
    for challenge in challenges:
        Round.objects.bulk_create(
            [
                Round(
                    challenge=challenge,
                    number=1,
                    title_en="Ideas",
                    title_zh_hant="構想",
                    opens_at=now - timedelta(days=5),
                    closes_at=now + timedelta(days=30),
                ),
                Round(
                    challenge=challenge,
                    number=2,
                    title_en="Prototypes",
                    title_zh_hant="原型",
                    opens_at=now + timedelta(days=40),
                    closes_at=now + timedelta(days=80),
                ),
            ]
        )
    big = Challenge.objects.get(slug="bench-0")
    big.max_entries_per_round = 1
    big.save()
    first = big.rounds.get(number=1)
    have = Submission.objects.filter(round=first).count()
    for i in range(have, n_entries):
        team = Team.objects.create(challenge=big, name=f"Team {i}", slug=f"team-{i}")
        user, _ = User.objects.get_or_create(username=f"bench-user-{i}")
        TeamMembership.objects.create(team=team, user=user, role="lead")
        Submission.objects.create(
            team=team,
            round=first,
            title=f"Entry {i}",
            summary="S",
            status="submitted",
            submitted_at=now,
        )
    return organizer, big


def measure(client: Client, url: str, runs: int) -> tuple[float, float, int]:
    client.get(url)  # warm caches and the connection
    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], len(queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--challenges", type=int, default=300)
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database: SQLite figures mean nothing here.")
    settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = []
    call_command("migrate", verbosity=0)
    organizer, big = build(args.challenges, args.entries)
    anonymous, staff = Client(), Client()
    staff.force_login(organizer)
    cases = [
        ("GET /api/v1/challenges/ (anonymous, limit 20)", anonymous, "/api/v1/challenges/"),
        ("GET /api/v1/challenges/?limit=100", anonymous, "/api/v1/challenges/?limit=100"),
        ("challenge page /en/challenges/bench-0/", anonymous, "/en/challenges/bench-0/"),
        ("challenge list page /en/challenges/", anonymous, "/en/challenges/"),
        (
            f"GET submissions/?limit=100 as organizer ({args.entries} entries)",
            staff,
            f"/api/v1/challenges/{big.slug}/submissions/?limit=100",
        ),
    ]
    print(f"{args.challenges} challenges, {args.entries} entries in one; {args.runs} runs each")
    for label, client, url in cases:
        p50, p95, n_queries = measure(client, url, args.runs)
        print(f"{label:62s} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  {n_queries:3d} queries")


if __name__ == "__main__":
    main()
