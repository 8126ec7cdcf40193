"""The entity types the web app shows: which have a card page, and their Dutch names.

The look-ups in the graph tables live in :mod:`kennisbank.graph` and
:class:`kennisbank.store.Store`; the web app runs no SQL of its own.
"""

from __future__ import annotations

from kennisbank.graph import ENTITY_TYPE_LABELS

#: Entity types that can be shown as a card (``/<type>/<slug>``), in menu order.
CARD_TYPES: tuple[str, ...] = (
    "wijk",
    "gemeente",
    "experiment",
    "partner",
    "thema",
    "buurt",
    "organisatie",
    "persoon",
)

#: Dutch names of the entity types (singular, plural), declared in :mod:`kennisbank.graph`.
TYPE_LABELS = ENTITY_TYPE_LABELS
