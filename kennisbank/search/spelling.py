"""Spelling suggestions ("Bedoelde u …?") from the index vocabulary, with rapidfuzz.

:class:`SpellingCorrector` is built from the surface words of the corpus
(lowercase, accent-folded, mapped to their document frequency).  A word is only
corrected when the vocabulary does not know it (or knows it just once while a
much more frequent near-spelling exists, e.g. a typo in the source itself) and
it is not an ordinary Dutch word (wordfreq), a number, a stopword or shorter
than four letters.

Candidates are vocabulary words within a length-aware edit distance (optimal
string alignment, so a swap of two letters counts as one edit): one edit for
words of up to five letters, two up to ten, three beyond.  They are ranked by
rapidfuzz's ``fuzz.ratio`` plus a bonus for frequent words.  A correction is
``confident`` when its score is at least 90 and it clearly beats the runner-up;
the search engine may then search with the correction directly, otherwise it
only offers it.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from kennisbank.search.decompound import wordfreq_lexicon
from kennisbank.search.language import stopwords

#: Score (rapidfuzz ``fuzz.ratio``, 0–100) from which a correction can be confident.
CONFIDENT_SCORE = 90.0

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Correction:
    """A suggested spelling for one query word.

    ``word`` is the word as typed, ``suggestion`` the vocabulary word (lowercase,
    accent-folded), ``score`` its ``fuzz.ratio`` similarity (0–100) and
    ``confident`` whether it is safe to search with the suggestion directly.
    """

    word: str
    suggestion: str
    score: float
    confident: bool


def normalise_word(word: str) -> str:
    """Lowercase and fold accents: ``Conciërges`` → ``concierges``."""
    folded = unicodedata.normalize("NFKD", word.lower())
    return "".join(ch for ch in folded if not unicodedata.combining(ch))


def vocabulary_from_texts(texts: Iterable[str]) -> dict[str, int]:
    """Document frequency of every normalised word in ``texts`` (one text = one document)."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update({normalise_word(w) for w in _WORD.findall(text) if not w.isdigit()})
    return dict(counts)


def max_edits(length: int) -> int:
    """Edits allowed for a word of ``length`` letters: 1 up to 5, 2 up to 10, else 3."""
    if length <= 5:
        return 1
    if length <= 10:
        return 2
    return 3


class SpellingCorrector:
    """Suggest corrections for query words from a vocabulary (see the module docstring).

    ``vocabulary`` maps words to document frequencies (keys are normalised
    here too).  ``known_zipf``: words at least this frequent in Dutch (wordfreq)
    are taken as correct even when the corpus lacks them; ``None`` disables the
    check.  ``rare`` is the highest frequency at which a vocabulary word may still
    be corrected.
    """

    def __init__(
        self,
        vocabulary: Mapping[str, int],
        *,
        min_length: int = 4,
        rare: int = 1,
        known_zipf: float | None = 3.0,
        limit: int = 10,
    ) -> None:
        vocab: Counter[str] = Counter()
        for word, count in vocabulary.items():
            key = normalise_word(word)
            if key and not key.isdigit():
                vocab[key] += int(count)
        self.vocabulary: dict[str, int] = dict(vocab)
        self.min_length = min_length
        self.rare = rare
        self.known_zipf = known_zipf
        self.limit = limit
        self._by_length: dict[int, list[str]] = {}
        for word in self.vocabulary:
            self._by_length.setdefault(len(word), []).append(word)

    @classmethod
    def from_texts(cls, texts: Iterable[str], **options: object) -> SpellingCorrector:
        """Build a corrector from raw texts (see :func:`vocabulary_from_texts`)."""
        return cls(vocabulary_from_texts(texts), **options)  # type: ignore[arg-type]

    # ------------------------------------------------------------------ public
    def correct(self, word: str) -> Correction | None:
        """Return a :class:`Correction` for ``word``, or ``None`` when it needs none."""
        key = normalise_word(word)
        if not self._needs_correction(key):
            return None
        candidates = self._candidates(key)
        if not candidates:
            return None
        best_rank, best_word, best_score = candidates[0]
        count = self.vocabulary.get(key, 0)
        if count and self.vocabulary[best_word] < 10 * count:
            return None  # a vocabulary word with no clearly more common neighbour
        runner_up = candidates[1][0] if len(candidates) > 1 else None
        clear = runner_up is None or best_rank - runner_up >= 3.0
        confident = best_score >= CONFIDENT_SCORE and clear and not count
        return Correction(word, best_word, round(best_score, 1), confident)

    def correct_query(self, text: str, keep: Collection[str] = ()) -> tuple[str, list[Correction]]:
        """Correct every word of ``text`` that needs it.

        Returns the text with those words replaced (a capitalised word keeps its
        capital) and the corrections, in order.  Words that need no correction,
        words in ``keep`` (normalised, e.g. words the thesaurus maps), numbers and
        punctuation stay as they are.
        """
        corrections: list[Correction] = []
        kept = {normalise_word(word) for word in keep}

        def replace(match: re.Match[str]) -> str:
            if normalise_word(match.group(0)) in kept:
                return match.group(0)
            found = self.correct(match.group(0))
            if found is None:
                return match.group(0)
            corrections.append(found)
            if match.group(0)[:1].isupper():
                return found.suggestion[:1].upper() + found.suggestion[1:]
            return found.suggestion

        corrected = _WORD.sub(replace, text)
        return corrected, corrections

    # ------------------------------------------------------------------ internals
    def _needs_correction(self, key: str) -> bool:
        if len(key) < self.min_length or not key.isalpha():
            return False
        if self.vocabulary.get(key, 0) > self.rare:
            return False
        if key in stopwords():
            return False
        if self.known_zipf is not None and not self.vocabulary.get(key):
            if wordfreq_lexicon().get(key, 0.0) >= self.known_zipf:
                return False
        return True

    def _candidates(self, key: str) -> list[tuple[float, str, float]]:
        """``(rank, word, score)`` of the candidates, best first."""
        edits = max_edits(len(key))
        pool = [
            word
            for length in range(len(key) - edits, len(key) + edits + 1)
            for word in self._by_length.get(length, ())
            if word != key
        ]
        found = process.extract(
            key, pool, scorer=OSA.distance, score_cutoff=edits, limit=self.limit
        )
        ranked = []
        for word, _distance, _index in found:
            score = fuzz.ratio(key, word)
            rank = score + 3.0 * math.log10(1 + self.vocabulary[word])
            ranked.append((rank, word, score))
        ranked.sort(key=lambda item: (-item[0], item[1]))
        return ranked


__all__ = [
    "CONFIDENT_SCORE",
    "Correction",
    "SpellingCorrector",
    "max_edits",
    "normalise_word",
    "vocabulary_from_texts",
]
