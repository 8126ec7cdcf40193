"""How the build holds and writes postings: Whoosh's 3 format, written a term at a time.

* :class:`MemoryPool` — the writer's posting pool in memory, grouped per field and
  term (Whoosh's ``PostingPool`` sorts, and spills to disk, every posting tuple);
* :class:`BuildCodec` — ``W3Codec`` whose field writer takes a pool's posting lists a
  term at a time (:meth:`BuildPostingsWriter.write_postings`: the blocks and
  statistics Whoosh writes, without a Python call per posting) and reads each field's
  length column once (:class:`CachedLengthsReader`; Whoosh reads the length of *each*
  posting, with an ``os.stat`` per posting for fields without lengths); segments record
  a plain ``W3Codec``, so the index stays standard.

Used by :mod:`.writer`; ``tests/test_whooshfast.py`` compares postings,
blocks and term statistics with Whoosh's own writer.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from typing import Any

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
from whoosh.system import pack_ushort
from whoosh.util.numeric import byte_to_length

from kennisbank.search.whoosh_backend.blocks import COMPRESS_MIN_BYTES, block_data, encode_block

__all__ = [
    "COMPRESS_MIN_BYTES",
    "BuildCodec",
    "BuildFieldWriter",
    "BuildPostingsWriter",
    "CachedLengthsReader",
    "MemoryPool",
    "PoolPostings",
]


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


class BuildPostingsWriter(W3PostingsWriter):  # type: ignore[misc]
    """``W3PostingsWriter`` that also writes a whole posting list at once
    (:meth:`write_postings`); ``add_posting`` without its type assertions (the build
    passes document numbers, float weights and bytes).  The same blocks and
    statistics, except that small blocks stay uncompressed
    (:data:`~.blocks.COMPRESS_MIN_BYTES`; the layout is :mod:`.blocks`)."""

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
        stats = (count, last_id, maxweight, minlength, maxlength)
        self._postfile.write(encode_block(data, stats, compression=self._compression, last=last))

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
            data = block_data(ids, weights, values)
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
