"""The private Whoosh names the backend relies on still exist (a Whoosh upgrade check).

Every private or internal Whoosh name the backend uses is listed once, in
:data:`kennisbank.search.whoosh_backend.private.PRIVATE_WHOOSH`.  The first tests check
each entry against the installed Whoosh (instance attributes on live objects of a tiny
index); the last ones read the backend's source, so that a new private use that is not
in the list fails as well.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from whoosh import fields, index
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, W3TermInfo, _lenfield
from whoosh.filedb.filestore import RamStorage
from whoosh.filedb.structfile import BufferFile, StructFile
from whoosh.scoring import BM25F

from kennisbank.search.whoosh_backend.analysis import dutch_analyzer
from kennisbank.search.whoosh_backend.private import PRIVATE_WHOOSH, WhooshName

BACKEND = Path(__file__).resolve().parent.parent / "kennisbank" / "search" / "whoosh_backend"
UPGRADE = "a Whoosh upgrade changed it; see kennisbank/search/whoosh_backend/private.py"


def _resolve(module: str, qualname: str) -> Any:
    obj: Any = importlib.import_module(module)
    for part in qualname.split(".") if qualname else ():
        obj = getattr(obj, part)
    return obj


def _owner(entry: WhooshName) -> Any:
    """The class (or module) that holds ``entry``'s last name."""
    return _resolve(entry.module, entry.qualname.rpartition(".")[0])


def _entries(*kinds: str) -> list[WhooshName]:
    return [e for e in PRIVATE_WHOOSH if e.kind in kinds]


def _id(entry: WhooshName) -> str:
    return f"{entry.kind}:{entry.target}"


@pytest.mark.parametrize("entry", _entries("module", "class", "function", "constant"), ids=_id)
def test_module_level_names_exist(entry: WhooshName) -> None:
    try:
        obj = _resolve(entry.module, entry.qualname)
    except (ImportError, AttributeError) as exc:
        pytest.fail(f"Whoosh {entry.kind} {entry.target} is gone ({exc}): {UPGRADE}")
    check = {
        "module": inspect.ismodule,
        "class": inspect.isclass,
        "function": callable,
        "constant": lambda o: not callable(o),
    }[entry.kind]
    assert check(obj), f"Whoosh {entry.target} is no longer a {entry.kind}: {UPGRADE}"
    if entry.params:
        _assert_params(entry, obj)


@pytest.mark.parametrize("entry", _entries("method", "parameter"), ids=_id)
def test_methods_and_parameters_exist(entry: WhooshName) -> None:
    try:
        obj = _resolve(entry.module, entry.qualname)
    except (ImportError, AttributeError) as exc:
        pytest.fail(f"Whoosh {entry.kind} {entry.target} is gone ({exc}): {UPGRADE}")
    assert callable(obj), f"Whoosh {entry.target} is no longer callable: {UPGRADE}"
    _assert_params(entry, obj)


def _assert_params(entry: WhooshName, obj: Any) -> None:
    found = inspect.signature(obj).parameters
    missing = [p for p in entry.params if p not in found and p != "self"]
    assert not missing, (
        f"Whoosh {entry.target} lost parameter(s) {missing} (has {list(found)}): {UPGRADE}"
    )


@pytest.mark.parametrize("entry", _entries("source"), ids=_id)
def test_source_conventions_hold(entry: WhooshName) -> None:
    source = inspect.getsource(_resolve(entry.module, entry.qualname))
    for text in entry.params:
        assert text in source, f"Whoosh {entry.target} no longer has {text!r}: {UPGRADE}"


# -- instance attributes, on live objects of a tiny index ------------------------------------


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """One live object per class whose instance attributes the backend reads."""
    folder = tmp_path_factory.mktemp("whoosh-private")
    schema = fields.Schema(
        id=fields.ID(stored=True),
        text=fields.TEXT(analyzer=dutch_analyzer(), phrase=True, chars=True),
    )
    ix = index.create_in(str(folder), schema)
    writer = ix.writer()
    for n in range(3):
        writer.add_document(id=str(n), text="wijkaanpak in de krachtwijken")
    writer.commit()
    writer = ix.writer()
    writer.delete_by_term("id", "0")
    writer.commit(merge=False)
    found: dict[str, Any] = {}
    codec = W3Codec()
    storage = RamStorage()
    postwriter = codec.postings_writer(StructFile(io.BytesIO()))
    postwriter.start_postings(schema["text"].format, W3TermInfo())
    found["whoosh.codec.whoosh3:W3Codec"] = codec
    found["whoosh.codec.whoosh3:W3PostingsWriter"] = postwriter
    field_writer = codec.field_writer(storage, codec.new_segment(storage, "x"))
    field_writer.start_field("text", schema["text"])
    found["whoosh.codec.whoosh3:W3FieldWriter"] = field_writer
    found["whoosh.filedb.structfile:BufferFile"] = BufferFile(b"abc", name="x")
    found["whoosh.scoring:BM25F"] = BM25F()
    analyzer = dutch_analyzer()
    found["whoosh.analysis:CompositeAnalyzer"] = analyzer
    found["whoosh.analysis:RegexTokenizer"] = analyzer.items[0]
    segment_writer = ix.writer()
    found["whoosh.writing:SegmentWriter"] = segment_writer
    with ix.searcher() as searcher:
        (leaf, _), *_ = searcher.leaf_searchers()
        reader = leaf.reader()
        found["whoosh.reading:SegmentReader"] = reader
        found["whoosh.matching.wrappers:FilterMatcher"] = reader.postings("text", "wijkaanpak")
        found["whoosh.codec.whoosh3:W3LeafMatcher"] = found[
            "whoosh.matching.wrappers:FilterMatcher"
        ].child
        column = reader._perdoc._cached_reader(_lenfield("text"), LENGTHS_COLUMN)
        found["whoosh.columns:FixedBytesColumn.Reader"] = column
        yield found
    segment_writer.cancel()


@pytest.mark.parametrize("entry", _entries("attribute"), ids=_id)
def test_instance_attributes_exist(entry: WhooshName, live: dict[str, Any]) -> None:
    owner, _, name = entry.target.rpartition(".")
    obj = live.get(owner)
    assert obj is not None, f"no live object for {owner}: add one to the fixture"
    assert isinstance(obj, _owner(entry)), f"the live object is no {owner}"
    assert hasattr(obj, name), f"Whoosh {owner} objects no longer have {name}: {UPGRADE}"


# -- the list is complete: every private Whoosh use in the backend is in it -----------------


def _sources() -> dict[str, ast.Module]:
    return {
        path.name: ast.parse(path.read_text(encoding="utf-8"))
        for path in sorted(BACKEND.glob("*.py"))
        if path.name != "private.py"
    }


def _listed_names() -> set[str]:
    names = {e.qualname.rpartition(".")[2] for e in PRIVATE_WHOOSH}
    return names | {p for e in _entries("source") for p in e.params}


def _own_names() -> set[str]:
    """Private names the backend defines itself: its functions and classes, and what its
    classes define or set, except, in a subclass of a Whoosh class, the names Whoosh's
    classes define or set as well (those are a reliance on Whoosh's names)."""
    own: set[str] = set()
    for tree in _sources().values():
        from_whoosh = {
            alias.asname or alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("whoosh")
            for alias in node.names
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.ClassDef):
                own.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                own.add(node.id)
            if isinstance(node, ast.ClassDef):
                defined = _defined_in(node)
                bases = {b.id for b in node.bases if isinstance(b, ast.Name)}
                own |= defined - _whoosh_side(defined) if bases & from_whoosh else defined
    return own


def _defined_in(cls: ast.ClassDef) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(cls):
        if isinstance(node, ast.FunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names.add(node.value)  # __slots__
    return names


def _whoosh_side(names: set[str]) -> set[str]:
    """Of ``names``, those that Whoosh's own classes define or set."""
    modules = ("whoosh.codec.whoosh3", "whoosh.filedb.structfile", "whoosh.writing")
    text = "".join(inspect.getsource(importlib.import_module(m)) for m in modules)
    return {n for n in names if f"self.{n} " in text or f"def {n}(" in text}


def test_every_whoosh_import_of_the_backend_is_listed() -> None:
    listed = {e.target for e in PRIVATE_WHOOSH}
    missing = []
    for filename, tree in _sources().items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("whoosh"):
                for alias in node.names:
                    as_module = f"{node.module}.{alias.name}"
                    target = as_module if _is_module(as_module) else f"{node.module}:{alias.name}"
                    if target not in listed:
                        missing.append(f"{filename}: {target}")
            elif isinstance(node, ast.Import):
                missing += [
                    f"{filename}: {a.name}"
                    for a in node.names
                    if a.name.startswith("whoosh") and a.name not in listed
                ]
    assert not missing, f"Whoosh names used but not listed in private.py: {missing}"


def _is_module(name: str) -> bool:
    try:
        importlib.import_module(name)
    except ImportError:
        return False
    return True


def test_every_private_whoosh_attribute_of_the_backend_is_listed() -> None:
    """``x._name`` and ``getattr(x, "_name")`` in the backend: each ``_name`` is listed,
    unless the backend defines it itself (and Whoosh does not)."""
    allowed = _listed_names() | _own_names()
    missing = []
    for filename, tree in _sources().items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute):
                name = node.attr
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                name = node.value
            else:
                continue
            private = name.startswith("_") and not name.startswith("__") and name[1:2].isalpha()
            if private and name.replace("_", "").isalnum() and name not in allowed:
                missing.append(f"{filename}:{node.lineno}: {name}")
    assert not missing, f"private Whoosh names used but not listed in private.py: {missing}"
