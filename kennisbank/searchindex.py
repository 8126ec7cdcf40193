"""Build the Whoosh search index of all passages into a fresh folder.

:func:`build_search_index` reads the SQLite store (documents, passages, Kamerstuk
references and, when present, entity mentions) and writes, into ``target_dir``:

* the Whoosh index (schema: :func:`search_schema`), one document per passage;
* :data:`VOCABULARY_FILE` — lower-case, accent-folded surface words with the number of
  passages they occur in, for the spelling corrector;
* :data:`~kennisbank.facets.CATALOG_FILE` — entity names and facet value labels;
* :data:`META_FILE` — build id, time, analyzer and counts.

The caller builds into a new folder and swaps it in atomically; a running
:class:`~kennisbank.search.SearchEngine` notices the new build id and reopens.
"""

from __future__ import annotations

import html
import json
import os
import re
import time
import unicodedata
import uuid
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from whoosh import fields, index
from whoosh.analysis import (
    Analyzer,
)

from kennisbank.errors import KennisbankError
from kennisbank.facets import CATALOG_FILE
from kennisbank.refs import find_refs
from kennisbank.searchrecords import Sources, catalog
from kennisbank.store import Store
from kennisbank.whooshfast import write_segments

#: Word → number of passages, for the spelling corrector.
VOCABULARY_FILE = "vocabulary.json"
#: Build id, time, analyzer and counts of the index.
META_FILE = "search-meta.json"
#: Bumped when the schema changes; a search engine refuses an index of another version.
#: 3: the stored analyzer is a :class:`kennisbank.analysis.DutchAnalyzer`; segments are
#: contiguous runs of passages.
SEARCH_SCHEMA_VERSION = 3
#: Passages below which the index is written by one process as one segment.
_MP_THRESHOLD = 5_000
#: Passages per segment at most (a segment's postings are built in memory: ~0.9 GB
#: for 50,000 passages of law text).
_MAX_SEGMENT_PASSAGES = 100_000

_WORD_RE = re.compile(r"[^\W\d_]{2,}")


class SearchIndexError(KennisbankError):
    """The search index cannot be built in the requested folder."""


def text_analyzer(*, decompound: bool = True) -> tuple[Analyzer, str]:
    """The Dutch analyzer for text fields (:func:`kennisbank.analysis.dutch_analyzer`) and its name.

    The analyzer is stored in the index, so searching always analyses queries exactly as
    the index was built.  ``decompound=False`` leaves compound parts out (for measuring
    what compound splitting adds).
    """
    from kennisbank.analysis import dutch_analyzer

    name = "kennisbank.analysis.dutch_analyzer" + ("" if decompound else "(decompound=False)")
    return dutch_analyzer(decompound=decompound), name


def search_schema(analyzer: Analyzer | None = None) -> fields.Schema:
    """The Whoosh schema: one document per passage (see the module docstring)."""
    ana = analyzer or text_analyzer()[0]

    def keywords() -> fields.KEYWORD:
        return fields.KEYWORD(stored=True, commas=True)

    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        passage_id=fields.ID(stored=True),
        document_id=fields.ID(stored=True, sortable=True),
        text=fields.TEXT(analyzer=ana, stored=True, phrase=True, chars=True),
        headings=fields.TEXT(analyzer=ana, phrase=True, field_boost=2.0),
        title=fields.TEXT(analyzer=ana, stored=True, field_boost=1.5),
        doctype=fields.ID(stored=True, sortable=True),
        documentsoort=keywords(),
        year=fields.NUMERIC(numtype=int, bits=32, stored=True, sortable=True),
        date=fields.ID(stored=True, sortable=True),
        vergaderjaar=keywords(),
        gemeente=keywords(),
        wijk=keywords(),
        experiment=keywords(),
        partner=keywords(),
        thema=keywords(),
        dossier=keywords(),
        kst=keywords(),
        cites=keywords(),
        identifier=fields.ID(stored=True),
        kind=fields.ID(stored=True, sortable=True),
        seq=fields.NUMERIC(numtype=int, bits=32, stored=True, sortable=True),
        section_path=fields.STORED(),
        entities=fields.STORED(),
        citation=fields.STORED(),
    )


def fold_word(text: str) -> str:
    """Lower case with accents removed (the vocabulary's key form)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def surface_words(text: str) -> list[str]:
    """The folded words (letters only, two or more) of a text."""
    return _WORD_RE.findall(fold_word(text))


def distinct_surface_words(text: str) -> set[str]:
    """``set(surface_words(text))``, memoised per space-separated piece of ``text``.

    Folding (NFKD, combining marks dropped, case folded) works character by
    character and a space ends every word, so the words of a text are those of its
    pieces; the pieces repeat a lot across passages.
    """
    found: set[str] = set()
    for piece in text.split(" "):
        found.update(_piece_words(piece))
    return found


@lru_cache(maxsize=200_000)
def _piece_words(piece: str) -> tuple[str, ...]:
    return tuple(_WORD_RE.findall(fold_word(piece)))


def analyze(
    analyzer: Analyzer, text: str, mode: str = "query", chars: bool = False
) -> list[tuple[int, str, int, int]]:
    """``(position, term, startchar, endchar)`` of every token ``analyzer`` makes of ``text``
    (chars are 0 unless ``chars``); an analyzer failure gives ``[]``."""
    found = []
    try:
        for tok in analyzer(text, positions=True, chars=chars, mode=mode):
            start, end = (tok.startchar, tok.endchar) if chars else (0, 0)
            found.append((tok.pos, tok.text, start, end))
    except Exception:  # noqa: BLE001 - odd input must not break a search
        return []
    return found


#: Characters of passage text a snippet shows at most.
SNIPPET_CHARS = 320


def snippet_html(
    text: str,
    spans: Iterable[tuple[int, int]],
    ref_ids: Iterable[str] = (),
    max_chars: int = SNIPPET_CHARS,
) -> str:
    """Safe HTML of the best window of ``text``: everything escaped, and only ``<mark>``
    around the character ``spans`` (matched words, read from the index, so stems and
    compound parts count) and around references to one of ``ref_ids``."""
    marks = [(s, e) for s, e in spans if 0 <= s < e <= len(text)]
    wanted = set(ref_ids)
    if wanted:
        marks += [(r.start, r.end) for r in find_refs(text) if r.identifier in wanted]
    merged: list[list[int]] = []
    for s, e in sorted(marks):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    start, end = _window(text, merged, max_chars)
    out = ["… " if start > 0 else ""]
    pos = start
    for s, e in merged:
        s, e = max(s, start), min(e, end)
        if s >= e:
            continue
        out += [html.escape(text[pos:s]), "<mark>", html.escape(text[s:e]), "</mark>"]
        pos = e
    out.append(html.escape(text[pos:end]))
    out.append(" …" if end < len(text) else "")
    return "".join(out)


def term_spans(analyzer: Analyzer, text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """Character spans of the tokens of ``text`` whose index terms are in ``terms``
    (for text that is not in the index; the engine reads spans from the postings)."""
    wanted = set(terms)
    return [(s, e) for _, term, s, e in analyze(analyzer, text, "index", True) if term in wanted]


def _window(text: str, spans: list[list[int]], max_chars: int) -> tuple[int, int]:
    """The ``max_chars`` window with the most marked spans, cut at spaces."""
    if len(text) <= max_chars:
        return 0, len(text)
    best, start = -1, 0
    for s, _ in spans:
        candidate = max(0, s - max_chars // 6)
        inside = sum(1 for a, b in spans if a >= candidate and b <= candidate + max_chars)
        if inside > best:
            best, start = inside, candidate
    if start > 0:
        space = text.find(" ", start, start + 30)
        start = space + 1 if space >= 0 else start
    end = min(len(text), start + max_chars)
    if end < len(text):
        space = text.rfind(" ", end - 40, end)
        end = space if space > start else end
    return start, end


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
    written by :func:`kennisbank.whooshfast.write_segments`: the same index Whoosh's
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


def write_meta(index_dir: Path, counts: dict[str, Any]) -> dict[str, Any]:
    """Write the :data:`META_FILE` of a finished index: a new build id, the schema
    version, the time and ``counts``; returns what was written."""
    meta = {
        "build_id": uuid.uuid4().hex,
        "schema_version": SEARCH_SCHEMA_VERSION,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        **counts,
    }
    (Path(index_dir) / META_FILE).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return meta


def read_meta(index_dir: Path) -> dict[str, Any]:
    """The :data:`META_FILE` of a search index folder (``{}`` when missing)."""
    try:
        return json.loads((Path(index_dir) / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def load_vocabulary(index_dir: Path) -> dict[str, int]:
    """Word → number of passages, as written by :func:`build_search_index`."""
    try:
        data = json.loads((Path(index_dir) / VOCABULARY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): int(v) for k, v in data.items()}
