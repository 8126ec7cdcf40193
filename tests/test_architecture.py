"""The house keeps its shape: no import cycles, Whoosh in one room, modules of a readable size.

``make lint`` runs the import-linter contracts of ``pyproject.toml``; these tests check the
same map from the import graph (grimp, the library under import-linter) so that a broken
layout also fails ``make test``.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterable, Iterator

import grimp
import pytest

from tests.conftest import REPO_ROOT

PRODUCT = ("kennisbank", "indexer", "web", "cli")
WHOOSH_ROOM = "kennisbank.search.whoosh_backend"
#: A module longer than this must say in its docstring why it is not split.
MAX_LINES = 500


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(*PRODUCT, include_external_packages=True)


def _product_modules(graph: grimp.ImportGraph) -> set[str]:
    return {m for m in graph.modules if m.split(".")[0] in PRODUCT}


def _cycles(nodes: set[str], edges: dict[str, set[str]]) -> Iterator[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    counter = 0
    for root in sorted(nodes):
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        yield sorted(component)


def test_cycle_finder_finds_a_cycle() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert list(_cycles({"a", "b", "c", "d"}, edges)) == [["a", "b", "c"]]
    assert list(_cycles({"a", "b"}, {"a": {"b"}})) == []


def test_no_import_cycle_among_product_modules(graph: grimp.ImportGraph) -> None:
    modules = _product_modules(graph)
    edges = {m: graph.find_modules_directly_imported_by(m) & modules for m in modules}
    cycles = list(_cycles(modules, edges))
    assert not cycles, f"import-cycli tussen modules: {cycles}"


def test_only_the_whoosh_room_imports_whoosh(graph: grimp.ImportGraph) -> None:
    importers = {
        m for m in graph.find_modules_that_directly_import("whoosh") if m.split(".")[0] in PRODUCT
    }
    assert importers, "the backend imports whoosh"
    outside = sorted(m for m in importers if not m.startswith(WHOOSH_ROOM))
    assert not outside, f"whoosh buiten {WHOOSH_ROOM}: {outside}"


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("kennisbank", ("indexer", "web", "cli", "benchmarks")),
        ("web", ("indexer", "cli", "benchmarks", "spacy")),
        ("indexer", ("web", "cli", "benchmarks")),
    ],
)
def test_layers(graph: grimp.ImportGraph, package: str, forbidden: Iterable[str]) -> None:
    for target in forbidden:
        if target not in graph.modules:
            continue
        chains = graph.find_shortest_chains(importer=package, imported=target, as_packages=True)
        assert not chains, f"{package} mag {target} niet importeren: {sorted(chains)[:3]}"


def _module_files() -> Iterator[tuple[str, str]]:
    for package in PRODUCT:
        for path in sorted((REPO_ROOT / package).rglob("*.py")):
            yield str(path.relative_to(REPO_ROOT)), path.read_text(encoding="utf-8")


def test_long_modules_say_why() -> None:
    too_long = []
    for name, source in _module_files():
        lines = source.count("\n")
        if lines <= MAX_LINES:
            continue
        doc = ast.get_docstring(ast.parse(source)) or ""
        if "Why one module" not in doc:
            too_long.append(f"{name} ({lines} regels)")
    assert not too_long, (
        f"modules boven {MAX_LINES} regels zonder 'Why one module' in de docstring: {too_long}"
    )


def _modules_loaded_by(code: str, pattern: str) -> list[str]:
    """The modules matching ``pattern`` (a Python expression over ``m``) that a fresh
    interpreter has loaded after running ``code``."""
    script = f"import sys\n{code}\nprint(sorted(m for m in sys.modules if {pattern}))\n"
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    return ast.literal_eval(out.stdout.strip())


def test_the_web_app_loads_no_indexer_spacy_or_writer() -> None:
    """The web process reads: creating the app loads neither the indexer, spaCy, the CLI
    nor the index writer (searching itself: ``test_searching_imports_no_writing_module``)."""
    loaded = _modules_loaded_by(
        "import web\nweb.create_app({'TESTING': True})",
        "(m.startswith('kennisbank.search.whoosh_backend.')"
        " and m.rsplit('.', 1)[1] in {'build', 'update', 'writer', 'codec'})"
        " or m.split('.')[0] in {'indexer', 'spacy', 'cli'}",
    )
    assert loaded == []


def test_the_search_package_exports_lazily() -> None:
    """``kennisbank.search`` names every public name once, and importing the field
    declarations (the CLI does at start-up) loads neither the engine nor Whoosh."""
    import kennisbank.search as search

    assert sorted(search.__all__) == sorted(search._EXPORTS)
    for name in search.__all__:
        assert getattr(search, name) is not None
    loaded = _modules_loaded_by(
        "import kennisbank.search.fields", "m == 'whoosh' or m.endswith('.engine')"
    )
    assert loaded == []
