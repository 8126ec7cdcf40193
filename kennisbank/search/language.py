"""The Dutch language helpers of the search, without Whoosh: stopwords, folding, stemming.

The analyzer of the index (:mod:`kennisbank.search.whoosh_backend.analysis`) is a chain
of Whoosh filters, each wrapping one of these functions::

    tokens (TOKEN_PATTERN) | lower case | variants | compound parts | accent folding
        | stopwords | stemming | dedupe

Tokens
    ``leer-werkplekken`` is one token; at index time its parts ``leer`` and
    ``werkplekken`` and the joined ``leerwerkplekken`` are added at the same
    position.  ``kst-30995-78`` likewise (parts ``kst``, ``30995``, ``78``),
    ``'s-Gravenhage`` gives ``s-gravenhage`` + ``gravenhage``.  Numbers:
    ``30 995`` (Dutch digit grouping) and ``30995`` both index ``30995``,
    ``30`` and ``995``; ``€ 5.000`` gives ``5000``; ``40+`` gives ``40+`` (and
    ``40``); ``G31`` gives ``g31``.  ``thema's`` gives ``thema``
    (:func:`variants`).
Index mode versus query mode
    Every extra term (part, joined form, number variant, compound part) is
    emitted at the position of its token, so phrase queries keep working.  In
    query mode each word yields exactly one term: the whole hyphenated
    word, the joined number (``30 995`` → ``30995``), the stemmed word, and no
    compound parts (:func:`query_terms`).  A query word therefore never requires
    all parts of a compound; the index side holds them, so ``participatie`` finds
    ``bewonersparticipatie`` and ``uitval`` finds ``schooluitval``.
Stopwords
    ``data/stopwords_nl.txt``: function words and question words only (``hoe``,
    ``hoeveel``, ``welke``, ``niet``, ``geen`` …); content words of the domain
    (``wijk``, ``werk``, ``wonen``, ``buurt``) are kept.  Stopwords do not take a
    position, so ``"Scoren door Scholing"`` matches as a phrase either way.
Stemming
    Accents are folded first (``geïnformeerd`` = ``geinformeerd``).  A plural
    is first reduced to its lemma with simplemma when that lemma is shorter and
    starts alike (``steden`` → ``stad``, ``kinderen`` → ``kind``,
    ``corporaties`` → ``corporatie``), then stemmed with Snowball's classic
    Dutch (Porter) algorithm via PyStemmer (``dutch_porter``: the same stems as
    Whoosh's own Dutch stemmer, several times faster).  ``data/stem_overrides.json``
    fixes stems that would merge unrelated domain words (``overheid`` ≠ ``over``,
    ``ouderen`` ≠ ``ouders``).
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import Stemmer

from kennisbank.registry import Registry
from kennisbank.search.decompound import Decompounder, wordfreq_lexicon

#: The data files shipped with the package (``kennisbank/data``).
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
STOPWORDS_FILE = DATA_DIR / "stopwords_nl.txt"
STEM_OVERRIDES_FILE = DATA_DIR / "stem_overrides.json"

_HYPHENS = "-\u2010\u2011\u2013"
_APOS = "'\u2019"
#: The tokenizer's pattern: grouped numbers, ``'s-`` names, hyphen chains, ``40+``.
TOKEN_PATTERN = (
    r"(?<![\w.,])\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+(?![\w+]|[.,]\d)"
    rf"|(?:['\u2018\u2019]s[{_HYPHENS}])?"
    rf"(?:\d+(?:[.,]\d+)+|\w+(?:[{_APOS}]\w+)*)"
    rf"(?:[{_HYPHENS}](?:\d+(?:[.,]\d+)+|\w+(?:[{_APOS}]\w+)*))*"
    r"\+?"
)

_SPACED_NUMBER = re.compile(r"^\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+$")
_THOUSANDS = re.compile(r"^\d{1,3}(?:\.\d{3})+(?:,\d+)?$")
_DOSSIER = re.compile(r"^\d{5}$")
_HYPHEN_RE = re.compile(f"[{_HYPHENS}]")
_STEMMABLE = re.compile(r"^[a-z]+$")

Mode = Literal["index", "query"]


# ---------------------------------------------------------------- data files
@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """The Dutch stopword list (lowercase, accent-folded) from ``data/stopwords_nl.txt``."""
    words = set()
    for line in STOPWORDS_FILE.read_text(encoding="utf-8").splitlines():
        word = line.split("#", 1)[0].strip().lower()
        if word:
            words.add(fold(word))
    return frozenset(words)


@lru_cache(maxsize=1)
def stem_overrides() -> dict[str, str]:
    """Word → stem overrides from ``data/stem_overrides.json`` (keys accent-folded)."""
    payload = json.loads(STEM_OVERRIDES_FILE.read_text(encoding="utf-8"))
    table: dict[str, str] = {}
    for group in payload["overrides"]:
        for word in group["words"]:
            table[fold(word.lower())] = group["stem"]
    return table


# ---------------------------------------------------------------- word functions
def fold(text: str) -> str:
    """Remove accents: ``geïnformeerd`` → ``geinformeerd`` (NFKD, combining marks dropped)."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    return Stemmer.Stemmer("dutch_porter")


def _lemma(word: str) -> str:
    """The singular of a plural the stemmer misses, else ``word``.

    simplemma's lemma when it is shorter and starts alike (``steden`` → ``stad``,
    ``kinderen`` → ``kind``); otherwise ``-ies`` → ``-ie`` (``zorginstanties``) and
    ``-es`` → ``-e`` when that singular is at least as common (``rapportages``,
    ``concierges``; not ``proces`` or ``succes``).
    """
    if not word.endswith(("s", "en")) or len(word) < 4:
        return word
    import simplemma  # noqa: PLC0415 - 55 ms to import: loaded when a plural is first stemmed

    lemma = simplemma.lemmatize(word, lang="nl").lower()
    if len(lemma) < len(word) and lemma[:2] == word[:2] and _STEMMABLE.match(lemma):
        return lemma
    if word.endswith("ies") and len(word) > 5:
        return word[:-1]
    if word.endswith("es") and len(word) > 5:
        lexicon = wordfreq_lexicon()
        single = lexicon.get(word[:-1], 0.0)
        if single > 0 and single >= lexicon.get(word, 0.0):
            return word[:-1]
    return word


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Stem one lowercase, accent-folded word (see the module docstring).

    Words with digits are returned unchanged; in a hyphenated word only the last
    segment is stemmed (``leer-werkplekken`` → ``leer-werkplek``).
    """
    if not _STEMMABLE.match(word):
        match = re.match(rf"^(.*[{_HYPHENS}])([a-z]+)$", word)
        if match and not any(ch.isdigit() for ch in word):
            return match.group(1) + stem(match.group(2))
        return word
    overrides = stem_overrides()
    if word in overrides:
        return overrides[word]
    base = _lemma(word)
    if base in overrides:
        return overrides[base]
    return str(_stemmer().stemWord(base))


@lru_cache(maxsize=1)
def decompounder() -> Decompounder:
    """The shared decompounder; wijk, buurt and gemeente names are never split."""
    return Decompounder(keep=_place_names())


def _place_names() -> set[str]:
    try:
        registry = Registry.load()
    except Exception:  # the registry is optional: analysis works without it
        return set()
    names: set[str] = set()
    for kind in ("gemeente", "wijk", "buurt"):
        for entity in registry.by_type(kind):
            for name in entity.names:
                names.update(w for w in re.split(r"[\W_]+", name.lower()) if w.isalpha())
    return names


# ---------------------------------------------------------------- tokens
def variants(text: str) -> tuple[str, list[str]]:
    """Return (query form, extra index forms) of one lowercase token."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    if text.startswith("'s") and len(text) > 2 and text[2] in _HYPHENS:
        text = text[1:]
    if text.endswith("'s"):
        text = text[:-2]
    if _SPACED_NUMBER.match(text):
        groups = text.split()
        return "".join(groups), groups
    if _THOUSANDS.match(text):
        return text.replace(".", ""), []
    if _DOSSIER.match(text):
        return text, [text[:2], text[2:]]
    if text.endswith("+") and len(text) > 1:
        return text, [text[:-1]]
    parts = [p for p in _HYPHEN_RE.split(text) if p]
    if len(parts) < 2:
        return text, []
    extra: list[str] = []
    for part in parts:
        if len(part) < 2 and not part.isdigit():
            continue
        main, more = variants(part)
        extra.append(main)
        extra.extend(more)
    if all(p.isalpha() for p in parts) and min(len(p) for p in parts) >= 2:
        extra.append("".join(parts))
    return _HYPHEN_RE.sub("-", text), extra


#: The tokenizer's compiled pattern (what Whoosh's ``RegexTokenizer`` matches).
TOKEN_RE = re.compile(TOKEN_PATTERN, re.UNICODE)


def is_stopword(text: str) -> bool:
    """True for a folded token the index leaves out: a stopword or a single letter."""
    return text in stopwords() or (len(text) < 2 and not text.isdigit())


def query_terms(text: str) -> list[str]:
    """The terms the analyzer makes of ``text`` in query mode, one per kept word.

    The same as ``analyze(text, mode="query")`` of
    :mod:`kennisbank.search.whoosh_backend.analysis` (tested to be equal), without
    Whoosh: each token is lower-cased, reduced to its query form (:func:`variants`),
    accent-folded, dropped when it is a stopword, and stemmed.
    """
    terms = []
    for match in TOKEN_RE.finditer(text):
        word = variants(match.group(0).lower())[0]
        if not word:
            continue
        if not word.isascii():
            word = fold(word).strip()
            if not word:
                continue
        if not is_stopword(word):
            terms.append(stem(word))
    return terms


__all__ = [
    "DATA_DIR",
    "TOKEN_PATTERN",
    "TOKEN_RE",
    "decompounder",
    "Mode",
    "fold",
    "is_stopword",
    "query_terms",
    "stem",
    "stem_overrides",
    "stopwords",
    "variants",
]
