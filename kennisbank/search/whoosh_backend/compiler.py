"""From our query AST to a Whoosh query: what is searched, in which fields, how it scores.

:class:`QueryCompiler` turns a :class:`~kennisbank.search.query.ParsedQuery` into a Whoosh query
(BM25F over text and headings, the title only adding score; adjacent words OR-ed;
compound parts and thesaurus synonyms at a lower weight; passages citing a typed
Kamerstuk first through constant scores) and collects the terms to highlight and the
top-level items for the coverage rerank.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from whoosh import query as wq

from kennisbank.refs import KamerstukRef
from kennisbank.search.informativeness import word_weight
from kennisbank.search.language import decompounder
from kennisbank.search.query import And, Group, Node, Not, Or, ParsedQuery, Phrase, Word
from kennisbank.search.vocabulary import fold_word
from kennisbank.search.whoosh_backend.schema import analyze

#: Weight of thesaurus expansions, and of compound parts.
SYNONYM_BOOST, MAX_SYNONYMS = 0.5, 10
PART_BOOST = 0.6
#: Whether a typed compound also searches its parts, and at what weight (see
#: :meth:`QueryCompiler._parts`; measured: 0.3 / 0.45 / 0.6 gave dev-questions MRR@10
#: 0.573 / 0.591 / 0.579 with distractors, 0.530 without splitting).
SPLIT_COMPOUNDS, SPLIT_BOOST = True, 0.45
#: Which queries weigh their top-level words by informativeness
#: (:mod:`kennisbank.search.informativeness`): ``"all"``, ``"questions"`` or ``""``.
#: Measured with the curve 4.0-6.0, floor 0.3 (dev-questions / dev-queries MRR@10 with
#: distractors): all 0.610 / 0.858, questions only 0.602 / 0.833, none 0.608 / 0.833;
#: bundled all 0.653, questions only 0.640, none 0.642.
WEIGH_ITEMS = "all"
#: Constant scores that put passages citing a typed Kamerstuk first.
OWN_SCORE, CITES_SCORE, KST_SCORE, DOSSIER_SCORE = 3000.0, 1000.0, 500.0, 5.0


class QueryCompiler:
    """Turns a :class:`ParsedQuery` into a Whoosh query and collects what to highlight."""

    def __init__(
        self,
        analyzer: Any,
        reader: Any,
        thesaurus: Any = None,
        cache: dict[str, list[tuple[int, str, int, int]]] | None = None,
    ) -> None:
        self.analyzer, self.reader, self.thesaurus = analyzer, reader, thesaurus
        self.cache = {} if cache is None else cache
        self.highlight_terms: set[str] = set()
        self.items: list[wq.Query] = []  # the top-level group's items, for the coverage bonus
        #: Each of :attr:`items`' weight in the coverage rerank (1.0 when not weighed).
        self.item_weights: list[float] = []
        #: The factor each of :attr:`items`' scores was multiplied by (empty: none was).
        self.item_boosts: list[float] = []
        self._root: Node | None = None
        self._typed_words: tuple[str, ...] = ()
        self._weigh = False
        self.ref_ids: set[str] = set()
        self.notes: list[str] = []
        #: Split typed compounds into their parts (:meth:`_parts`).
        self.split_compounds = SPLIT_COMPOUNDS

    def compile(self, parsed: ParsedQuery) -> wq.Query | None:
        """The Whoosh query, or ``None`` when nothing searchable is left."""
        self._root = parsed.root
        self._typed_words = parsed.typed_words
        self._weigh = WEIGH_ITEMS == "all" or (WEIGH_ITEMS == "questions" and parsed.question)
        parts = [self._node(parsed.root, True)] if parsed.root is not None else []
        parts += [self._ref(ref) for ref in parsed.refs]
        parts += [
            wq.ConstantScoreQuery(wq.Term("dossier", d), DOSSIER_SCORE)
            for d in parsed.dossiers
            if self.reader.doc_frequency("dossier", d)
        ]
        return _either([p for p in parts if p is not None])

    def _node(self, node: Node, positive: bool) -> wq.Query | None:
        if isinstance(node, Word):
            return self._word(node, positive)
        if isinstance(node, Phrase):
            return _either(
                [self._phrase(node.text, positive), *self._synonyms(node.text, positive)]
            )
        if isinstance(node, Not):
            inner = self._node(node.child, False)
            return wq.AndNot(wq.Every(), inner) if inner is not None else None
        compiled = [
            (c, q)
            for c in node.children
            if not isinstance(c, Not)
            if (q := self._node(c, positive)) is not None
        ]
        pos = [q for _, q in compiled]
        neg = [
            q
            for c in node.children
            if isinstance(c, Not)
            if (q := self._node(c.child, False)) is not None
        ]
        if isinstance(node, Group) and positive:
            if not self.items:
                weights = [1.0] * len(pos)
                if self._weigh and node is self._root:
                    weights = [_node_weight(c) for c, _ in compiled]
                    pos = [_weighted(q, w) for q, w in zip(pos, weights, strict=True)]
                    self.item_boosts = list(weights)
                self.items = list(pos)
                self.item_weights = weights
            pos += self._multiword_synonyms(node)
        if isinstance(node, And):
            core = wq.And(pos) if len(pos) > 1 else (pos[0] if pos else None)
        elif isinstance(node, Or):
            core = _either(pos)
        else:
            core = self._group(pos)
        if neg:
            return wq.AndNot(core if core is not None else wq.Every(), _either(neg))
        return core

    @staticmethod
    def _group(items: list[wq.Query]) -> wq.Query | None:
        """Any item may match; a passage's score is the sum of its items' scores.

        Passages matching more of the items are raised by the coverage rerank
        (:func:`.matching.rerank`).  There is no Whoosh coordination bonus
        (``Or(scale=…)``): it added at most a few hundredths to BM25F scores of 5–30, its
        score depended on the order in which posting lists ran out, and it made every hit
        walk the whole matcher tree.  An explicit extra ``And`` of all items ranked no
        better on the dev queries and doubled the matching cost, so there is none either.
        """
        if len(items) < 2:
            return items[0] if items else None
        return wq.Or(items)

    def _analyze(self, text: str) -> list[tuple[int, str, int, int]]:
        """Query-mode tokens of ``text``, cached per index (the analyzer is not cheap)."""
        found = self.cache.get(text)
        if found is None:
            found = analyze(self.analyzer, text)
            if len(self.cache) < 50_000:
                self.cache[text] = found
        return found

    def _term(self, term: str, title: bool = True) -> wq.Query:
        """A term in the passage text or its headings; the document title only adds score
        (every passage shares it, so it must not make every passage match)."""
        matched = wq.Or([wq.Term("text", term), wq.Term("headings", term)])
        return wq.AndMaybe(matched, wq.Term("title", term)) if title else matched

    def _tokens(
        self, tokens: list[tuple[int, str, int, int]], positive: bool, title: bool = True
    ) -> wq.Query | None:
        """One query for the tokens of one word: positions AND-ed; at one position the
        first token is the word, later ones (compound parts) an alternative."""
        by_pos: dict[int, list[str]] = {}
        for pos, term, _, _ in tokens:
            by_pos.setdefault(pos, []).append(term)
        per_pos = []
        for terms in by_pos.values():
            query = self._term(terms[0], title)
            if len(terms) > 1:
                parts = [self._term(t, title) for t in dict.fromkeys(terms[1:])]
                alt = parts[0] if len(parts) == 1 else wq.And(parts)
                query = wq.Or([query, alt.with_boost(PART_BOOST)])
            per_pos.append(query)
            if positive:
                self.highlight_terms.update(terms)
        if not per_pos:
            return None
        return per_pos[0] if len(per_pos) == 1 else wq.And(per_pos)

    def _word(self, word: Word, positive: bool) -> wq.Query | None:
        if word.prefix:
            prefix = fold_word(word.text)
            if positive:
                expanded = self.reader.expand_prefix("text", prefix)
                self.highlight_terms.update(  # Whoosh gives bytes here; terms are str
                    t.decode("utf-8") if isinstance(t, bytes) else t
                    for _, t in zip(range(64), expanded, strict=False)
                )
            return wq.Or([wq.Prefix(f, prefix) for f in ("text", "headings")])
        query = self._tokens(self._analyze(word.text), positive)
        parts = self._parts(word.text, positive) if self.split_compounds else None
        return _either([q for q in [query, *self._synonyms(word.text, positive), parts] if q])

    def _parts(self, text: str, positive: bool) -> wq.Query | None:
        """A typed compound as its parts, each with its synonyms, all required, at
        :data:`SPLIT_BOOST` (``jeugdwerkloosheid`` also finds "werkloosheid onder jongeren").

        The index holds the parts of the compounds it reads; a typed compound is split
        here with the same decompounder, so it also finds text that says it in words.
        """
        folded = fold_word(text)
        if len(folded) < 7 or not folded.isalpha():
            return None
        pieces = decompounder().split(folded)
        if len(pieces) < 2:
            return None
        per_part = []
        for piece in pieces:
            core = self._tokens(self._analyze(piece), positive, title=False)
            if core is None:
                return None
            per_part.append(_either([core, *self._synonyms(piece, positive)]))
        return wq.And([q for q in per_part if q is not None]).with_boost(SPLIT_BOOST)

    def _phrase(self, text: str, positive: bool) -> wq.Query | None:
        firsts: dict[int, str] = {}
        for pos, term, _, _ in self._analyze(text):
            firsts.setdefault(pos, term)
        words = list(firsts.values())
        if positive:
            self.highlight_terms.update(words)
        if len(words) < 2:
            return self._term(words[0]) if words else None
        return wq.Or([wq.Phrase(f, words, slop=1) for f in ("text", "headings")])

    def _synonyms(
        self, text: str, positive: bool, expansions: Iterable[Any] | None = None
    ) -> list[wq.Query]:
        """Thesaurus expansions of ``text`` (distinct after analysis), each boosted by
        :data:`SYNONYM_BOOST` × the thesaurus weight."""
        if self.thesaurus is None:
            return []
        try:
            items = list(self.thesaurus.expand(text) if expansions is None else expansions)
        except Exception:  # noqa: BLE001 - a thesaurus problem only loses synonyms
            return []
        seen = {tuple(t[1] for t in self._analyze(text))}
        found = []
        for item in items:
            term, weight = item if isinstance(item, tuple) else (item, 1.0)
            tokens = self._analyze(term) if isinstance(term, str) else []
            key = tuple(t[1] for t in tokens)
            if not key or key in seen or len(found) >= MAX_SYNONYMS:
                continue
            seen.add(key)
            if len({t[0] for t in tokens}) > 1:
                query = self._phrase(term, positive)
            else:
                query = self._tokens(tokens, positive, title=False)
            if query is not None:
                found.append(query.with_boost(SYNONYM_BOOST * max(0.0, min(1.0, float(weight)))))
        return found

    def _multiword_synonyms(self, group: Group) -> list[wq.Query]:
        """Expansions of thesaurus terms of several words typed without quotes.

        For the top-level group they are looked up in the words as typed, before a
        question was reduced to its content: a phrase such as ``de goede kant op`` keeps
        its small words there.
        """
        words = self._multiword_words(
            group, [c.text for c in group.children if isinstance(c, Word) and not c.prefix]
        )
        if self.thesaurus is None or len(words) < 2 or not hasattr(self.thesaurus, "find"):
            return []
        try:
            matches = [m for m in self.thesaurus.find(" ".join(words)) if m.end - m.start > 1]
        except Exception:  # noqa: BLE001 - a thesaurus problem only loses synonyms
            return []
        return [q for m in matches for q in self._synonyms(m.text, True, m.expansions)]

    def _multiword_words(self, group: Group, words: list[str]) -> list[str]:
        """The words to look up thesaurus phrases in: as typed for the top-level group."""
        if group is self._root and len(self._typed_words) > len(words):
            return list(self._typed_words)
        return words

    def _ref(self, ref: KamerstukRef) -> wq.Query:
        ident = ref.identifier
        self.ref_ids.add(ident)
        if self.reader.doc_frequency("kst", ident):
            self.notes.append(
                f"Gezocht naar {ref.citation} ({ident}); passages die dit "
                "Kamerstuk aanhalen staan bovenaan."
            )
            return wq.Or(
                [
                    wq.ConstantScoreQuery(wq.Term(name, ident), score)
                    for name, score in (
                        ("identifier", OWN_SCORE),
                        ("cites", CITES_SCORE),
                        ("kst", KST_SCORE),
                    )
                ]
            )
        self.notes.append(
            f"{ref.citation} ({ident}) wordt in de kennisbank niet aangehaald; "
            f"gezocht naar andere stukken uit dossier {ref.dossier}."
        )
        return wq.ConstantScoreQuery(wq.Term("dossier", ref.dossier), DOSSIER_SCORE)


def _node_weight(node: Node) -> float:
    """How informative a top-level item is (:func:`.informativeness.word_weight`): a word
    by its general Dutch frequency, alternatives (``babys`` OR ``baby's``) by their most
    informative one; phrases, prefixes and operator groups were typed on purpose: 1.0."""
    words = [node] if isinstance(node, Word) else []
    if isinstance(node, Or) and all(isinstance(c, Word) for c in node.children):
        words = list(node.children)  # type: ignore[arg-type]
    if not words or any(w.prefix for w in words):
        return 1.0
    return max(word_weight(w.text) for w in words)


def _weighted(query: wq.Query, weight: float) -> wq.Query:
    """``query`` with every score multiplied by ``weight``.

    The boost goes as deep as needed to survive both scorers: through plain ORs (the
    items :func:`.matching.split_items` takes apart) and AND MAYBEs, onto the nodes that
    apply a boost (terms, phrases, ORs and ANDs of two or more children; Whoosh ignores
    the boost of an OR or AND of one child).
    """
    if weight == 1.0:
        return query
    kind = type(query)
    if kind is wq.AndMaybe:
        return wq.AndMaybe(_weighted(query.a, weight), _weighted(query.b, weight))
    if kind in (wq.Or, wq.And) and len(query.subqueries) == 1:
        return _weighted(query.subqueries[0], weight)
    if kind is wq.Or and query.boost == 1.0 and not query.scale and not query.minmatch:
        return wq.Or([_weighted(q, weight) for q in query.subqueries])
    return query.with_boost(query.boost * weight)


def _either(queries: list[wq.Query | None]) -> wq.Query | None:
    kept = [q for q in queries if q is not None]
    if not kept:
        return None
    return kept[0] if len(kept) == 1 else wq.Or(kept)
