"""Write the search index faster than Whoosh's own writer, with the same content.

Whoosh's ``SegmentWriter`` spends most of a build on per-posting Python work:
every posting is a tuple that is sorted (and spilled to disk) by a
``PostingPool``, and when the postings are written ``W3Codec`` asks for the
document's field length of *each* posting (a column read, and for fields without
lengths an ``os.stat`` of the missing column file every time).

* :class:`BuildWriter` — a ``SegmentWriter`` whose ``add_document`` reuses the
  postings of repeated short values (titles, heading paths, ids, years) and takes
  the terms of Dutch text straight from
  :meth:`~kennisbank.analysis.DutchAnalyzer.index_terms`; its pool is a
  :class:`MemoryPool` (postings grouped per term, only the terms sorted).
* :class:`BuildCodec` — ``W3Codec`` with field lengths read once per column and
  postings written term by term; segments record a plain ``W3Codec``.
* :func:`write_segments` — fill a fresh index with N segments written by N
  processes at once (contiguous parts, so document order is kept).

The terms, postings (weights, positions, character offsets), stored fields,
field lengths and columns are those Whoosh's own writer makes from the same
documents (``tests/test_searchindex.py`` and ``tests/test_whooshfast.py`` compare
them); the posting files can be slightly smaller, because a reused value is one
object and pickle writes it once per block.
"""

from __future__ import annotations

import gc
import multiprocessing
import random
import traceback
import zlib
from array import array
from collections.abc import Callable, Iterator
from pickle import dumps
from queue import Empty
from typing import Any, TypeVar

from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3FieldWriter,
    W3PerDocReader,
    W3PostingsWriter,
    W3Segment,
    W3TermInfo,
    _lenfield,
)
from whoosh.formats import Characters, Positions
from whoosh.system import pack_int, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.util.numlists import delta_encode
from whoosh.writing import SegmentWriter

__all__ = ["BuildCodec", "BuildWriter", "CachedLengthsReader", "MemoryPool", "write_segments"]


class CachedLengthsReader(W3PerDocReader):  # type: ignore[misc]
    """``W3PerDocReader`` whose ``doc_field_length`` reads each length column once."""

    def __init__(self, storage: Any, segment: Any) -> None:
        super().__init__(storage, segment)
        self._length_lists: dict[str, list[int | None] | None] = {}

    def _lengths(self, fieldname: str) -> list[int | None] | None:
        lenfield = _lenfield(fieldname)
        if not self.has_column(lenfield):
            return None
        reader = self.column_reader(lenfield, LENGTHS_COLUMN)
        return [byte_to_length(b) if b else None for b in reader]

    def lengths_of(self, fieldname: str) -> list[int | None] | None:
        """The length of ``fieldname`` per document number, ``None`` without lengths."""
        try:
            return self._length_lists[fieldname]
        except KeyError:
            lengths = self._length_lists[fieldname] = self._lengths(fieldname)
            return lengths

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int | None:
        """The length of ``fieldname`` in ``docnum``, as ``W3PerDocReader`` gives it."""
        lengths = self.lengths_of(fieldname)
        if lengths is None:
            return default
        return lengths[docnum]


class BuildCodec(W3Codec):  # type: ignore[misc]
    """``W3Codec`` for writers: same files, cached field lengths while writing postings."""

    def plain(self) -> W3Codec:
        """The equivalent plain codec (what the segments record)."""
        return W3Codec(
            blocklimit=self._blocklimit,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )

    def new_segment(self, storage: Any, indexname: str) -> W3Segment:
        """A new segment that records the plain ``W3Codec`` (the index stays standard)."""
        return W3Segment(self.plain(), indexname)

    def per_document_reader(self, storage: Any, segment: Any) -> CachedLengthsReader:
        """The per-document reader with cached length columns."""
        return CachedLengthsReader(storage, segment)

    def field_writer(self, storage: Any, segment: Any) -> BuildFieldWriter:
        """The field writer that takes a :class:`MemoryPool`'s postings term by term."""
        return BuildFieldWriter(self, storage, segment)

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> W3PostingsWriter:
        """``W3PostingsWriter`` (:class:`BuildPostingsWriter` for document postings)."""
        kind = W3PostingsWriter if byteids else BuildPostingsWriter
        return kind(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )


#: A posting block whose pickle is shorter than this is written uncompressed (a block
#: records whether it is compressed, and readers decompress only those that are).
#: Whoosh's writer means to skip compressing pickles under 20 bytes but compresses
#: every block.  Most blocks hold the one or two postings of a rare term: on the
#: 100,000-passage benchmark corpus zlib made pickles under 32 bytes (60 % of all
#: blocks) 6 bytes longer and those of 80-95 bytes no shorter; compressing them
#: cost a tenth of a build.
COMPRESS_MIN_BYTES = 96


class BuildPostingsWriter(W3PostingsWriter):  # type: ignore[misc]
    """``W3PostingsWriter`` that also writes a whole posting list at once
    (:meth:`write_postings`); ``add_posting`` without its type assertions (the build
    passes document numbers, float weights and bytes).  The same blocks and
    statistics, except that small blocks stay uncompressed (:data:`COMPRESS_MIN_BYTES`)."""

    def add_posting(
        self, id_: int, weight: float, vbytes: bytes, length: int | None = None
    ) -> None:
        """Add one posting to the current block (written out when it is full)."""
        if len(self._ids) >= self._blocklimit:
            self._write_block()
        self._ids.append(id_)
        self._weights.append(weight)
        if weight > self._maxweight:
            self._maxweight = weight
        if vbytes:
            self._values.append(vbytes)
        if length:
            minlength = self._minlength
            if minlength is None or length < minlength:
                self._minlength = length
            if length > self._maxlength:
                self._maxlength = length

    def _write_block(self, last: bool = False) -> None:
        """Write the buffered block (as ``W3PostingsWriter`` does, small ones uncompressed)."""
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        data = (self._mini_ids(), self._mini_weights(), self._mini_values())
        ids = self._ids
        self._put_block(
            data, len(ids), ids[-1], self._maxweight, self._minlength, self._maxlength, last
        )
        self._blockcount += 1
        self._new_block()

    def _put_block(
        self,
        data: tuple[Any, Any, Any],
        count: int,
        last_id: int,
        maxweight: float,
        minlength: int | None,
        maxlength: int,
        last: bool,
    ) -> None:
        databytes = dumps(data, 2)
        comp = self._compression if len(databytes) >= COMPRESS_MIN_BYTES else 0
        if comp:
            databytes = zlib.compress(databytes, comp)
        lengths = length_to_byte(minlength), length_to_byte(maxlength)
        infobytes = dumps((count, last_id, maxweight, comp, *lengths), 2)
        blocklength = len(infobytes) + len(databytes)
        self._postfile.write(
            pack_int(-blocklength if last else blocklength) + infobytes + databytes
        )

    def write_postings(
        self,
        fmt: Any,
        postings: list[tuple[int, float, bytes]],
        lengths_of: list[int | None] | None,
    ) -> W3TermInfo:
        """Write the ``(docnum, weight, valuebytes)`` postings of one term (increasing
        document numbers, at least one) in blocks, as :meth:`start_postings`, one
        :meth:`add_posting` per posting and :meth:`finish_postings` would; returns the
        term's info.  ``lengths_of`` gives the field length per document number."""
        terminfo = W3TermInfo()
        self._format = fmt
        postfile = self._postfile
        start = postfile.tell()
        postfile.write(WHOOSH3_HEADER_MAGIC)
        fixedsize = fmt.fixed_value_size()
        limit = self._blocklimit
        total = len(postings)
        for first in range(0, total, limit):
            block = postings[first : first + limit] if total > limit else postings
            ids = [p[0] for p in block]
            raw_weights = [p[1] for p in block]
            weights = array("f", raw_weights)
            if fixedsize == 0:
                values = None
            elif fixedsize is None or fixedsize < 0:
                values = tuple(p[2] for p in block if p[2])
            else:
                values = b"".join(p[2] for p in block if p[2])
            if lengths_of is None:
                minlength, maxlength = None, 0
            else:
                lengths = [n for n in (lengths_of[d] for d in ids) if n]
                minlength, maxlength = (min(lengths), max(lengths)) if lengths else (None, 0)
            top = max(raw_weights)
            maxweight = top if top > 0 else 0
            terminfo.add_block(_Block(weights, ids, minlength, maxlength, maxweight))
            if all(w == 1.0 for w in weights):
                mini_weights: Any = None
            elif all(w == weights[0] for w in weights):
                mini_weights = weights[0]
            else:
                mini_weights = tuple(weights)
            data = (tuple(delta_encode(ids)), mini_weights, values)
            last = first + limit >= total
            self._put_block(data, len(ids), ids[-1], maxweight, minlength, maxlength, last)
        terminfo.set_extent(start, postfile.tell() - start)
        return terminfo


class _Block:
    """The statistics of one written block, as ``W3TermInfo.add_block`` reads them."""

    __slots__ = ("_weights", "_ids", "_minlength", "_maxlength", "_maxweight")

    def __init__(
        self,
        weights: array[float],
        ids: list[int],
        minlength: int | None,
        maxlength: int,
        maxweight: float,
    ) -> None:
        self._weights = weights
        self._ids = ids
        self._minlength = minlength
        self._maxlength = maxlength
        self._maxweight = maxweight

    def __len__(self) -> int:
        return len(self._ids)

    def min_length(self) -> int | None:
        return self._minlength

    def max_length(self) -> int:
        return self._maxlength

    def max_weight(self) -> float:
        return self._maxweight

    def min_id(self) -> int:
        return self._ids[0]

    def max_id(self) -> int:
        return self._ids[-1]


class BuildFieldWriter(W3FieldWriter):  # type: ignore[misc]
    """``W3FieldWriter`` whose ``add_postings`` writes a :class:`MemoryPool` a term at a
    time (fields and terms in the order of Whoosh's ``FieldWriter.add_postings``)."""

    def add_postings(self, schema: Any, lengths: Any, items: Any) -> None:
        """Write all postings of ``items`` (a :class:`PoolPostings` or any sorted postings)."""
        postwriter = self._codec.postings_writer(self._postfile)
        if (
            not isinstance(items, PoolPostings)
            or not isinstance(lengths, CachedLengthsReader)
            or not isinstance(postwriter, BuildPostingsWriter)
            or postwriter._inlinelimit > 1
        ):
            super().add_postings(schema, lengths, items)
            return
        add_term = self._tindex.add
        for fieldname, terms in items.fields():
            self.start_field(fieldname, schema[fieldname])
            fmt = self._format
            lengths_of = lengths.lengths_of(fieldname)
            fieldid = pack_ushort(self._fieldid)
            for btext, postings in terms:
                terminfo = postwriter.write_postings(fmt, postings, lengths_of)
                add_term(fieldid + btext, terminfo.to_bytes())
            self.finish_field()
        self._postwriter = self._codec.postings_writer(self._postfile)


class MemoryPool:
    """The writer's posting pool, in memory and grouped per field and term.

    Whoosh's ``PostingPool`` sorts every posting tuple (spilling sorted runs to
    disk); here the ``(docnum, weight, valuebytes)`` postings of a term are kept
    together in the order they come (a writer adds documents in increasing number),
    so only the distinct terms are sorted.  A term is a ``bytes`` key or, for text
    analysed by :func:`_dutch_postings`, the ``str`` it encodes (encoded once, when
    written).  :meth:`iter_postings` yields the same sequence as the sorted pool: one
    document adds a term of a field at most once.
    """

    def __init__(self) -> None:
        self._fields: dict[str, dict[Any, list[tuple[int, float, bytes]]]] = {}
        #: Keep the postings on :meth:`cleanup` (a process about to exit skips freeing them).
        self.keep = False

    @property
    def fieldnames(self) -> set[str]:
        """The fields that have postings."""
        return set(self._fields)

    def field(self, fieldname: str) -> dict[Any, list[tuple[int, float, bytes]]]:
        """The term → postings dictionary of one field (created when new)."""
        terms = self._fields.get(fieldname)
        if terms is None:
            terms = self._fields[fieldname] = {}
        return terms

    def add(self, item: tuple[Any, ...]) -> None:
        """Add one ``(fieldname, termbytes, docnum, weight, valuebytes)`` posting."""
        fieldname, term, docnum, weight, value = item
        terms = self.field(fieldname)
        posting = (docnum, weight, value)
        found = terms.get(term)
        if found is None:
            terms[term] = [posting]
        else:
            found.append(posting)

    def iter_postings(self) -> PoolPostings:
        """All postings sorted by field, term and document number."""
        return PoolPostings(self._fields)

    def save(self) -> None:
        """Nothing to flush: the pool lives in memory."""

    def cleanup(self) -> None:
        """Release the postings (unless :attr:`keep` is set)."""
        if not self.keep:
            self._fields = {}


#: Field values up to this length are indexed once per writer and then reused.
_VALUE_CACHE_CHARS = 400
_VALUE_CACHE_SIZE = 50_000


class PoolPostings:
    """The postings of a :class:`MemoryPool` in sorted order: iterate for Whoosh's
    ``(fieldname, termbytes, docnum, weight, valuebytes)`` tuples, or take
    :meth:`fields` (per field, its terms with their postings)."""

    def __init__(self, fields: dict[str, dict[Any, list[tuple[int, float, bytes]]]]) -> None:
        self._fields = fields

    def fields(
        self,
    ) -> Iterator[tuple[str, Iterator[tuple[bytes, list[tuple[int, float, bytes]]]]]]:
        """``(fieldname, terms)`` in field order; ``terms`` yields ``(termbytes,
        postings)`` in term order."""
        for fieldname in sorted(self._fields):
            yield fieldname, _sorted_terms(self._fields[fieldname])

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        for fieldname, terms in self.fields():
            for btext, postings in terms:
                for docnum, weight, value in postings:
                    yield fieldname, btext, docnum, weight, value


def _sorted_terms(
    terms: dict[Any, list[tuple[int, float, bytes]]],
) -> Iterator[tuple[bytes, list[tuple[int, float, bytes]]]]:
    """The terms of one field as ``bytes``, sorted, with their postings (a term that was
    added both as ``str`` and as ``bytes`` gets one list, by document number)."""
    keyed: dict[bytes, list[tuple[int, float, bytes]]] = {}
    for term, postings in terms.items():
        btext = term.encode("utf-8") if type(term) is str else term
        found = keyed.get(btext)
        if found is None:
            keyed[btext] = postings
        else:
            keyed[btext] = sorted(found + postings, key=lambda p: p[0])
    for btext in sorted(keyed):
        yield btext, keyed[btext]


class BuildWriter(SegmentWriter):  # type: ignore[misc]
    """A ``SegmentWriter`` with :class:`BuildCodec`, :class:`MemoryPool` and a faster
    :meth:`add_document`.

    ``add_document`` does what Whoosh's does, with two shortcuts that give the same
    postings: the terms of a short field value (a title, a heading path, an id, a
    year) are computed once and reused, and text fields analysed by a
    :class:`~kennisbank.analysis.DutchAnalyzer` take their terms straight from
    :meth:`~kennisbank.analysis.DutchAnalyzer.index_terms` instead of a stream of
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
    :class:`~kennisbank.analysis.DutchAnalyzer` and a ``Positions`` or ``Characters``
    format; ``None`` for any other field."""
    from kennisbank.analysis import DutchAnalyzer

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
