from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from challenges.models import (
    Announcement,
    Attachment,
    Challenge,
    DeadlineExtension,
    Invitation,
    Question,
    Round,
    Submission,
    SubmissionVersion,
    Team,
    TeamMembership,
)


class RoundInline(admin.TabularInline):
    model = Round
    extra = 0


@admin.register(Challenge)
class ChallengeAdmin(TranslationAdmin):
    list_display = ["slug", "title", "organization", "status", "private", "published_at"]
    list_filter = ["status", "private", "organization"]
    search_fields = ["slug", "title_zh_hant", "title_en"]
    filter_horizontal = ["datasets", "themes", "tags", "invited_users"]
    inlines = [RoundInline]


class MembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "challenge", "company", "created_at"]
    list_filter = ["challenge"]
    search_fields = ["name"]
    inlines = [MembershipInline]


class VersionInline(admin.TabularInline):
    model = SubmissionVersion
    extra = 0
    fields = ["number", "title", "submitted_by", "submitted_at"]
    readonly_fields = fields
    can_delete = False


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["title", "team", "round", "status", "showcased", "advanced", "submitted_at"]
    list_filter = ["status", "showcased", "advanced", "round__challenge"]
    search_fields = ["title", "team__name"]
    inlines = [VersionInline]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["challenge", "status", "created_at"]
    list_filter = ["status", "challenge"]


admin.site.register(Announcement, TranslationAdmin)
admin.site.register([Invitation, Attachment, DeadlineExtension])
