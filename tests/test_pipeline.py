"""The indexing run on the real corpus and on small corpora with bad input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from indexer.documents import document_id
from indexer.pipeline import run_index
from indexer.scan import corpus_files
from kennisbank.config import load_settings
from kennisbank.refs import find_refs
from kennisbank.store import Store
from tests.conftest import CORPUS_DIR, make_corpus

REPORTS = {
    "voortgangsrapportage-wijkenaanpak-2008": ("Voortgangsrapportage Wijkenaanpak 2008", 2008),
    "voortgangsrapportage-wijkenaanpak-2010": ("Voortgangsrapportage Wijkenaanpak 2010", 2010),
}


def _settings(corpus: Path, tmp_path: Path, **env: str):  # type: ignore[no-untyped-def]
    return load_settings(corpus_dir=corpus, data_dir=tmp_path / "data", env=env)


def test_bundled_corpus_gives_two_documents_and_no_skips(built_settings) -> None:  # type: ignore[no-untyped-def]
    with Store(built_settings.db_path) as store:
        docs = {d["id"]: d for d in store.documents()}
        counts = store.counts()
    assert set(docs) == set(REPORTS)
    for doc_id, (title, year) in REPORTS.items():
        assert docs[doc_id]["title"] == title
        assert docs[doc_id]["year"] == year
        assert docs[doc_id]["type"] == "voortgangsrapportage"
        assert docs[doc_id]["identifier"] is None  # not known for certain: not guessed
        assert docs[doc_id]["passages"] > 100
    assert counts["refs"] >= 30


def test_every_reference_in_the_raw_files_is_stored(built_settings) -> None:  # type: ignore[no-untyped-def]
    """Parsing (line joins, footnote moves) loses no Kamerstuk reference."""
    with Store(built_settings.db_path) as store:
        for doc_id in REPORTS:
            raw = (CORPUS_DIR / f"{doc_id}.txt").read_text(encoding="utf-8")
            expected = {r.identifier for r in find_refs(raw)}
            stored = {r["identifier"] for r in store.refs() if r["document_id"] == doc_id}
            assert expected, doc_id
            assert stored == expected, doc_id


def test_stored_reference_offsets_point_at_the_reference(built_settings) -> None:  # type: ignore[no-untyped-def]
    with Store(built_settings.db_path) as store:
        texts = {d: store.document(d)["text"] for d in REPORTS}
        for ref in store.refs():
            assert texts[ref["document_id"]][ref["start"] : ref["end"]] == ref["text"]


#: Paragraphs whose last sentence has no full stop in the source file itself.
SOURCE_ENDS_WITHOUT_STOP = (
    "die de ontwikkeling van de wijken volgt",
    "zie www.sardes.nl",
    "gebiedsgebonden politiewerk",
    "bij brief van 9 juli 2010²⁷",
)


def test_no_passage_ends_mid_sentence(built_settings) -> None:  # type: ignore[no-untyped-def]
    end = re.compile(r"[.:;?!)\]”\"'’…]$")
    with Store(built_settings.db_path) as store:
        for doc_id in REPORTS:
            bad = [
                p["text"][-80:]
                for p in store.passages(doc_id)
                if p["kind"] in {"paragraph", "box", "praktijkvoorbeeld"}
                and not end.search(p["text"].rstrip())
                and not p["text"].endswith(SOURCE_ENDS_WITHOUT_STOP)
            ]
            assert bad == [], doc_id


def test_reindexing_an_unchanged_corpus_parses_nothing(tmp_path: Path) -> None:
    settings = _settings(CORPUS_DIR, tmp_path)
    first = run_index(settings)
    with Store(settings.db_path) as store:
        ids_before = [p["id"] for d in REPORTS for p in store.passages(d)]
    second = run_index(settings)
    with Store(settings.db_path) as store:
        ids_after = [p["id"] for d in REPORTS for p in store.passages(d)]
    assert len(first.parsed) == 2
    assert second.parsed == []
    assert sorted(second.unchanged) == sorted(first.parsed)
    assert ids_after == ids_before


def test_other_search_code_rebuilds_the_search_index_of_an_unchanged_corpus(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An upgrade must not leave an index the new analysis or ranking code would not build:
    the search index is rebuilt even when no corpus file changed (and only then)."""
    from kennisbank.search.whoosh_backend import update

    corpus = make_corpus(tmp_path, {"nota.txt": "Wijkaanpak\n\nBewoners praten mee.\n"})
    settings = _settings(corpus, tmp_path)
    run_index(settings)
    assert run_index(settings).outcome == "ongewijzigd"
    monkeypatch.setattr(update, "code_fingerprint", lambda: "andere code")
    again = run_index(settings)
    assert again.outcome == "incrementeel" and again.parsed == []
    assert run_index(settings).outcome == "ongewijzigd"


def test_changed_added_and_removed_files(tmp_path: Path) -> None:
    corpus = make_corpus(
        tmp_path,
        {
            "a.txt": "Eerste document\n\nDe wijk Overvecht krijgt een buurthuis.\n",
            "sub/b.txt": "Tweede document\n\nIn Kanaleneiland komt een brede school.\n",
        },
    )
    settings = _settings(corpus, tmp_path)
    run_index(settings)
    with Store(settings.db_path) as store:
        b_ids = [p["id"] for p in store.passages("sub-b")]
    (corpus / "a.txt").write_text("Eerste document\n\nDe wijk Overvecht krijgt twee buurthuizen.\n")
    (corpus / "c.txt").write_text("Derde document\n\nNieuw in 2009.\n")
    report = run_index(settings)
    assert sorted(report.parsed) == ["a.txt", "c.txt"]
    assert report.unchanged == ["sub/b.txt"]
    with Store(settings.db_path) as store:
        assert [p["id"] for p in store.passages("sub-b")] == b_ids
    (corpus / "c.txt").unlink()
    report = run_index(settings)
    assert report.removed == ["c.txt"]
    with Store(settings.db_path) as store:
        assert {d["id"] for d in store.documents()} == {"a", "sub-b"}


def test_file_without_sidecar_gets_metadata_from_content_and_format_from_bytes(
    tmp_path: Path,
) -> None:
    html = (
        "<!DOCTYPE html><html><head><title>Charter Rotterdam</title></head><body>"
        "<h1>Charter Rotterdam</h1><p>Ondertekend op 12 maart 2008 door het rijk.</p>"
        "</body></html>"
    )
    corpus = make_corpus(tmp_path, {"charter.txt": html})
    settings = _settings(corpus, tmp_path)
    assert run_index(settings).exit_code == 0
    with Store(settings.db_path) as store:
        doc = store.document("charter")
    assert doc["format"] == "html"
    assert doc["title"] == "Charter Rotterdam"
    assert doc["type"] == "charter"
    assert doc["year"] == 2008


def test_sidecar_overrides_inferred_metadata(tmp_path: Path) -> None:
    corpus = make_corpus(
        tmp_path,
        {
            "brief.txt": "Wijkeconomie\n\nDe brief over wijkeconomie van 20 juni 2008.\n",
            "brief.meta.json": '{"title": "Brief Wijkeconomie", "type": "brief", "year": 2008,'
            ' "identifier": "kst-30995-49", "source": "test"}',
        },
    )
    settings = _settings(corpus, tmp_path)
    report = run_index(settings)
    assert report.files_seen == 1  # the sidecar is not a document
    with Store(settings.db_path) as store:
        doc = store.document("brief")
    assert (doc["title"], doc["type"], doc["identifier"]) == (
        "Brief Wijkeconomie",
        "brief",
        "kst-30995-49",
    )


BAD_FILES: dict[str, bytes] = {
    "leeg.txt": b"",
    "binair.txt": bytes(range(256)) * 8,
    "kapot.xml": b"<?xml version='1.0'?><officiele-publicatie><titel>Half",
    "kapot.pdf": b"%PDF-1.4\n" + bytes(range(200, 256)) * 20,
    "zip.pdf": b"PK\x03\x04" + b"\x00" * 200,
}


def test_bad_files_are_skipped_with_a_dutch_reason_and_the_rest_is_indexed(
    tmp_path: Path,
) -> None:
    good = "Goed document\n\nDit document wordt gewoon geïndexeerd.\n"
    cp1252 = "Café-overleg\n\nDe bewoners van de wijk praten mee in het café.\n".encode("cp1252")
    corpus = make_corpus(
        tmp_path,
        {
            **BAD_FILES,
            "goed.txt": good,
            "oud.txt": cp1252,
            "groot.txt": "Groot\n\n" + "woord " * 300_000,
        },
    )
    settings = _settings(corpus, tmp_path, KENNISBANK_MAX_FILE_MB="1")
    report = run_index(settings)
    skipped = {s.path: s.reason for s in report.skipped}
    assert set(skipped) == set(BAD_FILES) | {"groot.txt"}
    assert "leeg" in skipped["leeg.txt"]
    assert "binair" in skipped["binair.txt"]
    assert "limiet" in skipped["groot.txt"]
    assert sorted(report.parsed) == ["goed.txt", "oud.txt"]
    assert any("cp1252" in w for w in report.warnings)
    assert report.exit_code == 2
    with Store(settings.db_path) as store:
        assert "café" in store.document("oud")["text"]


def test_a_file_that_breaks_keeps_its_previous_document(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path, {"a.txt": "Titel\n\nDe eerste versie van de tekst.\n"})
    settings = _settings(corpus, tmp_path)
    run_index(settings)
    (corpus / "a.txt").write_bytes(b"")
    report = run_index(settings)
    assert [s.path for s in report.skipped] == ["a.txt"]
    with Store(settings.db_path) as store:
        assert "eerste versie" in store.document("a")["text"]


def test_corpus_walk_ignores_sidecars_and_hidden_files(tmp_path: Path) -> None:
    corpus = make_corpus(
        tmp_path,
        {
            "a.txt": "x",
            "a.meta.json": "{}",
            ".verborgen.txt": "x",
            "map/.git/config": "x",
            "map/b.html": "<p>x</p>",
        },
    )
    assert [p.relative_to(corpus).as_posix() for p in corpus_files(corpus)] == [
        "a.txt",
        "map/b.html",
    ]


@pytest.mark.parametrize(
    ("rel", "taken", "expected"),
    [
        (
            "voortgangsrapportage-wijkenaanpak-2008.txt",
            set(),
            "voortgangsrapportage-wijkenaanpak-2008",
        ),
        ("harvested/kst-30995-78.xml", set(), "harvested-kst-30995-78"),
        ("a.txt", {"a"}, "a-txt"),
        ("Map Met Spaties/Één.PDF", set(), "map-met-spaties-een"),
    ],
)
def test_document_id(rel: str, taken: set[str], expected: str) -> None:
    assert document_id(rel, taken) == expected
