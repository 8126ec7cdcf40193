"""SIGKILL of a real ``kennisbank index`` at every stage leaves the live index intact.

A first good build of a copy of the bundled corpus runs in a subprocess; then one
file changes (a unique word is added) and a rebuild is started again and again,
held at each stage by ``tests/pausing_indexer.py`` (the ``on_stage`` callback) and killed
there with SIGKILL.  After every kill the live generation, its counts and its
search results are exactly what they were; the next run removes the partial
folder and finally publishes the change.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kennisbank import generations, manifest
from kennisbank.search import SearchEngine
from tests.indexproc import copy_corpus, index_process

#: A word that only the changed file contains after the change.
UNIQUE = "Kraanvogelbrugproject"
CHANGED_FILE = "voortgangsrapportage-wijkenaanpak-2010.txt"
QUERIES = ("wijkaanpak", "Overvecht", "leefbaarheid", UNIQUE)
#: Stages before CURRENT is replaced: a kill there must leave the old generation live.
BEFORE_SWITCH = ("lock", "copy", "parse", "knowledge", "search", "verify", "publish")


def snapshot(data_dir: Path) -> dict[str, Any]:
    """The live generation, verified with checksums, with its counts and search results."""
    live = generations.current_dir(data_dir)
    assert live is not None
    facts = manifest.verify(live)
    engine = SearchEngine(generations.search_dir(live))
    results = {}
    for query in QUERIES:
        result = engine.search(query, limit=20, facets=False, snippets=False)
        results[query] = (result.total, [(h.document_id, h.passage_id) for h in result.hits])
    engine.close()
    return {
        "generation": live.name,
        "counts": manifest.store_counts(generations.db_file(live)),
        "manifest_counts": facts["counts"],
        "sqlite_sha256": facts["sqlite"]["sha256"],
        "results": results,
    }


def leftovers(data_dir: Path, keep: set[str]) -> list[str]:
    """Generation folders and temporary pointers other than ``keep``."""
    names = {p.name for p in generations.list_generations(data_dir)} - keep
    names |= {p.name for p in data_dir.glob("CURRENT.tmp-*")}
    return sorted(names)


def test_sigkill_at_every_stage_keeps_the_live_index_and_the_next_run_recovers(
    tmp_path: Path,
) -> None:
    corpus = copy_corpus(tmp_path / "corpus")
    data_dir = tmp_path / "data"
    first = index_process(corpus, data_dir)
    assert first.finish() == 0, first.output
    before = snapshot(data_dir)
    assert before["results"][UNIQUE][0] == 0
    assert before["counts"]["passages"] > 500

    path = corpus / CHANGED_FILE
    path.write_text(
        path.read_text(encoding="utf-8")
        + f"\n\nIn Overvecht start het {UNIQUE} voor bewoners van de wijk.\n",
        encoding="utf-8",
    )
    partial: list[str] = []
    for stage in BEFORE_SWITCH:
        run = index_process(corpus, data_dir, pause_at=stage)
        marker = run.wait_for(f"KENNISBANK_TEST_PAUSED {stage}")
        run.kill()
        assert run.proc.returncode == -9
        assert snapshot(data_dir) == before, stage
        partial = leftovers(data_dir, {before["generation"]})
        if stage == "lock":
            assert partial == []  # nothing written yet
        else:
            # Only the killed run's folder (and at "publish" its temporary pointer) is left
            # over: the previous run's leftovers were cleaned up.
            folders = [name for name in partial if name.startswith("gen-")]
            assert len(folders) == 1 and marker.split()[-1].endswith(folders[0]), (stage, partial)
            assert len(partial) == (2 if stage == "publish" else 1), (stage, partial)
        if stage == "publish":
            assert (data_dir / "CURRENT").read_text().strip() == before["generation"]
    # The next run cleans up; killed right after the switch, its generation is live,
    # complete and verified, and the previous generation is still there.
    run = index_process(corpus, data_dir, pause_at="published")
    run.wait_for("KENNISBANK_TEST_PAUSED published")
    run.kill()
    assert not any((data_dir / name).exists() for name in partial)
    after_switch = snapshot(data_dir)
    assert after_switch["generation"] != before["generation"]
    assert after_switch["results"][UNIQUE][0] >= 1
    assert after_switch["counts"]["passages"] == before["counts"]["passages"] + 1
    assert (data_dir / before["generation"]).is_dir()

    # The next run has nothing to build and leaves nothing behind.
    final = index_process(corpus, data_dir)
    assert final.finish() == 0, final.output
    report = json.loads("".join(final.stdout))
    assert report["outcome"] == "ongewijzigd"
    assert report["generation"] == after_switch["generation"]
    assert snapshot(data_dir) == after_switch
    assert leftovers(data_dir, {after_switch["generation"], before["generation"]}) == []
    assert not (data_dir / "index.lock").read_text()
