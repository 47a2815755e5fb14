"""Migration 0006: criteria written before their changes were kept start their history with
their wording and weight as they were, so the first edit shows what it changed from."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from challenges.judging.models import Criterion
from challenges.judging.services import panel
from tests.factories import MembershipFactory

BEFORE = [("challenges", "0005_pilot_rows_translations")]
AFTER = [("challenges", "0006_criterion_history")]


@pytest.mark.django_db(transaction=True)
def test_existing_criteria_start_their_history_as_they_are():
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps
        challenge = old.get_model("challenges", "Challenge").objects.create(
            organization=old.get_model("portal", "Organization").objects.create(
                slug="dot", name="Transportation", kind="agency"
            ),
            slug="shade",
            title="Shade",
        )
        round_ = old.get_model("challenges", "Round").objects.create(
            challenge=challenge, number=1, title="Ideas", opens_at="2026-01-01T00:00Z",
            closes_at="2026-02-01T00:00Z",
        )  # fmt: skip
        rubric = old.get_model("challenges", "Rubric").objects.create(round=round_)
        criterion = old.get_model("challenges", "Criterion").objects.create(
            rubric=rubric, name="Impact", name_zh_hant="Impact", weight=2
        )
        executor = MigrationExecutor(connection)  # a fresh loader sees the applied state
        executor.migrate(AFTER)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes("challenges"))

    criterion = Criterion.objects.get(pk=criterion.pk)
    organizer = MembershipFactory(organization_id=challenge.organization_id, role="editor").user
    panel.criterion_update(criterion=criterion, by=organizer, name_zh_hant="影響力")
    latest, first = criterion.history.all()
    assert (first.history_type, first.name_zh_hant, first.weight) == ("+", "Impact", 2)
    assert (latest.history_user, latest.name_zh_hant) == (organizer, "影響力")
