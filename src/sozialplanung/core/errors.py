"""The project's exception hierarchy.

Every error a user can meet derives from :class:`SozialplanungError`; its message says what went
wrong and what to do next. The CLI prints the message and exits non-zero without a traceback.
"""

from __future__ import annotations


class SozialplanungError(Exception):
    """Base class of all errors this project raises on purpose."""


class ConfigError(SozialplanungError):
    """An edition's parameter file is missing or invalid."""


class DataError(SozialplanungError):
    """A raw data file cannot be read (missing, wrong encoding, unreadable workbook)."""


class ValidationFailed(SozialplanungError):
    """One or more raw tables break the data contract.

    ``problems`` holds every problem found, so a user can fix all of them in one go.
    """

    def __init__(self, problems: list, message: str | None = None):
        self.problems = list(problems)
        super().__init__(message or f"{len(self.problems)} problem(s) in the raw data")

    def __reduce__(self) -> tuple:
        # with its problems when it crosses from a worker process (an exception pickles its args only)
        return type(self), (self.problems, str(self))


class ChapterExecutionError(SozialplanungError):
    """A chapter notebook failed while Papermill executed it."""


class PublishError(SozialplanungError):
    """The HTML edition could not be built."""


class QuartoError(PublishError):
    """Quarto is missing, timed out or failed."""
