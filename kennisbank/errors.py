"""Typed errors of the core library.

Every error carries a Dutch message meant for the user; the CLI and the web
app show ``str(error)`` and never a traceback.
"""

from __future__ import annotations


class KennisbankError(Exception):
    """Base class: ``str(err)`` is a complete Dutch sentence for the user."""


class SkipFile(KennisbankError):
    """A corpus file cannot be indexed; it is skipped and reported.

    ``reason`` is a short Dutch explanation; ``path`` the file concerned.
    """

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class ParseError(SkipFile):
    """A file's content could not be parsed (truncated XML, corrupt PDF, …)."""


class UnsupportedFormat(SkipFile):
    """A file is of a format the indexer does not read (binary data, …)."""


class DocumentNotFound(KennisbankError):
    """No document with the given id exists in the index."""

    def __init__(self, doc_id: str) -> None:
        self.doc_id = doc_id
        super().__init__(f"Document '{doc_id}' bestaat niet in de index.")


class IndexMissing(KennisbankError):
    """The data directory holds no (complete) index yet."""

    def __init__(self, data_dir: str) -> None:
        self.data_dir = data_dir
        super().__init__(f"Er is nog geen index in {data_dir}. Voer eerst 'kennisbank index' uit.")


class InvalidInput(KennisbankError):
    """Input given by a user (a query, a reference text, an option) is unusable."""


class Forbidden(KennisbankError):
    """The user may not do this (another centre's question, a blocked account, …).

    The web layer turns it into HTTP 403; the message never reveals more than the
    user was allowed to see.
    """
