from modeltranslation.translator import TranslationOptions, register
from simple_history import register as history_register

from datasets.models import Dataset, License, Resource, Theme


@register(Theme)
class ThemeTranslation(TranslationOptions):
    fields = ("name", "description")


@register(License)
class LicenseTranslation(TranslationOptions):
    fields = ("title",)


@register(Dataset)
class DatasetTranslation(TranslationOptions):
    fields = ("title", "summary", "description")


@register(Resource)
class ResourceTranslation(TranslationOptions):
    fields = ("name", "description")


# History is registered after translation so the historical tables carry both languages.
history_register(
    Dataset,
    app="datasets",
    excluded_fields=["view_count", "download_count", "search_vector", "search_text"],
)
history_register(Resource, app="datasets", excluded_fields=["view_count", "download_count"])
