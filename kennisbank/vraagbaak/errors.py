"""Errors of the Vraagbaak (see also :class:`kennisbank.errors.Forbidden`)."""

from __future__ import annotations

from kennisbank.errors import KennisbankError


class QuestionNotFound(KennisbankError):
    """No question with this id or token (or not one the caller may see)."""

    def __init__(self, what: str = "") -> None:
        super().__init__(f"Deze vraag bestaat niet{f' ({what})' if what else ''}.")


class InvalidState(KennisbankError):
    """The question's status does not allow this step (publishing without an answer, …)."""


class UserNotFound(KennisbankError):
    """No account with this name."""

    def __init__(self, naam: str) -> None:
        super().__init__(f"Er is geen gebruiker '{naam}'.")


class DatabaseNotEmpty(KennisbankError):
    """An import into a database that already holds questions or accounts."""


__all__ = ["DatabaseNotEmpty", "InvalidState", "QuestionNotFound", "UserNotFound"]
