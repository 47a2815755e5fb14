"""Migration 0005: milestones, measures and updates written before they had a field per
language keep their text, in the language it was written in (both when it cannot tell)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from challenges.judging.models import Measure, Milestone, PilotUpdate

BEFORE = [("challenges", "0004_criterion_pilot_translations")]
AFTER = [("challenges", "0005_pilot_rows_translations")]


@pytest.fixture
def latest_schema_after():
    """Later migrations are undone by going back to BEFORE: the tests that follow need them."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes("challenges"))


@pytest.mark.django_db(transaction=True)
def test_existing_rows_keep_their_text_in_the_language_it_is_in(latest_schema_after):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    organization = old.get_model("portal", "Organization").objects.create(
        slug="dot", name="Transportation", kind="agency"
    )
    pilot = old.get_model("challenges", "Pilot").objects.create(
        slug="shade", title="Shade", title_zh_hant="Shade", host_agency=organization
    )
    milestone = old.get_model("challenges", "Milestone").objects.create(
        pilot=pilot, title="十站完工", evidence="Installation report"
    )
    measure = old.get_model("challenges", "Measure").objects.create(
        pilot=pilot, name="Waiting time", unit="%"
    )
    update = old.get_model("challenges", "PilotUpdate").objects.create(
        pilot=pilot, title="第一個月", body="乘客很滿意。"
    )

    executor = MigrationExecutor(connection)  # a fresh loader sees the applied state
    executor.migrate(AFTER)

    milestone = Milestone.objects.get(pk=milestone.pk)
    measure = Measure.objects.get(pk=measure.pk)
    update = PilotUpdate.objects.get(pk=update.pk)
    assert (milestone.title_zh_hant, milestone.title_en) == ("十站完工", None)
    assert (milestone.evidence_zh_hant, milestone.evidence_en) == (None, "Installation report")
    assert (measure.name_zh_hant, measure.name_en) == (None, "Waiting time")
    assert (measure.unit_zh_hant, measure.unit_en) == ("%", "%")  # could be either: both
    assert (update.title_zh_hant, update.body_zh_hant, update.title_en) == (
        "第一個月",
        "乘客很滿意。",
        None,
    )
    # Every page shows what it showed before, whichever language it is read in.
    for language in ("zh-hant", "en"):
        with translation.override(language):
            assert Milestone.objects.get(pk=milestone.pk).title == "十站完工"
            assert Milestone.objects.get(pk=milestone.pk).evidence == "Installation report"
            assert Measure.objects.get(pk=measure.pk).name == "Waiting time"
            assert PilotUpdate.objects.get(pk=update.pk).body == "乘客很滿意。"
