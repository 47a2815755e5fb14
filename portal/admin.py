from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import models
from modeltranslation.admin import TranslationAdmin

from portal.models import Membership, Organization, User


class HttpsLinks:
    """Admin forms read a link typed without a scheme as https://, as the site's own forms
    do (Django 6's default; Django 5 assumes http:// and warns)."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    fieldsets = (
        *UserAdmin.fieldsets,
        ("Portal", {"fields": ("display_name", "time_zone", "language")}),
    )


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(HttpsLinks, TranslationAdmin):
    list_display = ["slug", "name", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["slug", "name_zh_hant", "name_en"]
    inlines = [MembershipInline]
    autocomplete_fields = ["parent"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "organization__slug"]
