"""Building and updating the search index of a store: the writing side, for the indexer.

A full build (:func:`build_search_index`) writes a fresh folder; an update
(:func:`plan_update`, then :func:`apply_update`) starts from the previous generation's
index when the code and data allow it; :func:`record_state` records, next to a full
build, what a later update compares with.  The web process never imports this module
(:mod:`kennisbank.search` does not), so it never loads the writer.
"""

from kennisbank.search.whoosh_backend.build import SearchIndexError, build_search_index
from kennisbank.search.whoosh_backend.update import (
    STATE_FILE,
    UpdatePlan,
    apply_update,
    code_changed_since,
    code_fingerprint,
    plan_update,
    record_state,
)

__all__ = [
    "STATE_FILE",
    "SearchIndexError",
    "UpdatePlan",
    "apply_update",
    "build_search_index",
    "code_changed_since",
    "code_fingerprint",
    "plan_update",
    "record_state",
]
