"""The Dutch analyzer of the index: Whoosh filters over :mod:`kennisbank.search.language`.

:func:`dutch_analyzer` builds the analyzer used for passage text, headings and
titles; :func:`analyze` returns the terms of a text.  The chain::

    RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter | VariantsFilter
        | DecompoundFilter | AccentFoldFilter | DutchStopFilter | DutchStemFilter
        | DedupeFilter

Each filter wraps one whoosh-free helper of :mod:`kennisbank.search.language` (variants,
compound parts, accent folding, stopwords, stemming), where tokens, index versus query
mode, stopwords and stemming are described.

All filters are module-level classes without unpicklable state, so Whoosh can
pickle the schema and rebuild the analyzer when an index is opened (their class paths
are in every index: moving them means bumping ``SEARCH_SCHEMA_VERSION``).
:func:`dutch_analyzer` returns a :class:`DutchAnalyzer`: the same chain, with
index-time analysis memoised per word (the output is the chain's, token for token).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from whoosh.analysis import (
    Analyzer,
    CompositeAnalyzer,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    Token,
)

from kennisbank.search.language import (
    TOKEN_PATTERN,
    Mode,
    decompounder,
    fold,
    is_stopword,
    stem,
    variants,
)


class VariantsFilter(Filter):
    """Normalise a token and, at index time, add its variants at the same position.

    Hyphenated words get their parts and joined form, numbers their Dutch
    spellings (see the module docstring); a trailing ``'s`` is removed.
    """

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            main, extra = variants(t.text)
            if not main:
                continue
            t.text = main
            if t.mode == "query" or not extra:
                yield t
                continue
            keep = _snapshot(t)
            yield t
            for text in extra:
                if text and text != main:
                    _restore(t, keep)
                    t.text = text
                    yield t


class DecompoundFilter(Filter):
    """At index time, add the parts of a Dutch compound at the word's position.

    Uses :class:`kennisbank.search.decompound.Decompounder`; in query mode tokens pass
    unchanged (see the module docstring).
    """

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        dec = None
        for t in tokens:
            text = t.text
            if t.mode == "query" or len(text) < 7 or not text.isalpha():
                yield t
                continue
            if dec is None:
                dec = decompounder()
            parts = dec.split(text)
            keep = _snapshot(t)
            yield t
            if len(parts) > 1:
                for part in parts:
                    _restore(t, keep)
                    t.text = part
                    yield t


class AccentFoldFilter(Filter):
    """Fold accents (``conciërges`` → ``concierges``); drop tokens that become empty."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            if not t.text.isascii():
                t.text = fold(t.text).strip()
                if not t.text:
                    continue
            yield t


class DutchStopFilter(Filter):
    """Remove Dutch stopwords and one-letter words, renumbering positions.

    Unlike Whoosh's ``StopFilter(renumber=True)`` this keeps tokens that share a
    position (parts of a compound) at one position: positions are renumbered per
    group, so stopwords never leave gaps that would break phrase queries.
    """

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        last_orig: int | None = None
        new_pos = 0
        for t in tokens:
            text = t.text
            if is_stopword(text):
                if not t.removestops:
                    t.stopped = True
                    yield t
                continue
            t.stopped = False
            if t.positions:
                if last_orig is None:
                    new_pos = t.pos
                elif t.pos != last_orig:
                    new_pos += 1
                last_orig = t.pos
                t.pos = new_pos
            yield t


class DutchStemFilter(Filter):
    """Stem with :func:`stem` (lemma of plurals, overrides, Snowball Dutch/Porter)."""

    is_morph = True

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            if not t.stopped:
                t.text = stem(t.text)
            yield t


class DedupeFilter(Filter):
    """Drop a term that repeats at the same position (``werkplek`` from part and word)."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        seen: set[str] = set()
        last: Any = None
        for t in tokens:
            where = t.pos if t.positions else None
            if where != last or where is None:
                seen = set()
                last = where
            if t.text in seen:
                continue
            seen.add(t.text)
            yield t


_SNAPSHOT_ATTRS = ("pos", "startchar", "endchar", "boost", "stopped")


def _snapshot(t: Token) -> dict[str, Any]:
    return {name: getattr(t, name) for name in _SNAPSHOT_ATTRS if hasattr(t, name)}


def _restore(t: Token, keep: dict[str, Any]) -> None:
    for name, value in keep.items():
        setattr(t, name, value)


# ---------------------------------------------------------------- the analyzer
#: Filters whose output for a token depends on that token alone (apart from the
#: position renumbering of :class:`DutchStopFilter` and the per-position
#: :class:`DedupeFilter`, which :class:`DutchAnalyzer` reproduces).
_PER_TOKEN_FILTERS = (
    LowercaseFilter,
    VariantsFilter,
    DecompoundFilter,
    AccentFoldFilter,
    DutchStopFilter,
    DutchStemFilter,
    DedupeFilter,
)
#: Distinct words whose terms :class:`DutchAnalyzer` keeps before starting afresh.
_WORD_CACHE_SIZE = 400_000
#: Text whose tokens are not the lower-cased tokens of the lower-cased text: an
#: upper-case ``'S-`` (the tokenizer's ``'s-`` prefix is lower case) and a capital
#: sigma (lower-cased by context).
_CASE_SENSITIVE = re.compile("[\u2018\u2019']S|\u03a3")
#: Field values up to this length (titles, heading paths) are cached whole.
_VALUE_CACHE_CHARS = 400
_VALUE_CACHE_SIZE = 20_000


class DutchAnalyzer(CompositeAnalyzer):
    """The chain of :func:`dutch_analyzer`, with index-time analysis memoised per word.

    At index time every filter of the chain treats a word on its own, except
    that stopwords take no position and terms of one word are deduplicated.  So
    the terms of a word are computed once, by running the very same chain over
    that word alone, and reused for every later occurrence; positions and
    character offsets are then assigned as the chain does.  Short field values
    (titles, heading paths, which repeat across the passages of a document) are
    cached whole.  Query mode and unusual options run the plain chain, so the
    output is the chain's output in every case.
    """

    def __init__(self, *composables: Any) -> None:
        super().__init__(*composables)
        self._reset_caches()

    def _reset_caches(self) -> None:
        #: Per ``positions`` flag: lower-case word → its terms.
        self._words: dict[bool, dict[str, tuple[str, ...]]] = {True: {}, False: {}}
        self._values: dict[tuple[str, bool], list[tuple[str, int, int, int]]] = {}
        self.fast = isinstance(self.items[0], RegexTokenizer) and all(
            type(item) in _PER_TOKEN_FILTERS for item in self.items[1:]
        )

    def __getstate__(self) -> dict[str, Any]:
        return {"items": self.items}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.items = state["items"]
        self._reset_caches()

    def __call__(  # type: ignore[override]
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        no_morph: bool = False,
        **kwargs: Any,
    ) -> Iterator[Token]:
        if (
            mode != "index"
            or not self.fast
            or keeporiginal
            or not removestops
            or not tokenize
            or no_morph
        ):
            return super().__call__(
                value,
                no_morph=no_morph,
                positions=positions,
                chars=chars,
                keeporiginal=keeporiginal,
                removestops=removestops,
                start_pos=start_pos,
                start_char=start_char,
                tokenize=tokenize,
                mode=mode,
                **kwargs,
            )
        token = Token(positions, chars, removestops=True, mode=mode, **kwargs)
        return self._emit(token, self._index_terms(value, positions), start_pos, start_char)

    def index_terms(self, value: str, positions: bool = True) -> list[tuple[str, int, int, int]]:
        """``(term, position, startchar, endchar)`` of every index-mode token of ``value``,
        as the plain chain makes them (positions start at 0, chars at 0)."""
        return self._index_terms(value, positions)

    def _index_terms(self, value: str, positions: bool) -> list[tuple[str, int, int, int]]:
        short = len(value) <= _VALUE_CACHE_CHARS
        if short:
            found = self._values.get((value, positions))
            if found is not None:
                return found
        lowered = value.lower()
        if len(lowered) == len(value) and not _CASE_SENSITIVE.search(value):
            # Lower-casing the whole value keeps every offset and gives the tokens
            # the tokenizer finds in the value, lower-cased one by one.
            out = self._lowered_terms(lowered, positions)
        else:
            out = self._token_terms(value, positions)
        if short:
            if len(self._values) >= _VALUE_CACHE_SIZE:
                self._values.clear()
            self._values[(value, positions)] = out
        return out

    def _lowered_terms(self, lowered: str, positions: bool) -> list[tuple[str, int, int, int]]:
        """:meth:`_index_terms` of a value whose lower-cased form is ``lowered``."""
        words = self._words[positions]
        word_terms = self._word_terms
        out: list[tuple[str, int, int, int]] = []
        append = out.append
        pos = raw = -1
        for match in self.items[0].expression.finditer(lowered):
            raw += 1
            text = match.group()
            terms = words.get(text)
            if terms is None:
                terms = word_terms(text, positions)
            if not terms:
                continue
            # DutchStopFilter: the first kept word keeps its own position, every later
            # kept word takes the next one.
            pos = raw if pos < 0 else pos + 1
            start, end = match.span()
            if len(terms) == 1:
                append((terms[0], pos, start, end))
            else:
                out.extend([(term, pos, start, end) for term in terms])
        return out

    def _token_terms(self, value: str, positions: bool) -> list[tuple[str, int, int, int]]:
        """:meth:`_index_terms`, lower-casing each token on its own."""
        words = self._words[positions]
        out: list[tuple[str, int, int, int]] = []
        pos = -1
        for raw, match in enumerate(self.items[0].expression.finditer(value)):
            text = match.group(0).lower()
            terms = words.get(text)
            if terms is None:
                terms = self._word_terms(text, positions)
            if not terms:
                continue
            pos = raw if pos < 0 else pos + 1
            start, end = match.start(), match.end()
            out.extend((term, pos, start, end) for term in terms)
        return out

    def _word_terms(self, text: str, positions: bool) -> tuple[str, ...]:
        """The terms the chain's filters make of the one lowercase word ``text``."""
        token = Token(positions, True, removestops=True, mode="index")
        token.text, token.boost, token.stopped = text, 1.0, False
        token.pos, token.startchar, token.endchar = 0, 0, len(text)
        stream: Iterator[Token] = iter((token,))
        for item in self.items[1:]:
            stream = item(stream)
        terms = tuple(t.text for t in stream)
        words = self._words[positions]
        if len(words) >= _WORD_CACHE_SIZE:
            words.clear()
        words[text] = terms
        return terms

    @staticmethod
    def _emit(
        token: Token,
        terms: list[tuple[str, int, int, int]],
        start_pos: int,
        start_char: int,
    ) -> Iterator[Token]:
        token.boost = 1.0
        token.stopped = False
        positions, chars = token.positions, token.chars
        for text, pos, start, end in terms:
            token.text = text
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token


# ---------------------------------------------------------------- public API
def dutch_analyzer(*, decompound: bool = True) -> Analyzer:
    """Return the Dutch analyzer for passage text, headings and titles.

    ``decompound=False`` leaves out compound splitting (the index then holds
    only whole words).  The result is picklable, as Whoosh requires; it is a
    :class:`DutchAnalyzer`, which memoises index-time analysis per word.
    """
    return DutchAnalyzer(*plain_dutch_chain(decompound=decompound).items)


def plain_dutch_chain(*, decompound: bool = True) -> CompositeAnalyzer:
    """The filter chain of :func:`dutch_analyzer` as a plain Whoosh analyzer, without
    memoising (the reference :class:`DutchAnalyzer` is tested against)."""
    chain: Any = RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | VariantsFilter()
    if decompound:
        chain = chain | DecompoundFilter()
    return chain | AccentFoldFilter() | DutchStopFilter() | DutchStemFilter() | DedupeFilter()


@lru_cache(maxsize=2)
def _cached_analyzer(decompound: bool) -> Analyzer:
    return dutch_analyzer(decompound=decompound)


def analyze(text: str, *, mode: Mode = "index", decompound: bool = True) -> list[str]:
    """Return the terms of ``text`` as the index (``mode="index"``) or a query sees them.

    >>> analyze("Bewonersparticipatie in de wijken")
    ['bewonersparticipatie', 'bewoner', 'participatie', 'wijk']
    >>> analyze("Bewonersparticipatie in de wijken", mode="query")
    ['bewonersparticipatie', 'wijk']
    """
    if mode not in ("index", "query"):
        raise ValueError(f"mode moet 'index' of 'query' zijn, niet {mode!r}")
    analyzer = _cached_analyzer(decompound)
    return [t.text for t in analyzer(text, positions=True, mode=mode)]


def analyze_positions(
    text: str, *, mode: Mode = "index", decompound: bool = True
) -> list[tuple[int, str]]:
    """Like :func:`analyze`, with each term's position (shared by a word's variants)."""
    analyzer = _cached_analyzer(decompound)
    return [(t.pos, t.text) for t in analyzer(text, positions=True, mode=mode)]


__all__ = [
    "AccentFoldFilter",
    "DecompoundFilter",
    "DedupeFilter",
    "DutchStemFilter",
    "DutchAnalyzer",
    "DutchStopFilter",
    "VariantsFilter",
    "analyze",
    "analyze_positions",
    "dutch_analyzer",
    "plain_dutch_chain",
]
