"""The search index of a new generation is the previous one updated, and equals a full build.

A small corpus is indexed in full; then files are added, changed and removed and
``run_index`` runs again each time.  After every run the live search index must
give what an index built from scratch over the same store gives: the same hits
with the same scores (order within equal scores aside), totals, facet counts,
vocabulary and catalog, and as many Whoosh documents as the store has passages;
the manifest verifies, and the previous generation's files are byte-identical.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from indexer.pipeline import run_index
from indexer.report import search_summary
from indexer.status import format_status, index_status
from kennisbank import generations, manifest
from kennisbank.config import Settings, load_settings
from kennisbank.search import SearchEngine
from kennisbank.search.vocabulary import VOCABULARY_FILE
from kennisbank.search.whoosh_backend import update as searchupdate
from kennisbank.search.whoosh_backend.build import build_search_index
from kennisbank.store import Store
from tests.conftest import make_corpus

PLACES = ("Overvecht", "Kanaleneiland", "Transvaal", "Schilderswijk", "Bijlmer", "Malburgen")
TOPICS = ("buurthuis", "brede school", "speeltuin", "wijkagent", "jongerenwerk", "bibliotheek")
#: Words added by the changes below, and words every document has.
QUERIES = (
    "buurthuis",
    "school kinderen",
    "wijkagent veiligheid",
    "Overvecht",
    "bewoners wijk",
    "Kraanvogelbrug",
    "Zonnebloemplein",
    "gemeente:utrecht",
)


def _text(n: int, extra: str = "") -> str:
    place, topic = PLACES[n % len(PLACES)], TOPICS[n % len(TOPICS)]
    other = TOPICS[(n + 2) % len(TOPICS)]
    return (
        f"Voortgang in {place} {n}\n\n"
        f"De wijk {place} krijgt een nieuw {topic} voor de bewoners van de wijk.\n\n"
        f"Bewoners van {place} praten mee over de {other} en de veiligheid op straat.\n\n"
        f"De gemeente zorgt met partners voor werk, school en zorg voor kinderen.\n{extra}"
    )


def _settings(tmp_path: Path, count: int = 6) -> Settings:
    files: dict[str, bytes | str] = {f"stuk-{n}.txt": _text(n) for n in range(count)}
    for n in range(count):
        files[f"stuk-{n}.meta.json"] = json.dumps({"year": 2007 + n, "type": "brief"})
    corpus = make_corpus(tmp_path, files)
    return load_settings(corpus_dir=corpus, data_dir=tmp_path / "data", env={})


def _tree(folder: Path) -> dict[str, str]:
    """sha256 of every file below ``folder`` (what must not change)."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _results(index_dir: Path) -> dict[str, Any]:
    engine = SearchEngine(index_dir)
    try:
        found = {}
        for query in QUERIES:
            result = engine.search(query, limit=100, snippets=False)
            found[query] = {
                "total": result.total,
                "hits": sorted((-h.score, h.document_id, h.passage_id) for h in result.hits),
                "facets": {
                    name: sorted((v.value, v.count) for v in values)
                    for name, values in result.facets.items()
                },
            }
        return found
    finally:
        engine.close()


def assert_equals_full_build(settings: Settings, tmp_path: Path, name: str) -> None:
    """The live search index gives what a fresh full build over its store gives."""
    live = generations.current_dir(settings.data_dir)
    assert live is not None
    manifest.verify(live)
    fresh = tmp_path / f"fresh-{name}"
    with Store(generations.db_file(live)) as store:
        build_search_index(store, fresh)
        passages = store.counts()["passages"]
    index_dir = generations.search_dir(live)
    assert manifest.search_doc_count(index_dir) == passages
    assert _results(index_dir) == _results(fresh)
    for filename in (VOCABULARY_FILE, "catalog.json"):
        assert (index_dir / filename).read_bytes() == (fresh / filename).read_bytes(), filename


def _run(settings: Settings, **kwargs: Any) -> tuple[Any, dict[str, str]]:
    """Run the indexer; also return the previous generation's files before the run."""
    live = generations.current_dir(settings.data_dir)
    assert live is not None
    before = _tree(live)
    return run_index(settings, **kwargs), before


def test_added_changed_and_removed_files_update_the_index_like_a_full_build(
    tmp_path: Path,
) -> None:
    settings = _settings(tmp_path)
    first = run_index(settings)
    assert first.search["mode"] == "full" and first.search["reason"] == "volledige bouw"
    corpus = settings.corpus_dir

    # Added: the new document's passages go into a new segment; nothing is deleted.
    (corpus / "stuk-nieuw.txt").write_text(
        _text(7, "\nHet Kraanvogelbrug-project start in Overvecht.\n"), encoding="utf-8"
    )
    added, old_files = _run(settings)
    search = added.search
    assert search["mode"] == "incremental", search
    assert (search["reindexed_documents"], search["removed_documents"]) == (1, 0)
    assert search["deleted_passages"] == 0 and search["added_passages"] > 0
    assert search["stale_passages"] == 0
    assert _tree(settings.data_dir / added.previous) == old_files
    assert "Zoekindex: bijgewerkt (1 document opnieuw" in "\n".join(added.summary_lines())
    status = index_status(settings)
    assert status["search_index"]["mode"] == "incremental"
    assert "Zoekindex: bijgewerkt" in format_status(status)
    assert_equals_full_build(settings, tmp_path, "added")

    # Changed again: its segment holds only this document, so it is dropped whole.
    (corpus / "stuk-nieuw.txt").write_text(
        _text(7, "\nAan het Zonnebloemplein komt een wijkagent.\n"), encoding="utf-8"
    )
    changed, old_files = _run(settings)
    assert changed.search["mode"] == "incremental", changed.search
    assert changed.search["regrouped_documents"] == 0
    assert changed.search["deleted_passages"] > 0 and changed.search["stale_passages"] == 0
    assert _tree(settings.data_dir / changed.previous) == old_files
    assert_equals_full_build(settings, tmp_path, "changed")

    # Removed: only deletions, and again no deleted passage stays behind.
    (corpus / "stuk-nieuw.txt").unlink()
    removed, old_files = _run(settings)
    assert removed.search["mode"] == "incremental", removed.search
    assert (removed.search["reindexed_documents"], removed.search["removed_documents"]) == (0, 1)
    assert removed.search["added_passages"] == 0
    assert _tree(settings.data_dir / removed.previous) == old_files
    assert_equals_full_build(settings, tmp_path, "removed")


def test_a_change_in_a_segment_of_a_full_build_regroups_a_small_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(tmp_path)
    run_index(settings)
    monkeypatch.setattr(searchupdate, "GROUP_PASSAGES", 1)  # one document per segment
    monkeypatch.setattr(searchupdate, "MAX_GROUPS", 100)
    path = settings.corpus_dir / "stuk-2.txt"
    path.write_text(_text(2, "\nHet Kraanvogelbrug-project start.\n"), encoding="utf-8")
    report, old_files = _run(settings)
    # The full build is one segment with every document: rewriting it means
    # re-indexing them all, now in groups of whole documents.
    search = report.search
    assert search["mode"] == "incremental" and search["regroup"] is True, search
    assert (search["reindexed_documents"], search["regrouped_documents"]) == (6, 5)
    assert search["segments"] == 6 and search["stale_passages"] == 0
    assert _tree(settings.data_dir / report.previous) == old_files
    assert_equals_full_build(settings, tmp_path, "regrouped")

    # The next change rewrites only its own group.
    path.write_text(_text(2, "\nAan het Zonnebloemplein komt een wijkagent.\n"), encoding="utf-8")
    again, old_files = _run(settings)
    search = again.search
    assert search["mode"] == "incremental" and search["regroup"] is False, search
    assert (search["reindexed_documents"], search["regrouped_documents"]) == (1, 0)
    assert search["deleted_passages"] > 0 and search["stale_passages"] == 0
    assert _tree(settings.data_dir / again.previous) == old_files
    assert_equals_full_build(settings, tmp_path, "group")


def test_a_document_with_its_own_segment_is_rewritten_alone_however_large(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A changed document that holds most passages but has a segment of its own (after a
    regroup) is re-indexed alone: never more work than a full build, and the other
    documents stay as they are (the bundled corpus: 2 files, one with 69 % of the text)."""
    settings = _settings(tmp_path, count=2)
    big = settings.corpus_dir / "stuk-0.txt"
    body = "\n\n".join(_text(n) for n in range(8))
    big.write_text(body, encoding="utf-8")
    run_index(settings)
    monkeypatch.setattr(searchupdate, "GROUP_PASSAGES", 1)  # one document per segment
    big.write_text(body + "\n\nHet Kraanvogelbrug-project start.\n", encoding="utf-8")
    first, _ = _run(settings)
    assert first.search["regroup"] is True, first.search  # the full build's one segment
    big.write_text(body + "\n\nAan het Zonnebloemplein komt een wijkagent.\n", encoding="utf-8")
    again, old_files = _run(settings)
    search = again.search
    assert search["mode"] == "incremental" and search["regroup"] is False, search
    assert (search["reindexed_documents"], search["regrouped_documents"]) == (1, 0)
    assert search["added_passages"] > 0.5 * search["passages"]
    assert search["stale_passages"] == 0 and search["segments"] == 2
    assert _tree(settings.data_dir / again.previous) == old_files
    assert_equals_full_build(settings, tmp_path, "alone")


def test_a_large_index_whose_segments_mix_documents_is_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(tmp_path)
    run_index(settings)
    monkeypatch.setattr(searchupdate, "REGROUP_PASSAGES", 0)  # as if the index were large
    path = settings.corpus_dir / "stuk-2.txt"
    path.write_text(_text(2, "\nHet Kraanvogelbrug-project start.\n"), encoding="utf-8")
    report = run_index(settings)
    assert report.search["mode"] == "full"
    assert "opnieuw opbouwen is sneller" in report.search["reason"]
    assert "Zoekindex: opnieuw opgebouwd (" in "\n".join(report.summary_lines())
    assert_equals_full_build(settings, tmp_path, "rebuilt")


def test_small_stale_share_keeps_deletions_with_equal_totals_and_facets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(tmp_path)
    run_index(settings)
    monkeypatch.setattr(searchupdate, "STALE_SHARE", 0.5)
    path = settings.corpus_dir / "stuk-2.txt"
    path.write_text(_text(2, "\nHet Kraanvogelbrug-project start.\n"), encoding="utf-8")
    report = run_index(settings)
    assert report.search["mode"] == "incremental", report.search
    assert report.search["stale_passages"] > 0
    live = generations.current_dir(settings.data_dir)
    assert live is not None
    manifest.verify(live)
    fresh = tmp_path / "fresh"
    with Store(generations.db_file(live)) as store:
        build_search_index(store, fresh)
        assert manifest.search_doc_count(generations.search_dir(live)) == store.counts()["passages"]
    # Deleted passages still count in BM25 statistics, so only the scores may differ.
    incremental, full = _results(generations.search_dir(live)), _results(fresh)
    for query in QUERIES:
        a, b = incremental[query], full[query]
        assert (a["total"], a["facets"]) == (b["total"], b["facets"]), query
        assert {h[1:] for h in a["hits"]} == {h[1:] for h in b["hits"]}, query

    # Deletions left by earlier updates count: past the share, they are purged.
    stale, passages = report.search["stale_passages"], report.search["passages"]
    monkeypatch.setattr(searchupdate, "STALE_SHARE", (stale + 0.5) / passages)
    path = settings.corpus_dir / "stuk-4.txt"
    path.write_text(_text(4, "\nAan het Zonnebloemplein komt een wijkagent.\n"), encoding="utf-8")
    again = run_index(settings)
    assert again.search["regroup"] is True and again.search["stale_passages"] == 0
    assert_equals_full_build(settings, tmp_path, "purged")


def test_full_flag_rebuilds_the_search_index(tmp_path: Path) -> None:
    settings = _settings(tmp_path, count=2)
    run_index(settings)
    again = run_index(settings, full=True)
    assert again.search["mode"] == "full"
    assert again.to_dict()["search_index"]["mode"] == "full"


def test_digests_change_only_for_documents_whose_records_change(
    built_settings: Settings, tmp_path: Path
) -> None:
    db = tmp_path / "k.sqlite"
    shutil.copy(built_settings.db_path, db)
    with Store(db) as store:
        before = searchupdate.document_digests(searchupdate.Sources.read(store))
        row = store.conn.execute("SELECT document_id FROM mentions LIMIT 1").fetchone()
        with store.transaction():
            store.conn.execute(
                "DELETE FROM mentions WHERE rowid = (SELECT min(rowid) FROM mentions)"
            )
        after = searchupdate.document_digests(searchupdate.Sources.read(store))
    assert set(before) == set(after) and len(before) == 2
    assert [d for d in before if before[d] != after[d]] == [row["document_id"]]


def test_an_index_without_state_or_from_other_code_is_rebuilt(
    built_settings: Settings, tmp_path: Path
) -> None:
    live = generations.current_dir(built_settings.data_dir)
    assert live is not None
    copy = tmp_path / "search"
    shutil.copytree(generations.search_dir(live), copy)
    with Store(built_settings.db_path) as store:
        assert searchupdate.plan_update(copy, store).reason is None
        state = json.loads((copy / searchupdate.STATE_FILE).read_text(encoding="utf-8"))
        state["code"] = "andere code"
        (copy / searchupdate.STATE_FILE).write_text(json.dumps(state), encoding="utf-8")
        assert "gewijzigd" in (searchupdate.plan_update(copy, store).reason or "")
        (copy / searchupdate.STATE_FILE).unlink()
        assert "geen gegevens" in (searchupdate.plan_update(copy, store).reason or "")


def test_search_summary_says_updated_or_rebuilt() -> None:
    updated = {
        "mode": "incremental",
        "reindexed_documents": 3,
        "removed_documents": 1,
        "added_passages": 40,
        "deleted_passages": 52,
        "seconds": 0.42,
    }
    assert search_summary(updated) == (
        "Zoekindex: bijgewerkt (3 documenten opnieuw, 1 verwijderd; 40 passages toegevoegd,"
        " 52 verwijderd), 0.4 s"
    )
    rebuilt = {"mode": "full", "reason": "gevraagd", "seconds": 7.06}
    assert search_summary(rebuilt) == "Zoekindex: opnieuw opgebouwd (gevraagd), 7.1 s"
