from django.utils.translation import gettext_lazy as _


class IngestError(Exception):
    """A file we cannot ingest, explained for the publisher. Never retried.

    `code` is a frictionless-style error code; `row` and `column` are 1-based positions
    in the file as the publisher sees it (the header is row 1)."""

    def __init__(self, message, *, code: str = "source-error", row=None, column=None):
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.row = row
        self.column = column


class TooLarge(IngestError):
    def __init__(self, limit: int):
        super().__init__(
            _("The file is larger than the limit of %(mb)s MB.") % {"mb": limit // 1_000_000},
            code="source-error",
        )
