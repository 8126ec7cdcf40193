"""Write the search index faster than Whoosh's own writer, with the same content.

Whoosh's ``SegmentWriter`` spends most of a build on per-posting Python work.

* :class:`BuildWriter` — a ``SegmentWriter`` whose ``add_document`` reuses the
  postings of repeated short values (titles, heading paths, ids, years) and takes
  the terms of Dutch text straight from
  :meth:`~.analysis.DutchAnalyzer.index_terms`; its pool is a
  :class:`~.codec.MemoryPool` and its codec a
  :class:`~.codec.BuildCodec` (posting lists written a term at a time).
* :func:`write_segments` — fill a fresh index with N segments written by N
  processes at once (contiguous parts, so document order is kept).

The terms, postings (weights, positions, character offsets), stored fields,
field lengths and columns are those Whoosh's own writer makes from the same
documents (``tests/test_searchindex.py`` and ``tests/test_whooshfast.py`` compare
them); the posting files are smaller, because a reused value is one object that
pickle writes once per block and small blocks stay uncompressed.
"""

from __future__ import annotations

import gc
import multiprocessing
import random
import traceback
from collections.abc import Callable
from queue import Empty
from typing import Any, TypeVar

from whoosh.formats import Characters, Positions
from whoosh.writing import SegmentWriter

from kennisbank.search.whoosh_backend.analysis import DutchAnalyzer
from kennisbank.search.whoosh_backend.codec import BuildCodec, MemoryPool

__all__ = ["BuildWriter", "write_segments"]


#: Field values up to this length are indexed once per writer and then reused.
_VALUE_CACHE_CHARS = 400
_VALUE_CACHE_SIZE = 50_000


class BuildWriter(SegmentWriter):  # type: ignore[misc]
    """A ``SegmentWriter`` with :class:`BuildCodec`, :class:`MemoryPool` and a faster
    :meth:`add_document`.

    ``add_document`` does what Whoosh's does, with two shortcuts that give the same
    postings: the terms of a short field value (a title, a heading path, an id, a
    year) are computed once and reused, and text fields analysed by a
    :class:`~.analysis.DutchAnalyzer` take their terms straight from
    :meth:`~.analysis.DutchAnalyzer.index_terms` instead of a stream of
    tokens.
    """

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        kwargs.setdefault("codec", BuildCodec())
        super().__init__(ix, **kwargs)
        self.pool = MemoryPool()
        self._indexed: dict[tuple[str, type, Any], list[tuple[bytes, int, float, bytes]]] = {}

    def add_document(self, **fields: Any) -> None:
        """Add one document (the same arguments and result as ``SegmentWriter``)."""
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        field_pool = self.pool.field
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    fieldboost = self._field_boost(fields, fieldname, docboost)
                    scorable = field.scorable
                    terms = field_pool(fieldname)
                    for term, freq, weight, vbytes in self._index(fieldname, field, value):
                        if scorable:
                            length += freq
                        posting = (docnum, weight * fieldboost, vbytes)
                        found = terms.get(term)
                        if found is None:
                            terms[term] = [posting]
                        else:
                            found.append(posting)
                if field.separate_spelling() or field.vector:
                    raise NotImplementedError(f"veld {fieldname}: spelling/vector niet ondersteund")
                customval = fields.get(f"_stored_{fieldname}", value)
                stored = customval if field.stored else None
                perdocwriter.add_field(fieldname, field, stored, length)
                column = field.column_type
                if column and customval is not None:
                    perdocwriter.add_column_value(
                        fieldname, column, field.to_column_value(customval)
                    )
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _index(self, fieldname: str, field: Any, value: Any) -> list[tuple[Any, int, float, bytes]]:
        """``list(field.index(value))`` (terms of Dutch text as ``str``), reused for
        short values."""
        cacheable = not field.unique and (
            type(value) is int or (type(value) is str and len(value) <= _VALUE_CACHE_CHARS)
        )
        if cacheable:
            key = (fieldname, type(value), value)
            found = self._indexed.get(key)
            if found is not None:
                return found
        found = _dutch_postings(field, value)
        if found is None:
            found = list(field.index(value))
        if cacheable:
            if len(self._indexed) >= _VALUE_CACHE_SIZE:
                self._indexed.clear()
            self._indexed[key] = found
        return found


def _dutch_postings(field: Any, value: Any) -> list[tuple[str, int, float, bytes]] | None:
    """What ``field.index(value)`` yields, with each term as ``str`` instead of its
    UTF-8 bytes, for a text field with a fast
    :class:`~.analysis.DutchAnalyzer` and a ``Positions`` or ``Characters``
    format; ``None`` for any other field."""
    analyzer = getattr(field, "analyzer", None)
    fmt = field.format
    kind = type(fmt)
    if (
        type(value) is not str
        or type(analyzer) is not DutchAnalyzer
        or not analyzer.fast
        or kind not in (Characters, Positions)
    ):
        return None
    seen: dict[str, list[Any]] = {}
    if kind is Characters:
        for term, pos, start, end in analyzer.index_terms(value):
            found = seen.get(term)
            if found is None:
                seen[term] = [(pos, start, end)]
            else:
                found.append((pos, start, end))
    else:
        for term, pos, _, _ in analyzer.index_terms(value):
            found = seen.get(term)
            if found is None:
                seen[term] = [pos]
            else:
                found.append(pos)
    boost = fmt.field_boost
    encode = fmt.encode
    return [
        (term, len(poslist), float(len(poslist)) * boost, encode(poslist))
        for term, poslist in seen.items()
    ]


T = TypeVar("T")


def write_segments(
    ix: Any, parts: int, work: Callable[[BuildWriter, int], T], *, processes: int | None = None
) -> list[T]:
    """Fill a fresh index with ``parts`` segments, written by ``processes`` processes
    at once (default: one per part).

    ``work(writer, part)`` adds the documents of part ``part`` (0 … parts-1) to
    ``writer`` and returns a picklable result.  Process ``j`` writes parts ``j``,
    ``j + processes``, … one after the other (so a part's postings, held in memory,
    bound the memory a process needs).  One process is this one; more are all
    forked, and this one waits for them: a forked writer exits without freeing its
    postings, and this process does not grow.  The segments are committed in part
    order, so document numbers follow
    the parts.  Returns the results in part order; when a part fails nothing is
    committed and the error is raised here as a ``RuntimeError``.
    """
    # The build allocates millions of small objects and frees hardly any cycles: the
    # cyclic garbage collector would walk them over and over for nothing.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _write_segments(ix, parts, work, min(processes or parts, parts))
    finally:
        if collecting:
            gc.enable()


def _write_segments(
    ix: Any, parts: int, work: Callable[[BuildWriter, int], T], processes: int
) -> list[T]:
    main = BuildWriter(ix)  # holds the index lock and commits; writes no documents itself
    context = multiprocessing.get_context("fork")
    queue: Any = context.Queue()
    children = [
        context.Process(target=_write_parts, args=(ix, j, processes, parts, work, queue))
        for j in range(0 if processes > 1 else 1, processes)
    ]
    try:
        for child in children:
            child.start()
        done = {} if children else _parts_of(ix, 0, processes, parts, work, exiting=False)
        for _ in children:
            found, error = _next_result(queue, children)
            if error is not None:
                raise RuntimeError(f"een deel van de index is mislukt:\n{error}")
            done.update(found)
        for child in children:
            child.join()
    except BaseException:
        for child in children:
            if child.is_alive():
                child.terminate()
        main.cancel()
        raise
    main._close_segment()
    main._commit_toc([done[part][0] for part in range(parts)])
    main._finish()
    return [done[part][1] for part in range(parts)]


def _next_result(queue: Any, children: list[Any]) -> tuple[Any, str | None]:
    """The next ``(found, error)`` a writer process reported; an error when a writer
    process died without reporting (killed, out of memory)."""
    while True:
        try:
            return queue.get(timeout=0.5)
        except Empty:
            dead = [c.exitcode for c in children if c.exitcode not in (None, 0)]
            if dead:
                return None, f"een schrijfproces stopte onverwacht (exitcode {dead[0]})"


def _parts_of(
    ix: Any,
    first: int,
    step: int,
    parts: int,
    work: Callable[[BuildWriter, int], T],
    *,
    exiting: bool,
) -> dict[int, tuple[Any, T]]:
    """Write parts ``first``, ``first + step``, …: ``{part: (segment, result)}``."""
    done: dict[int, tuple[Any, T]] = {}
    mine = range(first, parts, step)
    for part in mine:
        writer = BuildWriter(ix, _lk=False)
        try:
            result = work(writer, part)
            # A process about to exit need not free its last pool.
            writer.pool.keep = exiting and part == mine[-1]
            done[part] = (writer._finalize_segment(), result)
        except BaseException:
            writer._close_segment()
            raise
    return done


def _write_parts(
    ix: Any, first: int, step: int, parts: int, work: Callable[[BuildWriter, int], Any], queue: Any
) -> None:
    """Body of a forked process: write its parts, report ``(found, error)``."""
    random.seed()  # segment ids are random names: forked children must not share them
    try:
        found = _parts_of(ix, first, step, parts, work, exiting=True)
    except BaseException:  # noqa: BLE001 - reported to the parent, which raises
        queue.put((None, traceback.format_exc()))
        return
    queue.put((found, None))
