"""Entity recognition over passages: gemeenten, wijken, buurten, experimenten,
partners, organisaties, thema's and persons.

:class:`EntityExtractor` runs the pipeline of :func:`indexer.knowledge.nlp.build_nlp` over
passages with ``nlp.pipe`` and turns what it finds into
:class:`~kennisbank.model.Mention` objects (offsets into the passage text):

* registry names and aliases (method ``exact``, ``alias`` or, for harvested
  entities, ``harvested``), with the disambiguation and context rules of
  :mod:`indexer.knowledge.rules` (method ``context``; ``rule`` names the rule);
* misspelt registry names (method ``fuzzy``, score = rapidfuzz ratio / 100);
* persons, recognised by title, in brackets or as motion submitters (see
  :mod:`indexer.knowledge.persons`).  Persons are not in the registry: their entity id is
  ``persoon/<slug of the surname without particles>`` and their method ``context``;
* thema's per passage (:meth:`EntityExtractor.thema_mentions`, rules ``section``
  and ``vocabulary``, see :mod:`indexer.knowledge.themes`);
* per document, a wijk or buurt only where the document names its gemeente or the
  mention states it (see :mod:`indexer.knowledge.context`);
* with ``RecognitionSettings(use_statistical_model=...)`` also the entities of a
  spaCy model (method ``model``).

``python -m benchmarks.extract_bench --bench`` prints the throughput on the bundled corpus.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

from spacy.tokens import Doc

from indexer.knowledge.candidates import Candidate, doc_tokens
from indexer.knowledge.context import DocumentContext, PlaceContext
from indexer.knowledge.nlp import build_nlp, lemma_lookups
from indexer.knowledge.settings import RecognitionSettings
from indexer.knowledge.themes import ThemeMatcher
from kennisbank.model import Mention, Passage
from kennisbank.registry import Registry, normalise


class EntityExtractor:
    """Finds entity mentions in passages (see the module docstring).

    Building the pipeline takes a second or two (tokenizer exceptions, lookup tables);
    reuse one extractor for many passages.
    """

    def __init__(
        self, registry: Registry | None = None, settings: RecognitionSettings | None = None
    ) -> None:
        self.registry = registry if registry is not None else Registry.load()
        self.settings = settings or RecognitionSettings()
        self.nlp = build_nlp(self.registry, settings=self.settings)
        table = lemma_lookups().get_table("lemma_lookup")

        @lru_cache(maxsize=65536)
        def lemma(word: str) -> str:
            return str(table.get(word, word))

        self.themes = ThemeMatcher(
            self.registry, min_words=self.settings.thema_min_words, lemma=lemma
        )
        self.places = PlaceContext(self.registry)

    # ------------------------------------------------------------------ passages
    def extract(
        self,
        passages: Iterable[Passage],
        *,
        processes: int | None = None,
        contexts: Mapping[str, DocumentContext] | None = None,
    ) -> list[Mention]:
        """All mentions in ``passages``, passage by passage, in text order.

        Names, persons and model entities come from the pipeline (run in batches
        with ``nlp.pipe``); thema mentions from :meth:`thema_mentions`.  The passages
        of a document are its context: a wijk or buurt is kept only where the
        document (these passages, plus ``contexts[document_id]`` when given) names its
        gemeente or the mention states it (:mod:`indexer.knowledge.context`); pass
        whole documents.

        Each passage is read on its own, so many passages are shared out over
        ``processes`` forked worker processes (default: one per usable CPU, and only
        with at least :data:`PARALLEL_MIN_PASSAGES` passages per process, on Linux);
        the result is the same, in the same order.
        """
        items = list(passages)
        count = parallel_processes(len(items), processes)
        if count > 1:
            found = self._extract_forked(items, count)
        else:
            found = self._extract_here(items)
        return self.places.filter(found, contexts)

    def _extract_here(self, items: list[Passage]) -> list[Mention]:
        mentions: list[Mention] = []
        docs = self.nlp.pipe((p.text for p in items), batch_size=self.settings.batch_size)
        for passage, doc in zip(items, docs, strict=True):
            mentions.extend(self._doc_mentions(passage, doc))
            mentions.extend(self.thema_mentions(passage, doc=doc))
        return mentions

    def _extract_forked(self, items: list[Passage], count: int) -> list[Mention]:
        global _FORKED
        bounds = [(i, min(i + _CHUNK, len(items))) for i in range(0, len(items), _CHUNK)]
        _FORKED = (self, items)  # the workers inherit it: passages are not pickled
        try:
            with multiprocessing.get_context("fork").Pool(count) as pool:
                rows = pool.map(_extract_range, bounds, chunksize=1)
        except OSError:  # no fork (process or memory limits): read them here
            return self._extract_here(items)
        finally:
            _FORKED = None
        return [Mention(*row) for chunk in rows for row in chunk]

    def thema_mentions(self, passage: Passage, *, doc: Doc | None = None) -> list[Mention]:
        """The thema's of one passage (rules ``section`` and ``vocabulary``).

        A heading in the passage's section path that names a thema (``Wonen``,
        ``Voortgang Wonen``) gives a ``section`` mention (``start = end = 0``, the
        heading as surface); otherwise at least ``settings.thema_min_words``
        different indicative words of the thema's registry vocabulary, outside the
        names of partners and organisaties, give a ``vocabulary`` mention on the
        first of them.  See :mod:`indexer.knowledge.themes`.  ``doc`` is the passage's
        processed text when the caller has it (else the pipeline runs once more).
        """
        if doc is None:
            doc = self.nlp(passage.text)
        tokens = doc_tokens(doc)
        names = [
            (tokens.idx[c.start], tokens.end_char(c.end - 1))
            for c in doc._.kb_mentions or []
            if c.type in ("partner", "organisatie")
        ]
        return self.themes.mentions(passage, exclude=names)

    def recognise(self, text: str) -> list[Mention]:
        """Mentions (without thema's) in a free text; passage and document id are empty."""
        passage = Passage(
            id="",
            document_id="",
            seq=0,
            kind="paragraph",
            section_path=[],
            text=text,
            start=0,
            end=len(text),
        )
        return self._doc_mentions(passage, self.nlp(text))

    def resolve(self, surface: str, context: str | None = None) -> tuple[str, str, float] | None:
        """The entity that ``surface`` names, as ``(entity_id, method, score)``, or ``None``.

        ``context`` is the text around the surface (a sentence or passage): the
        surface is looked up there, so that context rules apply (``Oost`` in
        ``Gouda Oost``, ``Bewonersparticipatie`` after ``experiment``); where the
        context shows it is no name (``Utrecht`` in ``FC Utrecht``) the answer is
        ``None``.  Without a context, or when the surface is not in it, the
        surface is read on its own: ``Haagse`` → ``gemeente/den-haag``;
        ``Richard Krajcek Foundation`` → the partner, method ``fuzzy``; ``Oost``,
        ``Vitesse`` and ``FC Utrecht`` → ``None``.  Thema's are not resolved (they are not names).
        """
        surface = surface.strip()
        if not surface:
            return None
        if context:
            positions = self._positions(surface, context)
            if positions:
                return self._resolve_at(surface, context, positions)
        return self._resolve_at(surface, surface, [0])

    @staticmethod
    def _positions(surface: str, text: str) -> list[int]:
        for haystack, needle in ((text, surface), (text.lower(), surface.lower())):
            positions: list[int] = []
            pos = haystack.find(needle)
            while pos >= 0:
                positions.append(pos)
                pos = haystack.find(needle, pos + 1)
            if positions:
                return positions
        return []

    def _resolve_at(
        self, surface: str, text: str, positions: list[int]
    ) -> tuple[str, str, float] | None:
        """The mention at one of ``positions``: exactly there, or a longer mention around
        it whose entity the surface names (``Oost`` in ``Gouda Oost``)."""
        mentions = self.recognise(text)
        key = normalise(surface)
        for pos in positions:
            end = pos + len(surface)
            for mention in mentions:
                if (mention.start, mention.end) == (pos, end):
                    return mention.entity_id, mention.method, mention.score
            for mention in mentions:
                if mention.start <= pos and end <= mention.end:
                    entity = self.registry.get(mention.entity_id)
                    if entity is not None and key in {normalise(n) for n in entity.names}:
                        return mention.entity_id, mention.method, mention.score
        return None

    # ------------------------------------------------------------------ internals
    @staticmethod
    def _doc_mentions(passage: Passage, doc: Doc) -> list[Mention]:
        result: list[Mention] = []
        cands: Sequence[Candidate] = doc._.kb_mentions or []
        tokens = doc_tokens(doc)
        for cand in cands:
            start = tokens.idx[cand.start]
            end = tokens.end_char(cand.end - 1)
            result.append(
                Mention(
                    entity_id=cand.entity_id,
                    passage_id=passage.id,
                    document_id=passage.document_id,
                    start=start,
                    end=end,
                    surface=passage.text[start:end],
                    method=cand.method,
                    score=cand.score,
                    rule=cand.rule,
                )
            )
        return result


# --------------------------------------------------------------------------- processes
#: Fewest passages per worker process for :meth:`EntityExtractor.extract` to fork.
PARALLEL_MIN_PASSAGES = 2000
#: Passages per task of a worker process.
_CHUNK = 500
#: The extractor and passages that forked workers read (set only while they run).
_FORKED: tuple[EntityExtractor, list[Passage]] | None = None


def usable_cpus() -> int:
    """The number of CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def parallel_processes(passages: int, requested: int | None = None) -> int:
    """How many processes read ``passages`` passages: ``requested`` when given, else one per
    usable CPU with at least :data:`PARALLEL_MIN_PASSAGES` passages each.

    Always 1 where worker processes cannot be forked (not Linux).
    """
    if not sys.platform.startswith("linux"):
        return 1
    if requested is not None:
        return max(1, min(requested, passages))
    return max(1, min(usable_cpus(), passages // PARALLEL_MIN_PASSAGES))


def _extract_range(
    bounds: tuple[int, int],
) -> list[tuple[str, str, str, int, int, str, str, float, str]]:
    """In a forked worker: the mentions of passages ``bounds[0]:bounds[1]`` as field tuples."""
    assert _FORKED is not None
    extractor, items = _FORKED
    return [m.as_row() for m in extractor._extract_here(items[bounds[0] : bounds[1]])]


__all__ = [
    "DocumentContext",
    "EntityExtractor",
    "PARALLEL_MIN_PASSAGES",
    "RecognitionSettings",
    "parallel_processes",
    "usable_cpus",
]
