"""Build the Whoosh search index of all passages into a fresh folder.

:func:`build_search_index` reads the SQLite store (documents, passages, Kamerstuk
references and, when present, entity mentions) and writes, into ``target_dir``:

* the Whoosh index (schema: :func:`.schema.search_schema`), one document per passage;
* :data:`~kennisbank.search.vocabulary.VOCABULARY_FILE` — lower-case, accent-folded surface
  words with the number of passages they occur in, for the spelling corrector;
* :data:`~kennisbank.search.facets.CATALOG_FILE` — entity names and facet value labels;
* :data:`~kennisbank.search.meta.META_FILE` — build id, time, analyzer and counts.

The caller builds into a new folder and swaps it in atomically; a running
:class:`~kennisbank.search.engine.SearchEngine` notices the new build id and reopens.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from pathlib import Path
from typing import Any

from whoosh import index

from kennisbank.errors import KennisbankError
from kennisbank.search.facets import CATALOG_FILE
from kennisbank.search.meta import write_meta
from kennisbank.search.records import Sources, catalog
from kennisbank.search.vocabulary import VOCABULARY_FILE, distinct_surface_words, surface_words
from kennisbank.search.whoosh_backend.schema import search_schema, text_analyzer
from kennisbank.search.whoosh_backend.writer import write_segments
from kennisbank.store import Store

#: Passages below which the index is written by one process as one segment.
_MP_THRESHOLD = 5_000
#: Passages per segment at most (a segment's postings are built in memory: ~0.9 GB
#: for 50,000 passages of law text).
_MAX_SEGMENT_PASSAGES = 100_000


class SearchIndexError(KennisbankError):
    """The search index cannot be built in the requested folder."""


def _writer_settings(passages: int) -> dict[str, Any]:
    """Writer options for this machine: one process, so one segment, for corpora below
    :data:`_MP_THRESHOLD` passages (they build in seconds, and every extra segment costs
    each query a matcher); above it two processes, each writing one segment."""
    cores = os.cpu_count() or 1
    if passages < _MP_THRESHOLD or cores < 2:
        return {"procs": 1}
    return {"procs": 2}


def part_count(passages: int, procs: int, documents: int) -> int:
    """How many parts (segments) ``procs`` writer processes write: each part's postings
    are held in memory until its segment is written, so a part has at most about
    :data:`_MAX_SEGMENT_PASSAGES` passages, and every process writes as many parts (so
    none waits for another); never more parts than documents."""
    rounds = max(1, -(-passages // (procs * _MAX_SEGMENT_PASSAGES)))
    return max(1, min(procs * rounds, documents))


#: A passage costs the build about as much as this many characters of its text.
_PASSAGE_CHARS = 150


def split_documents(
    order: list[str], shape: dict[str, tuple[int, int, int]], parts: int
) -> list[list[str]]:
    """``order`` cut into ``parts`` contiguous runs of whole documents with about the same
    build work each (text characters plus :data:`_PASSAGE_CHARS` per passage); no run
    is empty when there are at least ``parts`` documents."""
    work = [shape[d][1] + _PASSAGE_CHARS * shape[d][0] for d in order]
    total = sum(work)
    groups: list[list[str]] = [[] for _ in range(max(1, parts))]
    done = 0
    part = 0
    for i, (doc_id, cost) in enumerate(zip(order, work, strict=True)):
        left = len(order) - i
        # Move on when this part has its share, or when each later part needs a document.
        if groups[part] and part < len(groups) - 1:
            if done >= total * (part + 1) / len(groups) or left <= len(groups) - 1 - part:
                part += 1
        groups[part].append(doc_id)
        done += cost
    return groups


def build_search_index(
    store: Store,
    target_dir: Path,
    *,
    writer_options: dict[str, Any] | None = None,
    decompound: bool = True,
) -> dict[str, Any]:
    """Index every passage of ``store`` into the fresh folder ``target_dir``.

    ``writer_options={"procs": N}`` sets the number of writer processes (and
    segments); by default :func:`_writer_settings` chooses.  The documents are
    written by :func:`.writer.write_segments`: the same index Whoosh's
    own writer makes, in less time.

    Raises :class:`SearchIndexError` when ``target_dir`` exists and is not empty.
    Returns counts: ``passages``, ``documents``, ``vocabulary``, ``with_entities``,
    ``with_refs``, ``seconds``, plus the ``analyzer`` and writer options used.
    """
    started = time.perf_counter()
    target = Path(target_dir)
    if target.exists() and any(target.iterdir()):
        raise SearchIndexError(f"De map {target} bestaat al en is niet leeg.")
    target.mkdir(parents=True, exist_ok=True)
    analyzer, analyzer_name = text_analyzer(decompound=decompound)
    ix = index.create_in(str(target), search_schema(analyzer))

    sources = Sources.read(store)
    documents = sources.documents
    order = [doc_id for doc_id in documents if doc_id in sources.shape]
    total = sum(sources.shape[doc_id][0] for doc_id in order)
    options = writer_options or _writer_settings(total)
    procs = max(1, min(int(options.get("procs", 1)), total))
    parts = part_count(total, procs, len(order))
    groups = split_documents(order, sources.shape, parts)
    db_path, parent = store.path, os.getpid()

    def add_part(writer: Any, part: int) -> tuple[Counter[str], int, int]:
        """Add the passages of one part (whole documents, in order) to ``writer``; a
        forked writer process reads them through its own connection."""
        vocabulary: Counter[str] = Counter()
        with_entities = with_refs = 0
        own = store if os.getpid() == parent else Store(db_path)
        try:
            for doc_id in groups[part]:
                records, entities, refs = sources.records(own, doc_id)
                with_entities += entities
                with_refs += refs
                for record in records:
                    vocabulary.update(distinct_surface_words(record["text"]))
                    writer.add_document(**record)
        finally:
            if own is not store:
                own.close()
        return vocabulary, with_entities, with_refs

    vocabulary: Counter[str] = Counter()
    with_entities = with_refs = 0
    try:
        results = write_segments(ix, parts, add_part, processes=min(procs, parts))
    except RuntimeError as exc:
        raise SearchIndexError(f"De zoekindex kon niet worden gebouwd: {exc}") from exc
    for part_vocabulary, part_entities, part_refs in results:
        vocabulary.update(part_vocabulary)
        with_entities += part_entities
        with_refs += part_refs
    for doc in documents.values():
        vocabulary.update(set(surface_words(doc["title"])))

    facet_catalog = catalog(documents, sources.entities, store)
    (target / VOCABULARY_FILE).write_text(
        json.dumps(dict(sorted(vocabulary.items())), ensure_ascii=False), encoding="utf-8"
    )
    (target / CATALOG_FILE).write_text(
        json.dumps(facet_catalog.to_dict(), ensure_ascii=False), encoding="utf-8"
    )
    counts = {
        "passages": total,
        "documents": len(documents),
        "vocabulary": len(vocabulary),
        "with_entities": with_entities,
        "with_refs": with_refs,
        "seconds": round(time.perf_counter() - started, 3),
        "analyzer": analyzer_name,
        "writer": options,
    }
    write_meta(target, counts)
    return counts
