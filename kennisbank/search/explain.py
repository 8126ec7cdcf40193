"""Why a passage ranked where it did: the parts of its score, free of Whoosh.

:meth:`kennisbank.search.SearchEngine.explain` fills these dataclasses
(:mod:`kennisbank.search.whoosh_backend.explain` computes them on the index the search
ran on).  A passage's score is

* the sum of the scores of the query *items* it matches (a word with its compound parts
  and synonyms, a phrase, a Kamerstuk reference), each item the sum of its
  :class:`ScorePart` leaves: per term and field (text, headings, title) the BM25F score
  with its term frequency, field length against the average, idf, and the boosts above
  it (compound part, synonym weight); phrases and prefixes as Whoosh scored them;
  constant scores for cited Kamerstukken;
* then adjusted, each step an :class:`Adjustment`: the coverage rerank (passages
  matching more of the items), the answer-type bonus of a question, the document prior;
* anything left (``remainder``) is a part of the ranking this explanation does not yet
  name: it is 0 for the engine as it is (``tests/test_explain.py``).

``kennisbank eval --explain`` prints these next to each other for the passage that came
first and the first relevant one.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

#: How deep :meth:`~kennisbank.search.SearchEngine.explain` ranks to find a relevant passage.
EXPLAIN_DEPTH = 1000


@dataclass(frozen=True)
class ScorePart:
    """One leaf of a score.

    ``kind``: ``term`` (BM25F of one term in one field), ``phrase``/``prefix`` (scored by
    Whoosh), ``constant`` (a constant score, e.g. a cited Kamerstuk) or ``other``;
    ``role``: ``woord`` (the typed word), ``deel`` (a compound part) or ``synoniem``;
    ``raw``: the leaf's own score; ``boost``: the product of the boosts above it (and
    its own); ``score`` = ``raw`` × ``boost``, what it added.  For a term: ``tf`` (its
    frequency in the field, without the field boost), ``field_boost``, ``field_length``
    and ``avg_field_length`` (Whoosh's quantised lengths, as BM25F uses them), ``idf``.
    """

    field: str
    term: str
    kind: str
    role: str
    raw: float
    boost: float
    score: float
    tf: float | None = None
    field_boost: float | None = None
    field_length: float | None = None
    avg_field_length: float | None = None
    idf: float | None = None

    def describe(self) -> str:
        """One line: what matched, what it added, and why."""
        line = f"{self.field}:{self.term} [{self.role}] {self.score:.4f}"
        if self.boost != 1.0:
            line += f" = {self.raw:.4f} × {self.boost:.3g}"
        if self.kind != "term":
            return f"{line} ({self.kind})"
        if self.tf is not None:
            line += f"  tf {self.tf:g}"
            if self.field_boost not in (None, 1.0):
                line += f" (veldgewicht {self.field_boost:g})"
        if self.field_length is not None and self.avg_field_length:
            line += f" · lengte {self.field_length:g}/{self.avg_field_length:.1f} gem."
        if self.idf is not None:
            line += f" · idf {self.idf:.3f}"
        return line


@dataclass(frozen=True)
class ItemScore:
    """One top-level query item: its score for the passage (as the ranking computed it),
    its leaves, and ``unexplained`` = score − the leaves' sum (0 when they add up)."""

    index: int
    label: str
    matched: bool
    score: float
    parts: list[ScorePart] = field(default_factory=list)
    unexplained: float = 0.0


@dataclass(frozen=True)
class Adjustment:
    """One step after the items' sum: ``name`` (``dekking``, ``antwoordsoort``,
    ``documentprior``), the score multiplied by ``factor``, so it added ``bonus``;
    ``detail`` says why (e.g. ``3 van 4 items``)."""

    name: str
    factor: float
    bonus: float
    detail: str = ""


@dataclass(frozen=True)
class PassageExplanation:
    """Why one passage has its score, and what the passage is.

    ``rank``: its 1-based place in the ranking (None when not within the explained
    depth); ``score``: the final score the ranking gave it (None when not ranked);
    ``base``: the sum of the items' scores; ``covered``/``coverage_items``: how many of
    the items counted for the coverage rerank it matches; ``adjustments``: the steps after
    the sum (rerank, prior), in order; ``remainder``: score − base − their bonuses.
    """

    passage_id: str
    document_id: str
    title: str
    kind: str
    words: int
    section_path: list[str]
    rank: int | None
    score: float | None
    base: float
    items: list[ItemScore]
    covered: int = 0
    coverage_items: int = 0
    adjustments: list[Adjustment] = field(default_factory=list)
    remainder: float = 0.0
    text: str = ""

    @property
    def parts(self) -> list[ScorePart]:
        """Every leaf of every item, in item order."""
        return [part for item in self.items for part in item.parts]

    @property
    def parts_sum(self) -> float:
        """The leaves plus the adjustments plus the remainder: equals :attr:`score`."""
        bonuses = sum(a.bonus for a in self.adjustments)
        return sum(p.score for p in self.parts) + bonuses + self.remainder

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form (for ``--json``), the passage text left out."""
        found = asdict(self)
        found.pop("text")
        return found

    def lines(self, indent: str = "") -> list[str]:
        """Readable Dutch lines: the passage, then score = items + rerank, then the leaves."""
        where = " › ".join(self.section_path) or "(geen sectie)"
        place = f"plaats {self.rank}" if self.rank else "niet gerangschikt"
        score = f"{self.score:.4f}" if self.score is not None else "-"
        out = [
            f"{indent}{place}, score {score}: {self.passage_id} in {self.document_id}",
            f"{indent}  {self.kind}, {self.words} woorden; {where}",
            f"{indent}  = items {self.base:.4f}"
            + "".join(
                f" + {a.name} {a.bonus:.4f} (×{a.factor:.3f}{'; ' + a.detail if a.detail else ''})"
                for a in self.adjustments
                if a.factor != 1.0
            )
            + (f" + onverklaard {self.remainder:.4f}" if abs(self.remainder) > 1e-6 else ""),
        ]
        for item in self.items:
            if not item.matched:
                continue
            out.append(f"{indent}  item {item.index + 1} «{item.label}»: {item.score:.4f}")
            out += [f"{indent}    {part.describe()}" for part in item.parts]
            if abs(item.unexplained) > 1e-6:
                out.append(f"{indent}    onverklaard {item.unexplained:.4f}")
        missing = [f"{i.index + 1} «{i.label}»" for i in self.items if not i.matched]
        if missing:
            out.append(f"{indent}  geen treffer / no match: {', '.join(missing)}")
        return out


@dataclass(frozen=True)
class QueryExplanation:
    """What came first for a query and why, next to the first relevant passage.

    ``searched``: the text the engine searched (after a spelling correction);
    ``parsed``: the parsed query; ``total``: its hits; ``depth``: how deep the ranking was
    explained; ``top``: the passage ranked first; ``relevant``: the first relevant
    passage within ``depth`` (or a relevant passage outside it, with ``rank`` None);
    ``consistent``: the explained ranking put the same passage first as the search did.
    """

    query: str
    searched: str
    parsed: str
    total: int
    depth: int
    top: PassageExplanation | None
    relevant: PassageExplanation | None
    consistent: bool = True

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form (for ``--json``)."""
        return {
            "query": self.query,
            "searched": self.searched,
            "parsed": self.parsed,
            "total": self.total,
            "depth": self.depth,
            "consistent": self.consistent,
            "top": self.top.to_dict() if self.top else None,
            "relevant": self.relevant.to_dict() if self.relevant else None,
        }

    def lines(self, indent: str = "    ") -> list[str]:
        """Readable Dutch lines: the first passage and the first relevant one."""
        out = [
            f"{indent}gezocht / searched: {self.parsed or self.searched} ({self.total} treffers)"
        ]
        if not self.consistent:
            out.append(f"{indent}LET OP: de uitleg rangschikt anders dan de zoekopdracht.")
        out.append(f"{indent}eerst / first:")
        out += self.top.lines(indent + "  ") if self.top else [f"{indent}  (geen treffers)"]
        if self.relevant is None:
            out.append(f"{indent}eerste relevante / first relevant: geen in het corpus")
        elif self.top is not None and self.relevant.passage_id == self.top.passage_id:
            out.append(f"{indent}eerste relevante / first relevant: dezelfde passage")
        else:
            label = "eerste relevante / first relevant"
            if self.relevant.rank is None:
                label += f" (niet in de top {self.depth})"
            out.append(f"{indent}{label}:")
            out += self.relevant.lines(indent + "  ")
        return out
