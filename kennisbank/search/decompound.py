"""Dutch compound splitting driven by a frequency lexicon.

Dutch writes compounds as one word (``bewonersparticipatie``, ``schooluitval``,
``wijkactieplannen``).  The search index stores the parts of such a word as extra
terms at the same position (see :mod:`kennisbank.search.language`), so a query for
``participatie`` also finds ``bewonersparticipatie``.

How a word is split
-------------------
The lexicon is wordfreq's Dutch word list (Zipf frequencies: ``log10`` of the
frequency per billion words; ``wijk`` ≈ 4.9, ``participatie`` ≈ 3.9).  Every way
of writing the word as ``part (link) part (link) ... part`` is considered, where

* every part is a lexicon word of at least ``min_part`` (3) letters, the last
  part of at least ``min_last`` (4), with a Zipf frequency of at least
  ``min_part_zipf``; a three-letter part must be common (``short_part_zipf``)
  and more frequent in Dutch than in English (wordfreq lists ``art``, ``con``
  and ``get`` as Dutch words too);
* between two parts a linking morpheme ``s``, ``en`` or ``e`` may stand
  (``gezondheid·s·achterstanden``, ``wijk·en·aanpak``);
* no part is a particle or prefix (``uit``, ``over``, ``ver``, ``samen`` …: those
  make derivations such as ``uitvoering`` and ``overheid``, not compounds) and no
  part is a derivational suffix (``heid``, ``ing``, ``lijk``, ``schap`` …).

A segmentation scores the mean Zipf frequency of its parts (the log of the
geometric mean of their frequencies, as in Koehn & Knight 2003), less
``part_penalty`` for every part beyond two.  The word is
split when the best segmentation beats the word's own Zipf frequency plus
``margin``: a word that is common in its own right (``samenwerking``: 5.0 against
5.1 for ``samen`` + ``werking``) stays whole, a rare compound of common words
(``schooluitval``: 2.5 against 4.5) is split.  Segmentations with more parts are
found recursively (``wijkactieplannen`` → ``wijk`` + ``actie`` + ``plannen``).

Words in ``keep`` (e.g. the names of wijken such as ``Kanaleneiland`` or
``Overvecht``) are never split: a place name is not about ``eiland`` or
``vecht``.  Results are cached per word.

Run ``python -m benchmarks.decompound_bench --bench`` for a speed measurement.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

#: Linking morphemes that may stand between two parts, longest first.
LINKS: tuple[str, ...] = ("en", "s", "e")

#: Particles, prefixes and function words that never count as a part: they form
#: derivations (``uitvoering``, ``overheid``, ``onderwijs``) rather than compounds.
BLOCKED_PARTS: frozenset[str] = frozenset(
    """
    aan af achter al alle bij binnen boven buiten daar dat der des die dit door
    een elk er eraan erbij erdoor erin ermee erna erom eronder erop erover ertoe
    eruit ervoor hen her hier hij hun ieder ik in jij jou jouw mee men mij mijn
    mis na naar niet ons onze om on ont onder op over samen te tegen ten ter toe
    tot uit van ver via voor waar wan wat weg wel wie wij zelf zich zij zo zon zijn
    """.split()
)

#: Derivational suffixes (and suffix-like fragments) that are never a part.
BLOCKED_TAILS: frozenset[str] = frozenset(
    """
    aar aars achtig achtige atie aties baar bare baarheid deert ding dingen dom
    eerd eert elijk elijke en ende eren ers erij erijen ging gingen heden heid ief
    ieve ige ing ingen isch ische isme ist isten iteit iteiten king lijk lijke
    lijken lijkheid lijkheden lijven ling lingen loos loze lozen matig matige ming
    nis nissen rende ring ringen schap schappen ster sters teren ting tie ties tje
    tjes waardig zaam zame
    """.split()
)

_MAX_WORD = 40
_VERB_PREFIXES = ("be", "er", "ge", "her", "ont", "ver")
_SHORT = 3
_CACHE_SIZE = 200_000
_Seg = tuple[tuple[str, ...], tuple[str, ...]]


@dataclass(frozen=True)
class Split:
    """The analysis of one word.

    ``parts`` are the lexicon words (without linking morphemes), ``links`` the
    linking morpheme after each part (``""`` for none; the last is always ``""``),
    ``score`` the mean Zipf frequency of the parts (the word's own frequency when
    it is not split).
    """

    word: str
    parts: tuple[str, ...]
    links: tuple[str, ...]
    score: float

    @property
    def is_compound(self) -> bool:
        """True when the word was split into two or more parts."""
        return len(self.parts) > 1


def _prefix_like(head: str) -> bool:
    """True for heads that are a verbal prefix rather than a word.

    ``vers`` in ``verstrekking`` is ``ver`` + one letter, ``inge`` in ``ingebracht``
    is a particle + the participle's ``ge``.
    """
    if any(head.startswith(p) and len(head) <= len(p) + 1 for p in _VERB_PREFIXES):
        return True
    return head.endswith("ge") and head[:-2] in BLOCKED_PARTS


@lru_cache(maxsize=65536)
def _english_zipf(word: str) -> float:
    """The Zipf frequency of ``word`` in English (to recognise English short words)."""
    from wordfreq import zipf_frequency  # noqa: PLC0415 - 110 ms to import: on first use

    return float(zipf_frequency(word, "en"))


@lru_cache(maxsize=1)
def wordfreq_lexicon() -> dict[str, float]:
    """Return wordfreq's Dutch word list as ``word → Zipf frequency`` (loaded once)."""
    from wordfreq import get_frequency_dict  # noqa: PLC0415 - 110 ms to import: on first use

    return {
        word: math.log10(freq * 1e9)
        for word, freq in get_frequency_dict("nl").items()
        if freq > 0 and word.isalpha()
    }


class Decompounder:
    """Split Dutch compounds into lexicon words.

    ``lexicon`` maps words to Zipf frequencies (default: wordfreq's Dutch list).
    ``extra_words`` (e.g. the corpus vocabulary) are added with ``extra_zipf`` when
    the lexicon lacks them, so they can serve as parts.  ``keep`` lists words that
    are never split.  See the module docstring for the scoring.
    """

    def __init__(
        self,
        lexicon: Mapping[str, float] | None = None,
        *,
        min_part: int = 3,
        min_last: int = 4,
        min_part_zipf: float = 2.0,
        margin: float = 0.75,
        part_penalty: float = 0.5,
        max_parts: int = 4,
        keep: Iterable[str] = (),
        extra_words: Iterable[str] = (),
        extra_zipf: float = 2.5,
        short_part_zipf: float = 4.0,
    ) -> None:
        base = wordfreq_lexicon() if lexicon is None else lexicon
        extra = {w.lower(): extra_zipf for w in extra_words if w.lower() not in base}
        self._lexicon: Mapping[str, float] = {**base, **extra} if extra else base
        self.min_part = min_part
        self.min_last = max(min_last, min_part)
        self.min_part_zipf = min_part_zipf
        self.margin = margin
        self.part_penalty = part_penalty
        self.max_parts = max_parts
        self.keep: frozenset[str] = frozenset(w.lower() for w in keep)
        self.short_part_zipf = short_part_zipf
        self._extra = frozenset(extra)
        self._cache: dict[str, Split] = {}

    # ------------------------------------------------------------------ public
    def zipf(self, word: str) -> float:
        """The Zipf frequency of ``word`` in the lexicon (0.0 when unknown)."""
        return self._lexicon.get(word.lower(), 0.0)

    def analyse(self, word: str) -> Split:
        """Return the best :class:`Split` of ``word`` (cached per word)."""
        key = word.lower()
        found = self._cache.get(key)
        if found is None:
            found = self._analyse(key)
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.clear()
            self._cache[key] = found
        return found

    def split(self, word: str) -> list[str]:
        """Return the parts of ``word`` (lowercase), or ``[word.lower()]`` when it is no compound.

        Linking morphemes are dropped: ``gezondheidsachterstanden`` gives
        ``['gezondheid', 'achterstanden']``.
        """
        return list(self.analyse(word).parts)

    # ------------------------------------------------------------------ internals
    def _is_part(self, text: str, *, first: bool, last: bool) -> bool:
        # Every test is a plain condition, so their order does not matter for the
        # result; the lexicon lookup goes first because most substrings are no word.
        zipf = self._lexicon.get(text, 0.0)
        if zipf < self.min_part_zipf:
            return False
        if len(text) < (self.min_last if last else self.min_part) or text in BLOCKED_PARTS:
            return False
        if not last and _prefix_like(text):
            return False
        if not first and text in BLOCKED_TAILS:
            return False
        if len(text) <= _SHORT and text not in self._extra:
            # Short lexicon entries are often abbreviations or English words (``art``,
            # ``con``, ``get``): a short part must be common and more Dutch than English.
            return zipf >= self.short_part_zipf and zipf >= _english_zipf(text)
        return True

    def _score(self, parts: tuple[str, ...]) -> float:
        mean = sum(self._lexicon[p] for p in parts) / len(parts)
        return mean - self.part_penalty * (len(parts) - 2)

    def _analyse(self, word: str) -> Split:
        own = self._lexicon.get(word, 0.0)
        whole = Split(word, (word,), ("",), own)
        if (
            word in self.keep
            or not word.isalpha()
            or len(word) < self.min_part + self.min_last
            or len(word) > _MAX_WORD
        ):
            return whole
        memo: dict[tuple[int, int], list[_Seg]] = {}
        best: Split | None = None
        for parts, links in self._segmentations(word, 0, self.max_parts, memo):
            if len(parts) < 2:
                continue
            score = self._score(parts)
            if best is None or score > best.score:
                best = Split(word, parts, links, score)
        if best is not None and best.score > own + self.margin:
            return best
        return whole

    def _segmentations(
        self, word: str, start: int, budget: int, memo: dict[tuple[int, int], list[_Seg]]
    ) -> list[_Seg]:
        """All ways to write ``word[start:]`` as at most ``budget`` parts with links."""
        key = (start, budget)
        if key in memo:
            return memo[key]
        first = start == 0
        found: list[_Seg] = []
        if self._is_part(word[start:], first=first, last=True):
            found.append(((word[start:],), ("",)))
        if budget > 1:
            for end in range(start + self.min_part, len(word) - self.min_last + 1):
                head = word[start:end]
                if not self._is_part(head, first=first, last=False):
                    continue
                for link in ("", *LINKS):
                    if link and (not word.startswith(link, end) or head + link in BLOCKED_PARTS):
                        continue
                    nxt = end + len(link)
                    if len(word) - nxt < self.min_last:
                        continue
                    for parts, links in self._segmentations(word, nxt, budget - 1, memo):
                        found.append(((head, *parts), (link, *links)))
        memo[key] = found
        return found


@lru_cache(maxsize=1)
def default_decompounder() -> Decompounder:
    """A shared :class:`Decompounder` over wordfreq's Dutch lexicon (built once)."""
    return Decompounder()
