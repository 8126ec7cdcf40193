"""Every Whoosh name the backend relies on beyond Whoosh's documented API, in one list.

Whoosh is pinned to one version (``pyproject.toml``).  The backend reads posting blocks,
length columns and matcher state directly, subclasses Whoosh's writer and codec, and
replaces the file class of compound segments; all of that uses private names
(``_lenfield``, ``W3LeafMatcher._dataoffset``, ``SegmentWriter._commit_toc`` …) and
internal module paths (``whoosh.codec.whoosh3``, ``whoosh.filedb.compound`` …).  Each is
listed in :data:`PRIVATE_WHOOSH`; ``tests/test_whoosh_private.py`` checks that every
entry still exists with the expected kind (and, where given, parameters), and greps the
backend so that a private use missing from this list fails too.  A failure there means a
Whoosh upgrade changed something the backend depends on.

``target`` is ``"module:qualified.name"`` (``"module"`` alone for a module).  Kinds:

* ``module`` — an importable module;
* ``class``, ``function``, ``constant`` — a module-level object;
* ``method`` — a function, classmethod or staticmethod on a class;
* ``attribute`` — an attribute of an instance (checked on live objects of a tiny index);
* ``parameter`` — a parameter of a callable (``target`` names the callable, ``params``
  the parameter);
* ``source`` — a convention in Whoosh's code (``params`` holds text that its source must
  contain).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WhooshName:
    """One Whoosh name the backend relies on, and where (``used_by``: backend modules)."""

    target: str
    kind: str
    used_by: str
    params: tuple[str, ...] = ()

    @property
    def module(self) -> str:
        """The module part of :attr:`target`."""
        return self.target.split(":", 1)[0]

    @property
    def qualname(self) -> str:
        """The name inside the module (``""`` for a module)."""
        return self.target.split(":", 1)[1] if ":" in self.target else ""


_W3 = "whoosh.codec.whoosh3"

#: Every private or internal Whoosh name the backend uses (see the module docstring).
PRIVATE_WHOOSH: tuple[WhooshName, ...] = (
    # -- modules the backend imports (public ones included, so that the grep is complete)
    WhooshName("whoosh.index", "module", "reader, build, update"),
    WhooshName("whoosh.query", "module", "compiler, matching, termscore, reader"),
    WhooshName("whoosh.fields", "module", "schema"),
    WhooshName(_W3, "module", "codec, termscore"),
    WhooshName("whoosh.filedb.compound", "module", "reader"),
    # -- the analyzer (whoosh.analysis) and schema
    WhooshName("whoosh.analysis:Analyzer", "class", "analysis, schema"),
    WhooshName("whoosh.analysis:CompositeAnalyzer", "class", "analysis"),
    WhooshName("whoosh.analysis:CompositeAnalyzer.items", "attribute", "analysis"),
    WhooshName("whoosh.analysis:Filter", "class", "analysis"),
    WhooshName("whoosh.analysis:LowercaseFilter", "class", "analysis"),
    WhooshName("whoosh.analysis:RegexTokenizer", "class", "analysis"),
    WhooshName("whoosh.analysis:RegexTokenizer.expression", "attribute", "analysis"),
    WhooshName("whoosh.analysis:Token", "class", "analysis"),
    # -- reading: memory-mapped segment files (reader.ViewFile)
    WhooshName("whoosh.filedb.compound:BufferFile", "class", "reader"),
    WhooshName("whoosh.filedb.structfile:BufferFile", "class", "reader"),
    WhooshName("whoosh.filedb.structfile:BufferFile.__init__", "parameter", "reader", ("buf",)),
    WhooshName("whoosh.filedb.structfile:BufferFile.get", "source", "reader", ("self._buf",)),
    WhooshName("whoosh.filedb.structfile:BufferFile._buf", "attribute", "reader"),
    WhooshName("whoosh.filedb.structfile:BufferFile._name", "attribute", "reader"),
    WhooshName("whoosh.searching:Searcher", "class", "reader"),
    # -- reading: BM25F on arrays (termscore) and posting blocks (blocks)
    WhooshName("whoosh.scoring:BM25F", "class", "termscore"),
    WhooshName("whoosh.scoring:BM25F._field_B", "attribute", "termscore"),
    WhooshName("whoosh.matching.wrappers:FilterMatcher", "class", "termscore"),
    WhooshName("whoosh.matching.wrappers:FilterMatcher._exclude", "attribute", "termscore"),
    WhooshName("whoosh.matching.wrappers:FilterMatcher._ids", "attribute", "termscore"),
    WhooshName(f"{_W3}:W3LeafMatcher", "class", "termscore, blocks"),
    WhooshName(f"{_W3}:W3LeafMatcher._postfile", "attribute", "blocks"),
    WhooshName(f"{_W3}:W3LeafMatcher._dataoffset", "attribute", "blocks"),
    WhooshName(f"{_W3}:W3LeafMatcher._nextoffset", "attribute", "blocks"),
    WhooshName(f"{_W3}:W3LeafMatcher._compression", "attribute", "blocks"),
    WhooshName(f"{_W3}:W3LeafMatcher._blocklength", "attribute", "blocks"),
    WhooshName(f"{_W3}:W3LeafMatcher._byteids", "attribute", "blocks"),
    WhooshName(f"{_W3}:W3LeafMatcher._next_block", "method", "blocks", ("self",)),
    WhooshName(f"{_W3}:W3LeafMatcher._read_data", "source", "blocks", ("self._data = loads(b)",)),
    WhooshName(f"{_W3}:W3LeafMatcher._read_ids", "source", "blocks", ("delta_decode(ids)",)),
    WhooshName(f"{_W3}:LENGTHS_COLUMN", "constant", "codec, termscore"),
    WhooshName(f"{_W3}:_lenfield", "function", "codec, termscore", ("fieldname",)),
    WhooshName(f"{_W3}:W3PerDocReader._cached_reader", "method", "termscore", ("fieldname",)),
    WhooshName("whoosh.reading:SegmentReader._perdoc", "attribute", "termscore"),
    WhooshName("whoosh.columns:FixedBytesColumn.Reader._fixedlen", "attribute", "termscore"),
    WhooshName("whoosh.columns:FixedBytesColumn.Reader._dbfile", "attribute", "termscore"),
    WhooshName("whoosh.columns:FixedBytesColumn.Reader._basepos", "attribute", "termscore"),
    WhooshName("whoosh.columns:FixedBytesColumn.Reader._count", "attribute", "termscore"),
    WhooshName("whoosh.util.numeric:byte_to_length", "function", "codec, termscore"),
    WhooshName("whoosh.util.numeric:length_to_byte", "function", "blocks"),
    WhooshName("whoosh.util.numlists:delta_encode", "function", "blocks"),
    WhooshName("whoosh.system:pack_int", "function", "blocks"),
    WhooshName("whoosh.system:pack_ushort", "function", "codec"),
    # -- writing: the build writer (writer.BuildWriter, a SegmentWriter)
    WhooshName("whoosh.writing:SegmentWriter", "class", "writer"),
    WhooshName("whoosh.writing:SegmentWriter.__init__", "parameter", "writer", ("_lk", "codec")),
    WhooshName("whoosh.writing:SegmentWriter._check_state", "method", "writer", ("self",)),
    WhooshName("whoosh.writing:SegmentWriter._check_fields", "method", "writer", ("schema",)),
    WhooshName("whoosh.writing:SegmentWriter._doc_boost", "method", "writer", ("fields",)),
    WhooshName("whoosh.writing:SegmentWriter._field_boost", "method", "writer", ("fieldname",)),
    WhooshName("whoosh.writing:SegmentWriter._close_segment", "method", "writer", ("self",)),
    WhooshName("whoosh.writing:SegmentWriter._commit_toc", "method", "writer", ("segments",)),
    WhooshName("whoosh.writing:SegmentWriter._finish", "method", "writer", ("self",)),
    WhooshName("whoosh.writing:SegmentWriter._finalize_segment", "method", "writer", ("self",)),
    WhooshName("whoosh.writing:SegmentWriter._added", "attribute", "writer"),
    WhooshName("whoosh.writing:SegmentWriter.pool", "attribute", "writer"),
    WhooshName("whoosh.writing:SegmentWriter.perdocwriter", "attribute", "writer, update"),
    WhooshName("whoosh.writing:SegmentWriter.docnum", "attribute", "writer"),
    WhooshName("whoosh.writing:SegmentWriter.add_document", "source", "writer", ("_stored_",)),
    WhooshName("whoosh.writing:MERGE_SMALL", "function", "update"),
    WhooshName("whoosh.formats:Characters", "class", "writer"),
    WhooshName("whoosh.formats:Positions", "class", "writer"),
    # -- writing: the codec (codec.BuildCodec, a W3Codec)
    WhooshName(f"{_W3}:W3Codec", "class", "codec"),
    WhooshName(f"{_W3}:W3Codec._blocklimit", "attribute", "codec"),
    WhooshName(f"{_W3}:W3Codec._compression", "attribute", "codec"),
    WhooshName(f"{_W3}:W3Codec._inlinelimit", "attribute", "codec"),
    WhooshName(f"{_W3}:W3Segment", "class", "codec"),
    WhooshName(f"{_W3}:W3PerDocReader", "class", "codec"),
    WhooshName(f"{_W3}:W3FieldWriter", "class", "codec"),
    WhooshName(f"{_W3}:W3FieldWriter.add_postings", "parameter", "codec", ("lengths", "items")),
    WhooshName(f"{_W3}:W3FieldWriter._codec", "attribute", "codec"),
    WhooshName(f"{_W3}:W3FieldWriter._fieldid", "attribute", "codec"),
    WhooshName(f"{_W3}:W3FieldWriter._format", "attribute", "codec"),
    WhooshName(f"{_W3}:W3FieldWriter._postfile", "attribute", "codec"),
    WhooshName(f"{_W3}:W3FieldWriter._postwriter", "attribute", "codec"),
    WhooshName(f"{_W3}:W3FieldWriter._tindex", "attribute", "codec"),
    WhooshName(f"{_W3}:W3PostingsWriter", "class", "codec"),
    WhooshName(f"{_W3}:W3PostingsWriter._write_block", "method", "codec", ("last",)),
    WhooshName(f"{_W3}:W3PostingsWriter._new_block", "method", "codec", ("self",)),
    WhooshName(f"{_W3}:W3PostingsWriter._mini_ids", "method", "codec", ("self",)),
    WhooshName(f"{_W3}:W3PostingsWriter._mini_weights", "method", "codec", ("self",)),
    WhooshName(f"{_W3}:W3PostingsWriter._mini_values", "method", "codec", ("self",)),
    WhooshName(f"{_W3}:W3PostingsWriter._blockcount", "attribute", "codec"),
    WhooshName(f"{_W3}:W3PostingsWriter._blocklimit", "attribute", "codec"),
    WhooshName(f"{_W3}:W3PostingsWriter._compression", "attribute", "codec"),
    WhooshName(f"{_W3}:W3PostingsWriter._inlinelimit", "attribute", "codec"),
    WhooshName(f"{_W3}:W3PostingsWriter._postfile", "attribute", "codec"),
    WhooshName(f"{_W3}:W3PostingsWriter._terminfo", "attribute", "codec"),
    WhooshName(f"{_W3}:W3PostingsWriter._ids", "attribute", "codec"),
    WhooshName(f"{_W3}:W3PostingsWriter._weights", "attribute", "codec"),
    WhooshName(f"{_W3}:W3PostingsWriter._values", "attribute", "codec"),
    WhooshName(f"{_W3}:W3PostingsWriter._maxweight", "attribute", "codec"),
    WhooshName(f"{_W3}:W3PostingsWriter._minlength", "attribute", "codec"),
    WhooshName(f"{_W3}:W3PostingsWriter._maxlength", "attribute", "codec"),
    WhooshName(f"{_W3}:W3PostingsWriter._format", "attribute", "codec"),
    WhooshName(f"{_W3}:W3TermInfo", "class", "codec"),
    WhooshName(f"{_W3}:W3TermInfo.add_block", "source", "codec", ("block._weights",)),
    WhooshName(f"{_W3}:WHOOSH3_HEADER_MAGIC", "constant", "codec"),
    # -- writing: the incremental update (update)
    WhooshName("whoosh.index:TOC", "class", "update"),
    WhooshName("whoosh.index:TOC._pattern", "method", "update", ("indexname",)),
    WhooshName("whoosh.index:TOC._segment_pattern", "method", "update", ("indexname",)),
    WhooshName("whoosh.index:FileIndex._segments", "method", "update", ("self",)),
    WhooshName("whoosh.reading:SegmentReader", "class", "update"),
)

__all__ = ["PRIVATE_WHOOSH", "WhooshName"]
