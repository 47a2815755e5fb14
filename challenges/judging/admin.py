"""Admin for judging data; scores and assignments show their change history."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from challenges.judging.models import (
    Assignment,
    ConflictOfInterest,
    Criterion,
    Judge,
    Measure,
    Milestone,
    Pilot,
    PilotUpdate,
    Result,
    Rubric,
    Score,
)
from portal.admin import HttpsLinks


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


@admin.register(Rubric)
class RubricAdmin(admin.ModelAdmin):
    list_display = ["round", "judges_per_entry", "blind", "method", "frozen_at", "locked_at"]
    inlines = [CriterionInline]


@admin.register(Criterion)
class CriterionAdmin(SimpleHistoryAdmin):
    """Criteria are changed on the judging page; here their history shows who changed what."""

    list_display = ["name", "rubric", "weight"]
    raw_id_fields = ["rubric"]


@admin.register(Judge)
class JudgeAdmin(admin.ModelAdmin):
    list_display = ["user", "challenge", "status", "conflicts_declared_at"]
    list_filter = ["status"]
    raw_id_fields = ["user", "challenge"]


@admin.register(ConflictOfInterest)
class ConflictAdmin(admin.ModelAdmin):
    list_display = ["judge", "team", "company", "person", "recorded_by", "created_at"]
    raw_id_fields = ["judge", "team", "company", "person", "recorded_by"]


@admin.register(Assignment)
class AssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["judge", "submission", "status", "submitted_at"]
    list_filter = ["status"]
    raw_id_fields = ["judge", "submission"]


@admin.register(Score)
class ScoreAdmin(SimpleHistoryAdmin):
    list_display = ["assignment", "criterion", "value", "updated_at"]
    raw_id_fields = ["assignment", "criterion"]


@admin.register(Result)
class ResultAdmin(SimpleHistoryAdmin):
    list_display = ["round", "published_at", "published_by"]
    readonly_fields = ["snapshot", "published_at", "published_by"]


class MilestoneInline(HttpsLinks, admin.TabularInline):
    model = Milestone
    extra = 0


class MeasureInline(admin.TabularInline):
    model = Measure
    extra = 0


class PilotUpdateInline(admin.StackedInline):
    model = PilotUpdate
    extra = 0


@admin.register(Pilot)
class PilotAdmin(admin.ModelAdmin):
    list_display = ["title", "host_agency", "status", "starts_on", "ends_on", "public"]
    list_filter = ["status", "public"]
    prepopulated_fields = {"slug": ["title"]}
    raw_id_fields = ["challenge", "submission"]
    inlines = [MilestoneInline, MeasureInline, PilotUpdateInline]
