"""Messages for publishers, and the error that carries one out of an ingestion.

A job runs in the language of whoever started it, but its messages are read later by
co-editors and API clients in theirs. So messages are built as `Text`: the translatable
string and its values, rendered in every site language when the job stores them
(`translations`) and shown in the reader's language (`in_language`)."""

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext


class Text:
    """A message: a lazily translated string (gettext_lazy) and its %-values, which may be
    translated themselves (lazy strings or other Texts)."""

    __slots__ = ("message", "values")

    def __init__(self, message, /, **values):
        self.message = message
        self.values = values

    def __str__(self) -> str:
        text = str(self.message)
        if not self.values:
            return text
        return text % {
            k: str(v) if isinstance(v, Promise | Text | Stored) else v
            for k, v in self.values.items()
        }

    def __repr__(self) -> str:
        return f"Text({str(self)!r})"


def _join(items) -> str:
    return pgettext("list separator", ", ").join(str(item) for item in items)


# A list in the reader's language: 「a、b、c」 in Chinese, "a, b, c" in English. Lazy, so a
# Text holding it is written out in each language (translations) with that language's mark.
joined = lazy(_join, str)


class Stored:
    """A message read back with its translations (a report entry), usable as a value of
    another Text."""

    __slots__ = ("by_language", "message")

    def __init__(self, message: str, by_language: dict[str, str]):
        self.message = message
        self.by_language = by_language

    def __str__(self) -> str:
        return in_language(self.message, self.by_language)


def translations(message) -> dict[str, str]:
    """The message (a Text or a lazily translated string) in each site language; empty for
    plain text, such as a library's error quoted as it is."""
    if not isinstance(message, Text | Stored | Promise):
        return {}
    out = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            out[code] = str(message)
    return out


def in_language(message: str, by_language: dict | None) -> str:
    """The stored `message` in the active language when it was kept in it, else as it was
    first written (in the language of whoever started the job)."""
    if not by_language:
        return message
    return by_language.get(translation.get_language() or settings.LANGUAGE_CODE) or message


class IngestError(Exception):
    """A file we cannot ingest, explained for the publisher. Never retried.

    `message` is a Text (or plain text); `code` is a frictionless-style error code; `row`
    and `column` are 1-based positions in the file as the publisher sees it (the header is
    row 1). `unreadable`: the file could not be opened as a table at all (not a table,
    damaged, protected), so no other reading settings (sheet, header, encoding) can help."""

    def __init__(
        self, message, *, code: str = "source-error", row=None, column=None, unreadable=False
    ):
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.row = row
        self.column = column
        self.unreadable = unreadable


class TooLarge(IngestError):
    def __init__(self, limit: int):
        super().__init__(
            Text(_("The file is larger than the limit of %(mb)s MB."), mb=limit // 1_000_000),
            code="source-error",
        )
