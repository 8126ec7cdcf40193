"""Questions reduced to their content, the kind of answer they ask for, informal spelling.

The word lists live in ``kennisbank/data/question_words.json`` (each category with its
source, see ``SOURCES.md``); this module only applies them:

* :func:`is_question`: a query ending in ``?``, opening with a question word, or opening
  with the finite verb of a yes/no question (``Klopt het dat …``, ``Zijn er …``);
* :func:`reduce_question`: in a question, the words that only make it a question (question
  words, auxiliaries, modal particles such as *nou*, *echt*, *eigenlijk*, the asker's
  pronouns, demonstratives, frame verbs such as *klopt*, *denken*, *vond*) are dropped from
  the top-level group, so they neither score nor count for coverage; a query of keywords
  is left alone;
* :func:`answer_type`: ``hoeveel``/``hoe vaak``/``welk percentage`` → ``amount``, ``wie`` →
  ``who``, ``wanneer``/``tot wanneer``/``hoe lang``/``welk jaar`` → ``when``, ``waar`` →
  ``where``; :func:`answer_evidence` says which of those a passage can answer (numbers,
  years, months and durations, organisations and persons, places), for a small rerank
  bonus;
* :func:`respell`: informal spelling in any query: ``m'n``/``d'r``/``'t`` written out,
  ``babys``/``autos`` also searched as ``baby's``/``auto's``, a split pronominal adverb at
  the end (``de buurten er naast``) joined (``ernaast``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kennisbank.search.querytree import Group, Node, Or, Word, combine

#: The data file with the word lists and their sources.
QUESTION_WORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "question_words.json"
#: The answer types :func:`answer_type` knows.
ANSWER_TYPES = ("amount", "who", "when", "where")

_NUMBER_RE = re.compile(r"(?<![\w.,])(\d+(?:[.,]\d+)*)(?![\w])")
_YEAR_RE = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_PERCENT_RE = re.compile(r"\d\s?%|€\s?\d")
_WORD_RE = re.compile(r"\w+(?:['\u2019]\w+)*|['\u2019]\w+")


@dataclass(frozen=True)
class QuestionWords:
    """The lists of ``question_words.json``, ready to use (lower case)."""

    fillers: frozenset[str]
    starters: frozenset[str]
    openings: frozenset[str]
    cues: tuple[tuple[tuple[str, ...], str], ...]
    cue_prepositions: frozenset[str]
    number_words: frozenset[str]
    months: frozenset[str]
    who_types: frozenset[str]
    where_types: frozenset[str]
    time_units: frozenset[str]
    contractions: dict[str, str]
    plural_vowels: str
    plural_min_length: int
    adverb_heads: frozenset[str]
    adverb_prepositions: frozenset[str]

    @classmethod
    def load(cls, path: Path = QUESTION_WORDS_FILE) -> QuestionWords:
        """Read the data file."""
        data = json.loads(path.read_text(encoding="utf-8"))
        fillers = {w.lower() for cat in data["filler_categories"] for w in cat["words"]}
        cues = sorted(
            ((tuple(c["words"].lower().split()), c["type"]) for c in data["answer_types"]["cues"]),
            key=lambda cue: -len(cue[0]),
        )
        evidence = data["answer_evidence"]
        spelling = data["spelling"]
        adverbs = spelling["pronominal_adverbs"]
        return cls(
            fillers=frozenset(fillers),
            starters=frozenset(
                w.lower()
                for cat in data["filler_categories"]
                if cat.get("opens_question")
                for w in cat["words"]
            ),
            openings=frozenset(w.lower() for w in data["question_openings"]["words"]),
            cues=tuple(cues),
            cue_prepositions=frozenset(data["answer_types"]["leading_prepositions"]),
            number_words=frozenset(evidence["number_words"]),
            months=frozenset(evidence["months"]),
            who_types=frozenset(evidence["who_entity_types"]),
            where_types=frozenset(evidence["where_entity_types"]),
            time_units=frozenset(evidence.get("time_units", ())),
            contractions=dict(spelling["contractions"]["forms"]),
            plural_vowels=spelling["apostrophe_plural"]["vowels"],
            plural_min_length=int(spelling["apostrophe_plural"]["min_length"]),
            adverb_heads=frozenset(adverbs["heads"]),
            adverb_prepositions=frozenset(adverbs["prepositions"]),
        )


@lru_cache(maxsize=1)
def question_words() -> QuestionWords:
    """The word lists of ``question_words.json`` (read once)."""
    return QuestionWords.load()


def _norm(word: str) -> str:
    return word.lower().replace("\u2019", "'")


def query_words(text: str) -> list[str]:
    """The words of ``text`` in lower case, apostrophes kept (``zo'n``, ``m'n``)."""
    return [_norm(w) for w in _WORD_RE.findall(text)]


def is_question(text: str, words: list[str]) -> bool:
    """A question: ends in ``?``, opens with a question word, or opens with the finite
    verb of a yes/no question followed by at least two more words."""
    if text.rstrip().endswith("?"):
        return True
    if not words:
        return False
    qw = question_words()
    if words[0] in qw.starters:
        return True
    return words[0] in qw.openings and len(words) >= 3


def answer_type(words: list[str]) -> str | None:
    """The kind of answer a question asks for (see :data:`ANSWER_TYPES`), or ``None``: a
    cue opening the question, or right after an opening preposition (``In hoeveel …``,
    ``Bij wie …``); a longer cue before a shorter one.  Further on ``waar``/``wie`` are
    mostly relative (``een plek waar …``) and ask for nothing."""
    qw = question_words()
    starts = [0, 1] if words and words[0] in qw.cue_prepositions else [0]
    for i in starts:
        for cue, kind in qw.cues:
            if tuple(words[i : i + len(cue)]) == cue:
                return kind
    return None


def is_filler(word: str) -> bool:
    """True for a word that in a question only makes it a question."""
    return _norm(word) in question_words().fillers


def reduce_question(root: Node | None) -> tuple[Node | None, tuple[str, ...]]:
    """Drop the question's frame words from the top-level group; returns the new root and
    the words dropped.  When nothing would be left the root stays as it was."""
    if not isinstance(root, (Group, Word)):
        return root, ()
    items = root.children if isinstance(root, Group) else (root,)
    kept = [i for i in items if not (isinstance(i, Word) and not i.prefix and is_filler(i.text))]
    if not kept:
        return root, ()
    removed = tuple(i.text for i in items if i not in kept)
    return combine(Group, kept), removed


def apostrophe_plural(word: str) -> str | None:
    """``babys`` → ``baby's``, ``autos`` → ``auto's`` (a plural on ``-s`` after a single
    a/i/o/u/y typed without its apostrophe), else ``None``."""
    qw = question_words()
    low = word.lower()
    if len(low) < qw.plural_min_length or not low.isalpha() or low[-1] != "s":
        return None
    vowel, before = low[-2], low[-3]
    if vowel not in qw.plural_vowels or before in "aeiouy":
        return None
    return f"{word[:-1]}'s"


def respell(root: Node | None) -> tuple[Node | None, tuple[str, ...]]:
    """Informal spelling in the top-level group: contractions written out, apostrophe
    plurals searched in both forms, a split pronominal adverb at the end joined.
    Returns the new root and Dutch descriptions of what changed (``"babys → baby's"``)."""
    if not isinstance(root, (Group, Word)):
        return root, ()
    qw = question_words()
    items = list(root.children if isinstance(root, Group) else (root,))
    changes: list[str] = []
    if len(items) >= 2:
        head, prep = items[-2], items[-1]
        if (
            isinstance(head, Word)
            and isinstance(prep, Word)
            and _norm(head.text) in qw.adverb_heads
            and _norm(prep.text) in qw.adverb_prepositions
        ):
            joined = _norm(head.text) + _norm(prep.text)
            changes.append(f"{head.text} {prep.text} → {joined}")
            items[-2:] = [Word(joined)]
    out: list[Node] = []
    for item in items:
        if not isinstance(item, Word) or item.prefix:
            out.append(item)
            continue
        full = qw.contractions.get(_norm(item.text))
        if full is not None:
            changes.append(f"{item.text} → {full}")
            out.extend(Word(w) for w in full.split())
            continue
        plural = apostrophe_plural(item.text)
        if plural is not None:
            changes.append(f"{item.text} → {plural}")
            out.append(Or((item, Word(plural))))
            continue
        out.append(item)
    if not changes:
        return root, ()
    return combine(Group, out), tuple(changes)


def _has_duration(words: list[str], qw: QuestionWords) -> bool:
    """A number (digits or a number word) right before a unit of time: ``10 jaar``,
    ``acht maanden``, ``8 tot 10 jaar`` (the ``10 jaar`` in it)."""
    return any(
        unit in qw.time_units and (before.isdigit() or before in qw.number_words)
        for before, unit in zip(words, words[1:], strict=False)
    )


def answer_evidence(text: str, entity_types: set[str] | frozenset[str]) -> frozenset[str]:
    """The answer types a passage can answer: ``amount`` (a number that is no year, a
    percentage, an amount of money, a number word), ``when`` (a year, a month, or a
    duration such as ``binnen 8 tot 10 jaar``, which answers *hoe lang*), ``who`` (an
    organisation or person it mentions), ``where`` (a place it mentions)."""
    qw = question_words()
    found: set[str] = set()
    sequence = query_words(text)
    words = set(sequence)
    if (
        _PERCENT_RE.search(text)
        or any(not _YEAR_RE.fullmatch(m.group(1)) for m in _NUMBER_RE.finditer(text))
        or words & qw.number_words
    ):
        found.add("amount")
    if _YEAR_RE.search(text) or words & qw.months or _has_duration(sequence, qw):
        found.add("when")
    if entity_types & qw.who_types:
        found.add("who")
    if entity_types & qw.where_types:
        found.add("where")
    return frozenset(found)


__all__ = [
    "ANSWER_TYPES",
    "QUESTION_WORDS_FILE",
    "QuestionWords",
    "answer_evidence",
    "answer_type",
    "apostrophe_plural",
    "is_filler",
    "is_question",
    "query_words",
    "question_words",
    "reduce_question",
    "respell",
]
