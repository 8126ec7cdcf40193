"""The vocabulary of a search index: surface words and the passages they occur in.

The build writes :data:`VOCABULARY_FILE` (lower-case, accent-folded words with the number
of passages they occur in) next to the index; the spelling corrector
(:mod:`kennisbank.search.spelling`) reads it through :func:`load_vocabulary`.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

#: Word → number of passages, for the spelling corrector.
VOCABULARY_FILE = "vocabulary.json"

_WORD_RE = re.compile(r"[^\W\d_]{2,}")


def fold_word(text: str) -> str:
    """Lower case with accents removed (the vocabulary's key form)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def surface_words(text: str) -> list[str]:
    """The folded words (letters only, two or more) of a text."""
    return _WORD_RE.findall(fold_word(text))


def distinct_surface_words(text: str) -> set[str]:
    """``set(surface_words(text))``, memoised per space-separated piece of ``text``.

    Folding (NFKD, combining marks dropped, case folded) works character by
    character and a space ends every word, so the words of a text are those of its
    pieces; the pieces repeat a lot across passages.
    """
    found: set[str] = set()
    for piece in text.split(" "):
        found.update(_piece_words(piece))
    return found


@lru_cache(maxsize=200_000)
def _piece_words(piece: str) -> tuple[str, ...]:
    return tuple(_WORD_RE.findall(fold_word(piece)))


def load_vocabulary(index_dir: Path) -> dict[str, int]:
    """Word → number of passages, as written by :func:`build_search_index`."""
    try:
        data = json.loads((Path(index_dir) / VOCABULARY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): int(v) for k, v in data.items()}


__all__ = [
    "VOCABULARY_FILE",
    "distinct_surface_words",
    "fold_word",
    "load_vocabulary",
    "surface_words",
]
