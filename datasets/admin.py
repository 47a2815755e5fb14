"""Site staff's view of the catalog. Publishers use the workspace pages, not the admin."""

from django.contrib import admin
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline
from simple_history.admin import SimpleHistoryAdmin

from datasets.models import Dataset, License, Resource, Tag, Theme
from datasets.services.catalog import dataset_index
from portal.admin import HttpsLinks


class ResourceInline(HttpsLinks, TranslationTabularInline):
    model = Resource
    extra = 0
    fields = ["name", "format", "url_type", "file", "url", "size", "position"]
    readonly_fields = ["size"]


@admin.register(Dataset)
class DatasetAdmin(SimpleHistoryAdmin, TranslationAdmin):
    list_display = ["name", "title", "organization", "status", "private", "metadata_modified"]
    list_filter = ["status", "private", "themes", "update_frequency", "license"]
    search_fields = ["name", "title_zh_hant", "title_en"]
    autocomplete_fields = ["organization", "tags"]
    filter_horizontal = ["themes"]
    readonly_fields = ["created_by", "created_at", "published_at", "view_count", "download_count"]
    inlines = [ResourceInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Tags and themes are saved here, after the dataset: refresh its search document.
        dataset_index(dataset=form.instance)


@admin.register(Resource)
class ResourceAdmin(HttpsLinks, SimpleHistoryAdmin, TranslationAdmin):
    list_display = ["name", "dataset", "format", "url_type", "size", "last_modified"]
    list_filter = ["format", "url_type"]
    search_fields = ["name_zh_hant", "name_en", "dataset__name"]
    raw_id_fields = ["dataset", "current_version"]


@admin.register(Theme)
class ThemeAdmin(TranslationAdmin):
    list_display = ["slug", "name", "iso37120_section", "position"]


@admin.register(License)
class LicenseAdmin(HttpsLinks, TranslationAdmin):
    list_display = ["id", "title", "is_open", "position"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]
