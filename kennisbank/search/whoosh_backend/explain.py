"""Explaining a ranking on the index it ran on: the parts of a passage's score.

:func:`explain_query` runs the query through the engine's own path
(:meth:`.reader.OpenIndex.run`, deep enough to find a relevant passage) and takes each
passage's final score from that ranking.  It then splits the score with the code that
made it:

* the compiled query (:class:`.compiler.QueryCompiler`) and its top-level items
  (:func:`.matching.split_items`), each item's score for the passage as the ranking
  scored it (:func:`.matching.match`, the engine's item cache);
* each item split into its leaves (terms per field, phrases, prefixes, constant scores),
  each leaf scored by the same scorer the items are (:meth:`.matching.ItemCache.scored`:
  BM25F on arrays, or Whoosh), with the combination rules of that scorer (an OR or AND
  adds its children's scores times its boost; an OR or AND of one child is that child;
  AND MAYBE adds the second side where the first matches); whatever the leaves do not
  add up to is reported as ``unexplained`` (0: tested);
* the steps after the sum replayed on the passage alone with the engine's functions, as
  :meth:`.reader.OpenIndex.run` applies them: the coverage rerank and the answer-type
  bonus (:func:`.matching.rerank`, for a passage inside the rerank window), the
  document prior (:func:`~kennisbank.search.prior.apply_prior`); what is still left of
  the final score is the ``remainder`` (0 for the engine as it is: tested).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from whoosh import query as wq

from kennisbank.search.explain import (
    Adjustment,
    ItemScore,
    PassageExplanation,
    QueryExplanation,
    ScorePart,
)
from kennisbank.search.facets import Selection
from kennisbank.search.prior import apply_prior
from kennisbank.search.whoosh_backend.compiler import PART_BOOST, SPLIT_BOOST, QueryCompiler
from kennisbank.search.whoosh_backend.matching import (
    ANSWER_WINDOW,
    RERANK_WINDOW,
    ItemCache,
    Matched,
    match,
    query_bits,
    rerank,
    split_items,
    top_k,
)
from kennisbank.search.whoosh_backend.reader import OpenIndex

__all__ = ["explain_query"]

Parts = list[ScorePart] | None


def explain_query(
    idx: OpenIndex,
    searcher: Any,
    query: str,
    searched: str,
    *,
    thesaurus: Any = None,
    depth: int,
    top_id: str | None = None,
    relevant: Callable[[str], bool] | None = None,
    passage_ids: Sequence[str] = (),
) -> QueryExplanation:
    """Explain the ranking of ``searched`` (the text the engine searched for ``query``).

    The ranking runs ``depth`` deep without filters.  ``top_id``: the passage the search
    put first (to check the explanation ranks the same); ``relevant(text)``: which
    passages are relevant; ``passage_ids``: relevant passages to explain when none is
    within ``depth`` (the first one found in the index).
    """
    parsed, sel = idx.prepare(searched)  # as SearchEngine.search (no filters, no years)
    run = idx.run(
        searcher,
        parsed,
        sel,
        "relevance",
        (depth, 0),
        facets=False,
        snippets=False,
        thesaurus=thesaurus,
    )
    compiler = QueryCompiler(idx.analyzer, searcher.reader(), thesaurus, idx.cache)
    compiled = compiler.compile(parsed)
    ranked = list(getattr(run, "ranked", []))
    explainer = (
        None if compiled is None else _Explainer(idx, searcher, compiled, compiler, parsed, sel)
    )
    places = {docnum: (rank, score) for rank, (score, docnum) in enumerate(ranked, start=1)}

    def explained(docnum: int) -> PassageExplanation | None:
        if explainer is None:
            return None
        rank, score = places.get(docnum, (None, None))
        return explainer.passage(docnum, rank, score)

    top = explained(ranked[0][1]) if ranked else None
    found = None
    if relevant is not None:
        found = next(
            (d for (_, d), hit in zip(ranked, run.hits, strict=False) if relevant(hit.text)), None
        )
    if found is None:
        found = next((d for d in map(_docnum(searcher), passage_ids) if d is not None), None)
    return QueryExplanation(
        query=query,
        searched=searched,
        parsed=str(parsed),
        total=run.total,
        depth=depth,
        top=top,
        relevant=explained(found) if found is not None else None,
        consistent=top_id is None or (top is not None and top.passage_id == top_id),
    )


def _docnum(searcher: Any) -> Callable[[str], int | None]:
    def find(passage_id: str) -> int | None:
        return searcher.document_number(passage_id=passage_id)

    return find


class _Explainer:
    """The items of one compiled query, and the passages' scores split into parts."""

    def __init__(
        self,
        idx: OpenIndex,
        searcher: Any,
        compiled: wq.Query,
        compiler: Any,
        parsed: Any,
        sel: Selection,
    ) -> None:
        self.searcher = searcher
        self.items_q, _ = split_items(compiled)
        self.matched: Matched = match(searcher, compiled, idx.items, idx.all_bits)
        # The engine's scorer without its cache: every node scored as an item would be.
        self.scorer = ItemCache(idx.size, 0, idx.items.arrays)
        self.coverage = [query_bits(searcher, i, idx.items, idx.all_bits) for i in compiler.items]
        self.weights = compiler.item_weights
        # The informativeness factor of each item's pieces, to tell it from a synonym's weight.
        self.factor_of: dict[str, float] = {}
        for top, factor in zip(compiler.items, getattr(compiler, "item_boosts", []), strict=False):
            for piece in split_items(top)[0]:
                self.factor_of.setdefault(repr(piece), factor)
        # The hits the ranking may show (as OpenIndex.run narrows them), and its rerank window.
        allowed = self.matched.bits & ~sel.exclusion(idx.counter)
        for mask in sel.masks(idx.counter, idx.known["year"]).values():
            allowed &= mask
        window = getattr(idx, "rerank_window", RERANK_WINDOW)
        ranked = top_k(self.matched, window, allowed)
        self.window = {d for _, d in ranked}
        answer_type = getattr(parsed, "answer_type", None)
        evidence = getattr(idx, "evidence", None)
        self.answer_type = answer_type if evidence is not None else None
        self.answers = evidence.holds(searcher, answer_type) if self.answer_type else None
        self.reranks = len(compiler.items) > 1 or self.answers is not None
        # The hits the answer-type bonus looks at: the first ANSWER_WINDOW after coverage.
        after_coverage = (
            rerank(ranked, self.coverage, weights=self.weights) if self.answers is not None else []
        )
        self.answer_window = {d for _, d in after_coverage[:ANSWER_WINDOW]}
        priors = getattr(idx, "priors", None)
        self.priors = None if parsed.refs or parsed.dossiers else priors

    def passage(self, docnum: int, rank: int | None, score: float | None) -> PassageExplanation:
        """The explanation of ``docnum``, at ``rank`` with final ``score`` (None: unranked)."""
        items = []
        base = 0.0
        for i, (query, item) in enumerate(zip(self.items_q, self.matched.items, strict=True)):
            item_score = item.score_of(docnum)
            if item_score is None:
                items.append(ItemScore(i, _label(query), False, 0.0))
                continue
            base += item_score
            factor = self.factor_of.get(repr(query), 1.0)
            parts = self._walk(query, docnum, 1.0, "woord", factor) or []
            unexplained = item_score - sum(p.score for p in parts)
            items.append(ItemScore(i, _label(query), True, item_score, parts, unexplained))
        covered = sum(1 for bits in self.coverage if bits >> docnum & 1)
        adjustments = self._adjustments(docnum, base, covered)
        stored = self.searcher.stored_fields(docnum)
        text = stored.get("text", "")
        return PassageExplanation(
            passage_id=stored.get("passage_id", ""),
            document_id=stored.get("document_id", ""),
            title=stored.get("title", ""),
            kind=stored.get("kind", ""),
            words=len(text.split()),
            section_path=list(stored.get("section_path") or []),
            rank=rank,
            score=score,
            base=base,
            items=items,
            covered=covered,
            coverage_items=len(self.coverage),
            adjustments=adjustments,
            remainder=0.0 if score is None else score - base - sum(a.bonus for a in adjustments),
            text=text,
        )

    def _adjustments(self, docnum: int, base: float, covered: int) -> list[Adjustment]:
        """The steps after the items' sum, replayed on this passage with the engine's
        functions in the order :meth:`.reader.OpenIndex.run` applies them."""
        found: list[Adjustment] = []
        score = base
        if self.reranks and docnum in self.window:
            covered_score = rerank([(score, docnum)], self.coverage, weights=self.weights)[0][0]
            detail = f"{covered} van {len(self.coverage)} zoekwoorden"
            found.append(_step("dekking", score, covered_score, detail))
            score = covered_score
            if self.answers is not None and docnum in self.answer_window:
                answered = rerank(
                    [(base, docnum)], self.coverage, self.answers, weights=self.weights
                )[0][0]
                holds = "wel" if self.answers(docnum) else "geen"
                detail = f"{self.answer_type}: {holds} antwoord"
                found.append(_step("antwoordsoort", score, answered, detail))
                score = answered
        if self.priors is not None and len(self.priors) and docnum in self.window:
            prior = apply_prior([(score, docnum)], self.priors, 1)[0][0]
            found.append(_step("documentprior", score, prior, "aandeel wijkenaanpak"))
        return found

    def _score(self, node: wq.Query, docnum: int) -> float | None:
        return self.scorer.scored(self.searcher, node).score_of(docnum)

    def _walk(
        self, node: wq.Query, docnum: int, boost: float, role: str, factor: float = 1.0
    ) -> Parts:
        """The leaves of ``node`` that match ``docnum`` (None when ``node`` does not).

        ``factor``: the item's informativeness weight, not yet met on the way down; it
        sits on the first boosted node (:func:`.compiler._weighted`), where it is no
        synonym or compound part."""
        kind = type(node)
        if kind in (wq.Or, wq.And) and len(node.subqueries) < 2:
            # The scorer uses the only child, without the parent's boost.
            if not node.subqueries:
                return None
            return self._walk(node.subqueries[0], docnum, boost, role, factor)
        if kind in (wq.Or, wq.And):
            own = node.boost
            if factor != 1.0 and own == 1.0:  # the factor was passed on to the children
                inner, inner_role, below = boost, role, factor
            else:
                inner, inner_role, below = boost * own, _role(own / factor, role), 1.0
            found = [self._walk(c, docnum, inner, inner_role, below) for c in node.subqueries]
            if all(f is None for f in found) or (kind is wq.And and None in found):
                return None
            return [part for f in found if f for part in f]
        if kind is wq.AndMaybe:
            first = self._walk(node.a, docnum, boost, role, factor)
            if first is None:
                return None
            return first + (self._walk(node.b, docnum, boost, role, factor) or [])
        score = self._score(node, docnum)
        if score is None:
            return None
        return [self._leaf(node, docnum, score, boost, role, factor)]

    def _leaf(
        self,
        node: wq.Query,
        docnum: int,
        score: float,
        boost: float,
        role: str,
        factor: float = 1.0,
    ) -> ScorePart:
        """One leaf: ``score`` (its own boost included) times the ``boost`` above it;
        ``factor``: the part of its own boost that is the item's informativeness."""
        own = getattr(node, "boost", 1.0) or 1.0
        raw, total, role = score / own, boost * own, _role(own / factor, role)
        kind = kind_of(node)
        if isinstance(node, wq.ConstantScoreQuery):
            child = node.child
            field, term = getattr(child, "fieldname", ""), str(getattr(child, "text", child))
            return ScorePart(field, term, kind, "verwijzing", raw, total, score * boost)
        if not isinstance(node, wq.Term):
            field = getattr(node, "fieldname", "") or ""
            words = getattr(node, "words", None) or [str(getattr(node, "text", node))]
            return ScorePart(field, " ".join(words), kind, role, raw, total, score * boost)
        facts = self._term_facts(node, docnum)
        return ScorePart(
            node.fieldname, str(node.text), kind, role, raw, total, score * boost, **facts
        )

    def _term_facts(self, node: wq.Term, docnum: int) -> dict[str, Any]:
        """tf, field boost, field length, average length and idf of a term in a passage."""
        searcher = self.searcher
        field = searcher.schema[node.fieldname]
        if not field.scorable:
            return {}
        btext = field.to_bytes(node.text)
        weight = None
        try:
            postings = searcher.postings(node.fieldname, btext)
            postings.skip_to(docnum)
            if postings.is_active() and postings.id() == docnum:
                weight = postings.weight()
        except Exception:  # noqa: BLE001 - a fact that cannot be read is left out
            weight = None
        # Whoosh keeps a field's boost on its format and multiplies it into the weights.
        field_boost = float(getattr(field.format, "field_boost", 1.0) or 1.0)
        return {
            "tf": None if weight is None else weight / field_boost,
            "field_boost": field_boost,
            "field_length": float(searcher.reader().doc_field_length(docnum, node.fieldname) or 0),
            "avg_field_length": float(searcher.avg_field_length(node.fieldname) or 0),
            "idf": float(searcher.idf(node.fieldname, btext)),
        }


def _step(name: str, before: float, after: float, detail: str) -> Adjustment:
    factor = after / before if before else 1.0
    return Adjustment(name, factor, after - before, detail)


def kind_of(node: wq.Query) -> str:
    """The kind of a leaf: ``term``, ``phrase``, ``prefix``, ``constant`` or ``other``."""
    if isinstance(node, wq.Term):
        return "term"
    if isinstance(node, wq.Phrase):
        return "phrase"
    if isinstance(node, wq.Prefix):
        return "prefix"
    if isinstance(node, wq.ConstantScoreQuery):
        return "constant"
    return "other"


def _role(boost: float, role: str) -> str:
    """The role below a node of ``boost``: a compound part or a synonym (weights < 1)."""
    if boost == 1.0:
        return role
    part = math.isclose(boost, PART_BOOST) or math.isclose(boost, SPLIT_BOOST)
    added = "deel" if part else "synoniem"
    return added if role == "woord" else f"{role}, {added}"


def _label(node: wq.Query) -> str:
    """A short name for an item: the text of its first leaf."""
    if isinstance(node, wq.Term):
        return str(node.text)
    if isinstance(node, wq.Phrase):
        return " ".join(node.words)
    if isinstance(node, wq.Prefix):
        return f"{node.text}*"
    if isinstance(node, wq.ConstantScoreQuery):
        return _label(node.child)
    children = getattr(node, "subqueries", None) or []
    return _label(children[0]) if children else str(node)
