"""Which thema's (wonen, werken, veiligheid ...) a passage is about.

A thema is a property of a passage rather than a name in it, so thema mentions
are passage-level (method ``context``):

rule ``section``
    a heading in the passage's section path (or the passage itself, when it is a
    heading) names the thema.  After numbering (``3.``, ``Box 11:``,
    ``Experiment 2:``) and stock words (*voortgang*, *inzet*, *instrumenten*, *in
    de wijk* ...) are removed, the heading must consist of the thema's name or
    aliases (``Wonen``, ``Voortgang leren & opgroeien``, ``Box 3: Inzet op werk``)
    plus words of its vocabulary (``Gezondheid / groen``), or only of words of one
    thema's vocabulary (``Sport en bewegen``, ``Vouchersysteem``).  A heading with
    other words does not count: ``3. Werken aan zichtbare resultaten`` is not
    about *werken*.  The mention has ``start = end = 0`` unless the passage is the
    heading itself, and its surface is the heading.
rule ``vocabulary``
    the passage contains at least ``min_words`` (default 3) *different* indicative
    words of the thema's vocabulary in the registry, outside the names of
    partners and organisaties (``Convenantbureau Overgewicht``); inflections count once
    (``woning``/``woningen`` via the lookup lemmatizer), multi-word entries must
    occur as a whole (``openbare ruimte``).  A small vocabulary asks for fewer: one
    word per ``min_words`` entries (at least one), so the three words of
    *schuldenproblematiek* (``schuldenproblematiek``, ``schuldhulpverlening``,
    ``schuldenproblemen``) need one, not all three.  The mention spans the first
    indicative word; the score is ``min(1, found / (2 × needed))``.

A passage gets at most one mention per thema (``section`` first).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from kennisbank.model import Mention, Passage
from kennisbank.registry import Registry, normalise

_WORD = re.compile(r"[^\W_]+")
_NUMBERING = re.compile(
    r"^\s*(?:box\s+\d+\s*:|experiment\s+\d+\s*:|bijlage\s+\d+\s*:?|\d+(?:\.\d+)*\.?"
    r"|\(?[a-z]\)|\.{2,}|…)\s*",
    re.IGNORECASE,
)
HEADING_STOP_WORDS = frozenset(
    {
        "voortgang",
        "inzet",
        "instrumenten",
        "thema",
        "experiment",
        "op",
        "en",
        "de",
        "het",
        "in",
        "van",
        "een",
        "wijk",
        "wijken",
        "stad",
    }
)


@lru_cache(maxsize=65536)
def _fold(word: str) -> str:
    return normalise(word)


#: A multi-word vocabulary entry that may start at a word: (thema index, words, key).
_Start = tuple[int, tuple[str, ...], str]


@dataclass
class _Thema:
    id: str
    names: set[str] = field(default_factory=set)
    single: dict[str, str] = field(default_factory=dict)  # word or lemma -> group key
    multi: list[tuple[tuple[str, ...], str]] = field(default_factory=list)
    # first word (and its lemma) of a multi-word entry -> entries starting with it
    firsts: dict[str, list[tuple[tuple[str, ...], str]]] = field(default_factory=dict)
    # how many different vocabulary words a passage needs (rule ``vocabulary``)
    needed: int = 1


class ThemeMatcher:
    """Finds thema mentions in passages (see the module docstring).

    ``lemma`` maps a lowercase word to its lemma (default: the word itself).
    """

    def __init__(
        self,
        registry: Registry,
        *,
        min_words: int = 3,
        lemma: Callable[[str], str] | None = None,
    ) -> None:
        self.min_words = min_words
        self.lemma = lemma or (lambda word: word)
        self.themas: list[_Thema] = []
        for entity in registry.by_type("thema"):
            thema = _Thema(entity.id)
            for name in entity.names:
                thema.names.update(w for w in normalise(name).split() if w != "en")
            for entry in entity.attributes.get("vocabulaire", ()):
                words = tuple(normalise(str(entry)).split())
                if not words:
                    continue
                key = " ".join(self.lemma(w) for w in words)
                if len(words) == 1:
                    thema.single[words[0]] = key
                    thema.single.setdefault(self.lemma(words[0]), key)
                else:
                    thema.multi.append((words, key))
                    for first in {words[0], self.lemma(words[0])}:
                        thema.firsts.setdefault(first, []).append((words, key))
            keys = set(thema.single.values()) | {key for _, key in thema.multi}
            thema.needed = max(1, min(min_words, len(keys) // min_words))
            self.themas.append(thema)
        self.heading_themes = lru_cache(maxsize=4096)(self._heading_themes)
        self._word_entries = lru_cache(maxsize=65536)(self._entries_of)

    def _entries_of(self, word: str) -> tuple[tuple[tuple[int, str], ...], tuple[_Start, ...]]:
        """What a (folded) word can start, for every thema at once (index in ``self.themas``).

        The single-word keys it is (the word itself, else its lemma) and the
        multi-word entries that may start at it.  Depends on the word alone, so it
        is cached: a passage is then read once instead of once per thema.
        """
        lemma = self.lemma(word)
        singles: list[tuple[int, str]] = []
        starts: list[_Start] = []
        for index, thema in enumerate(self.themas):
            key = thema.single.get(word) or thema.single.get(lemma)
            if key is not None:
                singles.append((index, key))
            for entry, entry_key in thema.firsts.get(word, []) + thema.firsts.get(lemma, []):
                starts.append((index, entry, entry_key))
        return tuple(singles), tuple(starts)

    # ------------------------------------------------------------------ headings
    def _name_word(self, word: str, thema: _Thema) -> bool:
        if word in thema.names:
            return True
        return (
            len(word) >= 4
            and word in thema.single
            and any(name.startswith(word) for name in thema.names)
        )

    def _vocab_word(self, word: str, thema: _Thema) -> bool:
        return word in thema.single or self.lemma(word) in thema.single

    def _heading_themes(self, title: str) -> tuple[str, ...]:
        """The ids of the thema's a heading names (rule ``section``)."""
        rest = title
        while True:
            stripped = _NUMBERING.sub("", rest, count=1)
            if stripped == rest:
                break
            rest = stripped
        words = [w for w in normalise(rest).split() if w not in HEADING_STOP_WORDS]
        words = [w for w in words if not w.isdigit()]
        if not words:
            return ()
        named = [t for t in self.themas if any(self._name_word(w, t) for w in words)]
        if named:
            text = f" {' '.join(words)} "
            covered: set[str] = set()
            for thema in named:
                for entry, _ in thema.multi:
                    if f" {' '.join(entry)} " in text:
                        covered.update(entry)
            remaining = [w for w in words if w not in covered]
            if all(
                any(self._name_word(w, t) or self._vocab_word(w, t) for t in named)
                for w in remaining
            ):
                return tuple(t.id for t in named)
            return ()
        return tuple(t.id for t in self.themas if all(self._vocab_word(w, t) for w in words))

    # ------------------------------------------------------------------ passages
    def mentions(self, passage: Passage, exclude: Sequence[tuple[int, int]] = ()) -> list[Mention]:
        """Thema mentions of one passage: ``section`` rule first, then ``vocabulary``.

        Words inside the character spans ``exclude`` (names of organisations, say
        ``Convenantbureau Overgewicht``) are not indicative words.
        """
        found: dict[str, Mention] = {}
        own = [passage.text.strip()] if passage.kind == "heading" else []
        for title in (*passage.section_path, *own):
            for thema_id in self.heading_themes(title):
                if thema_id in found:
                    continue
                is_self = bool(own) and title == own[0]
                start = passage.text.find(title) if is_self else 0
                end = start + len(title) if is_self else 0
                found[thema_id] = Mention(
                    entity_id=thema_id,
                    passage_id=passage.id,
                    document_id=passage.document_id,
                    start=max(start, 0),
                    end=max(end, 0),
                    surface=title,
                    method="context",
                    score=1.0,
                    rule="section",
                )
        tokens = [
            (m.start(), m.end(), _fold(m.group()))
            for m in _WORD.finditer(passage.text)
            if not any(s <= m.start() < e for s, e in exclude)
        ]
        for thema, hits in zip(self.themas, self._vocabulary_hits(tokens), strict=True):
            if thema.id in found:
                continue
            if len(hits) >= thema.needed:
                start, end = min(hits.values())
                found[thema.id] = Mention(
                    entity_id=thema.id,
                    passage_id=passage.id,
                    document_id=passage.document_id,
                    start=start,
                    end=end,
                    surface=passage.text[start:end],
                    method="context",
                    score=round(min(1.0, len(hits) / (2 * thema.needed)), 2),
                    rule="vocabulary",
                )
        return sorted(found.values(), key=lambda m: (m.start, m.entity_id))

    def _vocabulary_hits(
        self, tokens: list[tuple[int, int, str]]
    ) -> list[dict[str, tuple[int, int]]]:
        """Per thema: each vocabulary key found → the span of its first occurrence."""
        hits: list[dict[str, tuple[int, int]]] = [{} for _ in self.themas]
        for index, (start, end, word) in enumerate(tokens):
            singles, starts = self._word_entries(word)
            for thema, key in singles:
                if key not in hits[thema]:
                    hits[thema][key] = (start, end)
            for thema, entry, entry_key in starts:
                if entry_key in hits[thema] or index + len(entry) > len(tokens):
                    continue
                if all(
                    tokens[index + k][2] == w or self.lemma(tokens[index + k][2]) == w
                    for k, w in enumerate(entry)
                ):
                    hits[thema][entry_key] = (start, tokens[index + len(entry) - 1][1])
        return hits


__all__ = ["HEADING_STOP_WORDS", "ThemeMatcher"]
