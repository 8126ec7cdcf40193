"""Building the Whoosh search index: schema, fields per passage, vocabulary, catalog."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from whoosh import index as whoosh_index
from whoosh.reading import SegmentReader

from kennisbank import graph
from kennisbank.config import Settings, load_settings
from kennisbank.model import Mention
from kennisbank.refcheck import form_problem
from kennisbank.search.facets import CATALOG_FILE
from kennisbank.search.meta import META_FILE, read_meta
from kennisbank.search.records import Sources
from kennisbank.search.snippets import snippet_html
from kennisbank.search.vocabulary import VOCABULARY_FILE, load_vocabulary, surface_words
from kennisbank.search.whoosh_backend.analysis import plain_dutch_chain
from kennisbank.search.whoosh_backend.build import (
    SearchIndexError,
    build_search_index,
    part_count,
    split_documents,
)
from kennisbank.search.whoosh_backend.schema import search_schema, term_spans, text_analyzer
from kennisbank.store import Store
from tests.conftest import make_corpus


def build_store(corpus_dir: Path, data_dir: Path) -> Path:
    """Index a corpus into ``data_dir`` with the real pipeline; returns the SQLite path.

    While the knowledge stage (entity graph) cannot be imported yet, it is switched off
    for this run only, so the store holds documents, passages and references.
    """
    from indexer import pipeline

    settings = load_settings(corpus_dir=corpus_dir, data_dir=data_dir, env={})
    try:
        pipeline.run_index(settings)
    except ImportError:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(pipeline, "needs_rebuild", lambda *args: False)
            pipeline.run_index(settings)
    return settings.db_path


def build_index(corpus_dir: Path, data_dir: Path) -> Path:
    """Store plus search index for a corpus; returns the search index folder."""
    db_path = build_store(corpus_dir, data_dir)
    target = data_dir / "search"
    with Store(db_path) as store:
        build_search_index(store, target)
    return target


_BUILT: dict[str, Path] = {}


def real_search_dir(settings: Settings, factory: pytest.TempPathFactory) -> Path:
    """A search index over the session's index of the bundled corpus (built once)."""
    if "real" not in _BUILT:
        target = factory.mktemp("zoekindex") / "search"
        with Store(settings.db_path) as store:
            build_search_index(store, target)
        _BUILT["real"] = target
    return _BUILT["real"]


@pytest.fixture(scope="module")
def real(built_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(SQLite path, search index folder) over the bundled corpus."""
    return built_settings.db_path, real_search_dir(built_settings, tmp_path_factory)


def _stored(target: Path) -> list[dict]:
    ix = whoosh_index.open_dir(str(target), readonly=True)
    with ix.searcher() as searcher:
        return [fields for _, fields in searcher.reader().iter_docs()]


def test_every_passage_becomes_one_search_document(real: tuple[Path, Path]) -> None:
    db_path, target = real
    with Store(db_path) as store:
        passages = store.all_passages()
        documents = {d["id"]: d for d in store.documents()}
    stored = _stored(target)
    assert len(stored) == len(passages)
    assert {s["id"] for s in stored} == {f"{p.document_id}:{p.id}" for p in passages}
    by_id = {s["id"]: s for s in stored}
    for passage in passages[:50]:
        fields = by_id[f"{passage.document_id}:{passage.id}"]
        doc = documents[passage.document_id]
        assert fields["text"] == passage.text
        assert fields["kind"] == passage.kind
        assert fields["seq"] == passage.seq
        assert fields["year"] == doc["year"]
        assert fields["doctype"] == doc["type"]
        assert fields["title"] == doc["title"]
        assert fields["section_path"] == passage.section_path


def test_cited_kamerstukken_become_kst_and_dossier_values(real: tuple[Path, Path]) -> None:
    db_path, target = real
    with Store(db_path) as store:
        refs = store.refs()
    by_id = {s["id"]: s for s in _stored(target)}
    assert refs
    for ref in refs:
        fields = by_id[f"{ref['document_id']}:{ref['passage_id']}"]
        assert ref["identifier"] in fields["kst"].split(",")
        assert ref["identifier"] in fields["cites"].split(",")
        if form_problem(ref["dossier"], "1") is None:
            assert ref["dossier"] in fields["dossier"].split(",")
        else:  # the source's "317323" is no dossier facet value
            assert ref["dossier"] not in fields.get("dossier", "").split(","), ref
    assert any(form_problem(r["dossier"], "1") for r in refs)  # the case is in the corpus


def test_mentions_become_entity_facets_and_a_wijk_brings_its_gemeente(
    tmp_path: Path,
) -> None:
    corpus = make_corpus(
        tmp_path,
        {
            "nota.txt": "Nota over de wijken\n\nIn Overvecht gaat het beter met de buurt.\n\n"
            "Over het thema wonen is veel te zeggen.\n",
        },
    )
    db_path = build_store(corpus, tmp_path / "data")
    with Store(db_path) as store:
        passages = [p for p in store.all_passages() if p.kind == "paragraph"]
        with store.transaction():
            graph.clear(store.conn)
            graph.write_entities(
                store.conn,
                [
                    {
                        "id": "wijk/utrecht-overvecht",
                        "type": "wijk",
                        "name": "Overvecht",
                        "attributes": {"gemeente": "gemeente/utrecht"},
                    },
                    {"id": "gemeente/utrecht", "type": "gemeente", "name": "Utrecht"},
                    {"id": "thema/wonen", "type": "thema", "name": "Wonen"},
                ],
            )
            graph.write_mentions(
                store.conn,
                [
                    Mention(
                        "wijk/utrecht-overvecht",
                        passages[0].id,
                        passages[0].document_id,
                        3,
                        12,
                        "Overvecht",
                        "exact",
                    ),
                    Mention(
                        "thema/wonen",
                        passages[1].id,
                        passages[1].document_id,
                        20,
                        25,
                        "wonen",
                        "exact",
                    ),
                ],
            )
        counts = build_search_index(store, tmp_path / "search")
    assert counts["with_entities"] == 2
    by_passage = {s["passage_id"]: s for s in _stored(tmp_path / "search")}
    first, second = by_passage[passages[0].id], by_passage[passages[1].id]
    assert first["wijk"] == "wijk/utrecht-overvecht"
    assert first["gemeente"] == "gemeente/utrecht"
    assert first["entities"] == ["wijk/utrecht-overvecht"]
    assert second["thema"] == "thema/wonen"
    assert "gemeente" not in second
    catalog = json.loads((tmp_path / "search" / CATALOG_FILE).read_text(encoding="utf-8"))
    assert catalog["entities"]["wijk/utrecht-overvecht"]["name"] == "Overvecht"


def test_vocabulary_counts_passages_per_folded_word(real: tuple[Path, Path]) -> None:
    db_path, target = real
    vocabulary = load_vocabulary(target)
    with Store(db_path) as store:
        texts = [p.text for p in store.all_passages()]
    expected = sum(1 for t in texts if "bewonersparticipatie" in surface_words(t))
    assert vocabulary["bewonersparticipatie"] == expected > 0
    assert "concierges" in vocabulary  # accents folded
    assert all(w == w.lower() and not any(c.isdigit() for c in w) for w in vocabulary)
    assert json.loads((target / VOCABULARY_FILE).read_text(encoding="utf-8"))


def test_meta_and_catalog_describe_the_build(real: tuple[Path, Path]) -> None:
    _, target = real
    meta = read_meta(target)
    assert meta["passages"] > 0 and len(meta["build_id"]) == 32
    assert meta["analyzer"] == text_analyzer()[1]
    catalog = json.loads((target / CATALOG_FILE).read_text(encoding="utf-8"))
    assert catalog["labels"]["kst"]["kst-30995-50"].endswith("30 995, nr. 50")
    assert catalog["labels"]["dossier"]["30995"] == "30 995"
    assert (target / META_FILE).exists()


def test_refuses_a_folder_that_is_not_empty(real: tuple[Path, Path], tmp_path: Path) -> None:
    db_path, _ = real
    (tmp_path / "old.txt").write_text("x", encoding="utf-8")
    with Store(db_path) as store, pytest.raises(SearchIndexError):
        build_search_index(store, tmp_path)


def _index_content(target: Path) -> dict[str, Any]:
    """Everything search reads from an index, keyed by passage id rather than document
    number: stored fields, every term's postings (weight and encoded positions), field
    lengths and sortable column values."""
    ix = whoosh_index.open_dir(str(target), readonly=True)
    with ix.searcher() as searcher:
        reader = searcher.reader()
        ids = {docnum: fields["id"] for docnum, fields in reader.iter_docs()}
        postings = {}
        for fieldname, term in reader.all_terms():
            matcher = reader.postings(fieldname, term)
            found = []
            while matcher.is_active():
                found.append((ids[matcher.id()], round(matcher.weight(), 6), matcher.value()))
                matcher.next()
            postings[(fieldname, term)] = sorted(found)
        lengths = {
            (name, ids[d]): reader.doc_field_length(d, name)
            for name in ix.schema.scorable_names()
            for d in ids
        }
        columns = {
            (name, ids[d]): reader.column_reader(name)[d]
            for name in ix.schema.names()
            if ix.schema[name].column_type
            for d in ids
        }
        return {
            "stored": {fields["id"]: fields for _, fields in reader.iter_docs()},
            "postings": postings,
            "lengths": lengths,
            "columns": columns,
            "doc_count": reader.doc_count(),
            "fields": sorted(ix.schema.names()),
        }


def _plain_whoosh_build(db_path: Path, target: Path) -> None:
    """The reference: the same records through Whoosh's own writer and codec, with the
    plain (unmemoised) analyzer chain."""
    target.mkdir(parents=True)
    ix = whoosh_index.create_in(str(target), search_schema(plain_dutch_chain()))
    writer = ix.writer()
    with Store(db_path) as store:
        sources = Sources.read(store)
        for doc_id in sources.documents:
            for record in sources.records(store, doc_id)[0]:
                writer.add_document(**record)
    writer.commit()


@pytest.fixture(scope="module")
def plain_content(real: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> dict:
    target = tmp_path_factory.mktemp("plain") / "search"
    _plain_whoosh_build(real[0], target)
    return _index_content(target)


def test_fast_build_writes_what_whooshs_own_writer_writes(
    real: tuple[Path, Path], plain_content: dict
) -> None:
    _, target = real
    content = _index_content(target)
    assert content["doc_count"] == plain_content["doc_count"] > 500
    assert content["fields"] == plain_content["fields"]
    assert content["stored"] == plain_content["stored"]
    assert content["postings"].keys() == plain_content["postings"].keys()
    assert content["postings"] == plain_content["postings"]
    assert content["lengths"] == plain_content["lengths"]
    assert content["columns"] == plain_content["columns"]


def test_small_corpus_is_one_segment(real: tuple[Path, Path]) -> None:
    _, target = real
    ix = whoosh_index.open_dir(str(target), readonly=True)
    assert len(ix._segments()) == 1
    assert read_meta(target)["writer"] == {"procs": 1}


def test_two_writer_processes_build_the_same_index(
    real: tuple[Path, Path], plain_content: dict, tmp_path: Path
) -> None:
    db_path, target = real
    with Store(db_path) as store:
        counts = build_search_index(store, tmp_path / "mp", writer_options={"procs": 2})
    assert counts["passages"] == read_meta(target)["passages"]
    ix = whoosh_index.open_dir(str(tmp_path / "mp"), readonly=True)
    assert len(ix._segments()) == 2
    assert _index_content(tmp_path / "mp") == plain_content
    # Passages keep their order: the second segment continues the first.
    with ix.searcher() as searcher:
        order = [fields["id"] for _, fields in searcher.reader().iter_docs()]
    with Store(db_path) as store:
        assert order == [f"{p.document_id}:{p.id}" for p in store.all_passages()]


def test_two_writer_processes_cut_between_documents(
    real: tuple[Path, Path], tmp_path: Path
) -> None:
    """Each segment holds whole documents (a later incremental update rewrites one
    document's segment only), and both hold about half of the text."""
    db_path, _ = real
    with Store(db_path) as store:
        build_search_index(store, tmp_path / "mp", writer_options={"procs": 2})
        sources = Sources.read(store)
    ix = whoosh_index.open_dir(str(tmp_path / "mp"), readonly=True)
    owners = []
    for segment in ix._segments():
        with SegmentReader(ix.storage, ix.schema, segment) as reader:
            owners.append({fields["document_id"] for _, fields in reader.iter_docs()})
    assert len(owners) == 2 and all(owners) and not owners[0] & owners[1]
    chars = [sum(sources.shape[d][1] for d in docs) for docs in owners]
    assert min(chars) > 0.2 * sum(chars)


def test_part_count_gives_each_writer_process_as_many_parts() -> None:
    assert part_count(595, 1, 2) == 1
    assert part_count(100_000, 2, 2_072) == 2
    assert part_count(500_000, 2, 9_000) == 6  # not 5: three parts per process
    assert part_count(200_001, 2, 9_000) == 4
    assert part_count(500_000, 2, 3) == 3  # whole documents: no more parts than documents
    assert part_count(0, 1, 0) == 1


def test_split_documents_keeps_order_and_balances_the_work() -> None:
    shape = {f"d{i}": (10, 1000 * (1 + i % 3), i) for i in range(12)}
    order = list(shape)
    for parts in (1, 2, 3, 5, 12):
        groups = split_documents(order, shape, parts)
        assert len(groups) == parts and all(groups)
        assert [d for g in groups for d in g] == order
    work = [sum(shape[d][1] + 1500 for d in g) for g in split_documents(order, shape, 3)]
    assert max(work) - min(work) <= 2 * 4500  # within two of the largest documents
    # Fewer documents than parts: the later parts stay empty, nothing is lost.
    assert split_documents(["a", "b"], {"a": (1, 5, 0), "b": (1, 5, 0)}, 3) == [["a"], ["b"], []]
    assert split_documents([], {}, 2) == [[], []]
    # One huge document first: it fills the first part, the rest share the second.
    big = {"a": (1000, 10**6, 0), "b": (1, 10, 0), "c": (1, 10, 0)}
    assert split_documents(["a", "b", "c"], big, 2) == [["a"], ["b", "c"]]


def test_snippet_escapes_text_and_marks_only_matches() -> None:
    analyzer, _ = text_analyzer()
    terms = {t.text for t in analyzer("alert", mode="query")}
    text = '<script>alert("x")</script> & meer'
    html = snippet_html(text, term_spans(analyzer, text, terms))
    assert html.startswith("&lt;script&gt;<mark>alert</mark>")
    assert "&amp; meer" in html
    assert html.replace("<mark>", "").replace("</mark>", "").count("<") == 0


def test_long_snippet_is_cut_around_the_match() -> None:
    analyzer, _ = text_analyzer()
    text = "begin " + "woord " * 200 + "volkstuinen " + "slot " * 200
    terms = {t.text for t in analyzer("volkstuinen", mode="query")}
    html = snippet_html(text, term_spans(analyzer, text, terms), max_chars=120)
    assert "<mark>volkstuinen</mark>" in html
    assert html.startswith("… ") and html.endswith(" …")
    assert len(html) < 200


def test_documentsoort_vergaderjaar_and_bijlage_dossier_are_facets(tmp_path: Path) -> None:
    """Official metadata (as a harvested sidecar states it) becomes searchable facets."""
    from indexer.pipeline import run_index
    from kennisbank.config import load_settings
    from kennisbank.search import LiveSearch

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "kst-30995-43-b1.txt").write_text(
        "Bijlage bij de brief\n\nOverzicht van de wijkactieplannen per gemeente.\n",
        encoding="utf-8",
    )
    (corpus / "kst-30995-43-b1.meta.json").write_text(
        '{"title": "Bijlage bij de brief", "type": "bijlage", "identifier": "kst-30995-43-b1",'
        ' "dossier": "30 995", "vergaderjaar": "2007-2008", "documentsoort": "Bijlage"}',
        encoding="utf-8",
    )
    settings = load_settings(corpus_dir=corpus, data_dir=tmp_path / "data", env={})
    run_index(settings)
    engine = LiveSearch(settings.data_dir).engine()
    result = engine.search("wijkactieplannen")
    facets = {name: {v.value: v.count for v in values} for name, values in result.facets.items()}
    assert facets["documentsoort"] == {"Bijlage": 1}
    assert facets["vergaderjaar"] == {"2007-2008": 1}
    assert facets["dossier"] == {"30995": 1}
    assert engine.search("wijkactieplannen", filters={"documentsoort": ["Bijlage"]}).total == 1
    unknown = engine.search("wijkactieplannen", filters={"documentsoort": ["Brief"]})
    assert any("Brief" in note and "genegeerd" in note for note in unknown.notes)
