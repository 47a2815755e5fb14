"""Texts kept in both languages (modeltranslation, see challenges/translation.py): how the
services write them."""

from __future__ import annotations

from django.conf import settings
from modeltranslation.translator import translator
from modeltranslation.utils import build_localized_fieldname

LANGUAGES = [code for code, _name in settings.LANGUAGES]


def per_language(*names: str) -> tuple[str, ...]:
    """("title",) -> ("title", "title_zh_hant", "title_en"): the names a service takes a
    translated text by, the plain one being the active language's."""
    return tuple(
        name
        for base in names
        for name in (base, *(build_localized_fieldname(base, lang) for lang in LANGUAGES))
    )


def translated_texts(model) -> dict[str, tuple[str, ...]]:
    """{"title": ("title_zh_hant", "title_en"), ...}: the model's texts kept per language."""
    fields = translator.get_options_for_model(model).fields
    return {
        name: tuple(build_localized_fieldname(name, lang) for lang in LANGUAGES) for name in fields
    }


def texts_set(row, fields: dict) -> None:
    """Set `fields` on the row. A text's plain name ("title") writes the active language; a
    per-language name ("title_en") writes that language and is applied after, so it wins.
    An empty text is stored as None: readers of that language see the other's instead."""
    texts = translated_texts(type(row))
    translated = set(per_language(*texts))
    # Plain names first, so that a per-language value given alongside wins.
    for name, value in sorted(fields.items(), key=lambda item: item[0] not in texts):
        if isinstance(value, str):
            value = value.strip()
        if name in translated and not value:
            value = None
        setattr(row, name, value)


def any_language(row, name: str) -> str:
    """The row's text in the first language that has one ('' when none does)."""
    for field in translated_texts(type(row))[name]:
        value = getattr(row, field)
        if value:
            return value
    return ""
