"""How much a typed word says: weights for the items of a query from general Dutch frequency.

The ranking's IDF comes from the kennisbank itself, and the two reports are small: an
everyday word such as *krijgen*, *mensen*, *laatste* or *goede* is as rare there as a
policy term, so it scores as much and counts as much for coverage, and a question then
finds passages that share only its everyday words.  How often a word occurs in Dutch
in general (wordfreq's Zipf frequency, :func:`~kennisbank.search.decompound.wordfreq_lexicon`:
the log10 of occurrences per billion words) tells those words apart: *krijgen* 5.7,
*mensen* 6.2 against *werkloosheidsuitkering* 2.2 or *winkeliers* 3.6.

:func:`zipf_weight` maps a Zipf frequency to a weight: 1 up to :data:`ZIPF_FULL`,
falling linearly to :data:`WEIGHT_FLOOR` at :data:`ZIPF_FLOOR` and staying there.  A
word the list does not know (a name, a compound, a number, a typo) keeps weight 1.
The weight multiplies the word's score (its text, its compound parts and its synonyms
alike) and its share in the coverage rerank (:func:`.whoosh_backend.matching.rerank`).

Domain words that are common Dutch too (*kinderen* 5.8, *geld* 5.6, *school* 5.5) lose
weight as well; nothing general tells them from *krijgen* 5.7.  Two ways of letting the
kennisbank's own statistics moderate the weight were measured and left out: a word's
excess frequency in the passage text over general Dutch counting as rarer (bundled
dev-questions 0.653 → 0.643; with distractors 0.610 the same, dev-queries 0.858 →
0.879), and weighting each word's coverage share by its corpus IDF as well (bundled
0.653 → 0.661, with distractors 0.610 → 0.599).
"""

from __future__ import annotations

from collections.abc import Mapping

from kennisbank.search.decompound import wordfreq_lexicon

#: The curve: full weight up to Zipf :data:`ZIPF_FULL`, :data:`WEIGHT_FLOOR` from
#: :data:`ZIPF_FLOOR` on.  Measured (dev-questions / dev-queries MRR@10, bundled and
#: with 416,000 distractor passages; unweighted 0.642 / 0.975 and 0.608 / 0.833):
#: 4.0-6.0 floor 0.3: 0.653 / 0.975 and 0.610 / 0.858; 4.5-6.5 floor 0.3: 0.641 / 0.975
#: and 0.605 / 0.883; floor 0.2: 0.651 and 0.593; floor 0.5: 0.639 and 0.610;
#: 4.0-6.5: 0.645 and 0.610.  Success@10 on dev-questions went 0.79 → 0.82 (bundled)
#: and 0.69 → 0.74 (distractors) with 4.0-6.0.
ZIPF_FULL, ZIPF_FLOOR, WEIGHT_FLOOR = 4.0, 6.0, 0.3


def zipf_weight(zipf: float | None) -> float:
    """The weight of a word with Zipf frequency ``zipf`` (``None``: unknown → 1.0)."""
    full, floor_at, floor = ZIPF_FULL, ZIPF_FLOOR, WEIGHT_FLOOR
    if zipf is None or zipf <= full:
        return 1.0
    if zipf >= floor_at:
        return floor
    return 1.0 - (1.0 - floor) * (zipf - full) / (floor_at - full)


def word_weight(word: str, lexicon: Mapping[str, float] | None = None) -> float:
    """:func:`zipf_weight` of ``word`` (lower-cased) in ``lexicon`` (default: wordfreq's
    Dutch list)."""
    return zipf_weight((wordfreq_lexicon() if lexicon is None else lexicon).get(word.lower()))


__all__ = ["WEIGHT_FLOOR", "ZIPF_FLOOR", "ZIPF_FULL", "word_weight", "zipf_weight"]
