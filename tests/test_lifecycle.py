"""The index lifecycle: incremental generations, the lock, status, damage, migration.

Real processes where it matters: a second ``kennisbank index`` against a running
one, lock holders killed with SIGKILL, a real ``kennisbank serve`` starting on a
damaged index, and an indexer whose new generation is damaged before it is
verified (held there by ``tests/pausing_indexer.py``).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from indexer.pipeline import run_index
from indexer.status import ensure_index, index_status
from kennisbank import generations, manifest
from kennisbank.config import DB_FILENAME, Settings, load_settings
from kennisbank.lock import lock_state, read_lock
from kennisbank.store import Store
from tests.conftest import make_corpus
from tests.indexproc import (
    Running,
    clean_env,
    copy_corpus,
    free_port,
    index_process,
    kennisbank,
)

SMALL = {
    "a.txt": "Overvecht in Utrecht\n\nDe wijk Overvecht in Utrecht krijgt een nieuw buurthuis.\n",
    "b.txt": "Kanaleneiland\n\nIn Kanaleneiland komt een brede school voor de kinderen.\n",
}
#: Tables compared between an incremental and a full build (all but meta and files).
CONTENT_TABLES = (
    "documents",
    "sections",
    "passages",
    "refs",
    "entities",
    "aliases",
    "mentions",
    "links",
    "commitments",
)
#: Holds the lock of ``argv[1]``; with a second argument a child inherits the descriptor.
HOLDER = """
import subprocess, sys, time
from pathlib import Path
from kennisbank.lock import IndexLock
lock = IndexLock(Path(sys.argv[1])).acquire()
if len(sys.argv) > 2:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"],
                             pass_fds=[lock._fd], stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print("kind", child.pid, flush=True)
print("vast", flush=True)
time.sleep(120)
"""


def _small(tmp_path: Path) -> Settings:
    corpus = make_corpus(tmp_path, SMALL)
    return load_settings(corpus_dir=corpus, data_dir=tmp_path / "data", env={})


def _rows(db: Path, table: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
    finally:
        conn.close()


def _copy_index(settings: Settings, data_dir: Path) -> str:
    live = generations.current_dir(settings.data_dir)
    assert live is not None
    data_dir.mkdir(parents=True)
    shutil.copytree(live, data_dir / live.name)
    (data_dir / "CURRENT").write_text(live.name + "\n", encoding="utf-8")
    return live.name


# -- incremental generations ---------------------------------------------------------------------


def test_one_file_change_builds_incrementally_and_equals_a_full_build(
    built_settings: Settings, tmp_path: Path
) -> None:
    corpus = copy_corpus(tmp_path / "corpus")
    settings = load_settings(corpus_dir=corpus, data_dir=tmp_path / "data", env={})
    original = _copy_index(built_settings, settings.data_dir)
    with Store(settings.db_path) as store:
        ids_2008 = [p["id"] for p in store.passages("voortgangsrapportage-wijkenaanpak-2008")]
    changed = corpus / "voortgangsrapportage-wijkenaanpak-2010.txt"
    changed.write_text(
        changed.read_text(encoding="utf-8")
        + "\n\nIn Overvecht opent een nieuw buurthuis voor bewoners van de wijk.\n",
        encoding="utf-8",
    )
    report = run_index(settings)
    assert report.outcome == "incrementeel" and report.published
    assert report.parsed == [changed.name]
    assert report.unchanged == ["voortgangsrapportage-wijkenaanpak-2008.txt"]
    assert report.knowledge["mode"] == "incrementeel"
    assert 0 < report.knowledge["extracted_passages"] < report.knowledge["reused_passages"]
    assert {"parse", "knowledge", "search", "verify"} <= set(report.stages)
    assert report.seconds >= sum(report.stages.values()) > 0
    assert report.previous == original and (settings.data_dir / original).is_dir()
    assert any(line.startswith("Incrementele bouw: ") for line in report.summary_lines())
    with Store(settings.db_path) as store:
        assert [
            p["id"] for p in store.passages("voortgangsrapportage-wijkenaanpak-2008")
        ] == ids_2008

    full_settings = load_settings(corpus_dir=corpus, data_dir=tmp_path / "full", env={})
    full = run_index(full_settings)
    assert full.outcome == "volledig" and full.knowledge["mode"] == "volledig"
    for table in CONTENT_TABLES:
        assert _rows(settings.db_path, table) == _rows(full_settings.db_path, table), table


def test_unchanged_corpus_publishes_nothing(runner: CliRunner, tmp_path: Path) -> None:
    settings = _small(tmp_path)
    args = ["index", "--corpus", str(settings.corpus_dir), "--data-dir", str(settings.data_dir)]
    first = runner.invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert "Volledige bouw: " in first.output and "Live generatie: gen-" in first.output
    live = generations.pointer_name(settings.data_dir)
    second = runner.invoke(cli, args)
    assert second.exit_code == 0, second.output
    assert "Index ongewijzigd: er is niets nieuws gepubliceerd" in second.output
    as_json = json.loads(runner.invoke(cli, [*args, "--json"]).output)
    assert as_json["outcome"] == "ongewijzigd" and as_json["published"] is False
    assert as_json["generation"] == live and as_json["documents"] == 2
    assert [g.name for g in generations.list_generations(settings.data_dir)] == [live]


def test_full_flag_rebuilds_everything_and_keeps_the_previous_generation(tmp_path: Path) -> None:
    settings = _small(tmp_path)
    first = run_index(settings)
    again = run_index(settings, full=True)
    assert again.outcome == "volledig" and sorted(again.parsed) == ["a.txt", "b.txt"]
    assert again.previous == first.generation
    assert (settings.data_dir / first.generation).is_dir()
    assert "gevraagd met --full" in " ".join(again.notices)


def test_leftovers_of_an_interrupted_run_are_cleaned_up(tmp_path: Path) -> None:
    settings = _small(tmp_path)
    run_index(settings)
    partial = generations.new_generation_dir(settings.data_dir)
    (partial / DB_FILENAME).write_bytes(b"half")
    (settings.data_dir / "CURRENT.tmp-999999").write_text(partial.name)
    report = run_index(settings)
    assert sorted(report.cleaned) == sorted([partial.name, "CURRENT.tmp-999999"])
    assert not partial.exists() and report.outcome == "ongewijzigd"
    assert any("opgeruimd" in n for n in report.notices)


# -- one indexer at a time -----------------------------------------------------------------------


def test_a_second_indexer_exits_with_code_3_while_one_runs(tmp_path: Path) -> None:
    settings = _small(tmp_path)
    first = index_process(settings.corpus_dir, settings.data_dir, pause_at="lock")
    try:
        first.wait_for("KENNISBANK_TEST_PAUSED lock")
        status = index_status(settings)
        assert status["lock"]["held"] and status["lock"]["holder"]["pid"] == first.proc.pid
        second = kennisbank(
            "index", "--corpus", settings.corpus_dir, "--data-dir", settings.data_dir
        )
        assert second.finish() == 3, second.output
        assert "Er draait al een indexering" in "".join(second.stderr)
        assert f"proces {first.proc.pid}" in "".join(second.stderr)
        assert "Traceback" not in second.output
        first.resume()
        assert first.finish() == 0, first.output
    finally:
        first.kill()
    assert lock_state(settings.data_dir)["held"] is False
    assert generations.current_dir(settings.data_dir) is not None


def test_the_lock_of_a_killed_indexer_is_taken_over(tmp_path: Path) -> None:
    settings = _small(tmp_path)
    holder = Running([sys.executable, "-c", HOLDER, str(settings.data_dir)])
    try:
        holder.wait_for("vast")
    finally:
        holder.kill()  # SIGKILL: the file still names the process, the kernel freed the flock
    stale = read_lock(settings.data_dir)
    assert stale is not None and stale.pid == holder.proc.pid
    assert lock_state(settings.data_dir) == {
        "held": False,
        "holder": stale.to_dict(),
        "stale": True,
    }
    report = run_index(settings)
    assert report.published
    assert any(f"proces {stale.pid}" in n and "overgenomen" in n for n in report.notices)
    assert read_lock(settings.data_dir) is None


def test_a_lock_still_held_by_an_orphaned_child_is_taken_over(tmp_path: Path) -> None:
    settings = _small(tmp_path)
    holder = Running([sys.executable, "-c", HOLDER, str(settings.data_dir), "kind"])
    child_pid = 0
    try:
        child_pid = int(holder.wait_for("kind").split()[1])
        holder.wait_for("vast")
        holder.kill()  # the child that inherited the descriptor keeps the flock
        assert lock_state(settings.data_dir)["stale"] is True
        report = run_index(settings)
        assert report.published
        assert any("overgenomen" in n for n in report.notices)
    finally:
        holder.kill()
        if child_pid:
            os.kill(child_pid, signal.SIGKILL)


# -- status --------------------------------------------------------------------------------------


def test_status_shows_generation_counts_corpus_changes_and_lock(
    runner: CliRunner, tmp_path: Path
) -> None:
    settings = _small(tmp_path)
    args = ["status", "--corpus", str(settings.corpus_dir), "--data-dir", str(settings.data_dir)]
    empty = runner.invoke(cli, args)
    assert empty.exit_code == 1
    assert "Geen bruikbare index: er is nog geen index." in empty.output
    report = run_index(settings)
    shown = runner.invoke(cli, args)
    assert shown.exit_code == 0, shown.output
    assert f"Live generatie: {report.generation}" in shown.output
    assert "(volledige bouw, " in shown.output
    assert "Documenten: 2, passages: " in shown.output
    assert "Corpus sinds de bouw: ongewijzigd" in shown.output
    assert "Zoekindex: volledig gebouwd" in shown.output
    assert "Slot: vrij" in shown.output

    (settings.corpus_dir / "a.txt").write_text("Anders\n\nDe wijk Overvecht is veranderd.\n")
    (settings.corpus_dir / "b.txt").unlink()
    (settings.corpus_dir / "c.txt").write_text("Nieuw\n\nEen nieuw stuk over de wijk.\n")
    data = json.loads(runner.invoke(cli, [*args, "--json"]).output)
    assert data["generation"] == report.generation and data["healthy"] is True
    assert data["corpus"] == {
        "changed": ["a.txt"],
        "added": ["c.txt"],
        "removed": ["b.txt"],
        "unchanged": 0,
    }
    assert data["counts"]["documents"] == 2
    assert data["counts"]["search_passages"] == data["counts"]["passages"]
    assert data["lock"]["held"] is False
    human = runner.invoke(cli, args).output
    assert "gewijzigd 1, nieuw 1, verwijderd 1" in human


# -- damaged index at start-up, old layout, failed verification ----------------------------------


def _damage(settings: Settings, kind: str) -> str:
    """Damage the live generation; returns the words the start-up message must contain."""
    live = generations.current_dir(settings.data_dir)
    assert live is not None
    if kind == "missing":
        shutil.rmtree(live)
        return "maar die map bestaat niet"
    if kind == "truncated":
        db = live / DB_FILENAME
        with open(db, "r+b") as handle:
            handle.truncate(db.stat().st_size // 3)
        return "afgekapt"
    facts = json.loads((live / "manifest.json").read_text())
    facts["counts"]["links"] += 5
    (live / "manifest.json").write_text(json.dumps(facts))
    return "links:"


@pytest.mark.parametrize("kind", ["missing", "truncated", "mismatch"])
def test_damaged_index_at_start_up_gives_a_dutch_message_and_a_rebuild(
    tmp_path: Path, kind: str
) -> None:
    settings = _small(tmp_path)
    damaged = run_index(settings).generation
    words = _damage(settings, kind)
    said: list[str] = []
    report = ensure_index(settings, said.append)
    assert said and "is niet bruikbaar" in said[0] and words in said[0], said
    assert "Er wordt een nieuwe index gebouwd" in said[0]
    assert report is not None and report.outcome == "volledig" and report.previous is None
    live = generations.current_dir(settings.data_dir)
    assert live is not None and live.name != damaged
    manifest.verify(live)
    assert not (settings.data_dir / damaged).exists()  # a damaged generation is not kept
    assert ensure_index(settings, said.append) is None and len(said) == 1


def test_serve_on_a_truncated_index_says_so_and_rebuilds(tmp_path: Path) -> None:
    settings = _small(tmp_path)
    run_index(settings)
    _damage(settings, "truncated")
    port = free_port()
    server = kennisbank(
        "serve", "--host", "127.0.0.1", "--port", str(port), "--data-dir", settings.data_dir,
        "--corpus", settings.corpus_dir, env=clean_env(),
    )  # fmt: skip
    try:
        server.wait_for("Kennisbank draait op")
        assert "is niet bruikbaar" in server.output and "afgekapt" in server.output
        for _ in range(100):
            try:
                url = f"http://127.0.0.1:{port}/api/search?q=Overvecht"
                with urllib.request.urlopen(url, timeout=10) as response:
                    assert response.status == 200
                    assert json.loads(response.read())["total"] >= 1
                break
            except OSError:
                server.proc.poll()
                assert server.proc.returncode is None, server.output
                time.sleep(0.2)
        else:
            raise AssertionError(server.output)
    finally:
        server.stop()
    assert "Traceback" not in server.output


def test_old_layout_is_treated_as_no_index_and_replaced(
    built_settings: Settings, tmp_path: Path
) -> None:
    settings = _small(tmp_path)
    data = settings.data_dir
    data.mkdir()
    shutil.copy(built_settings.db_path, data / DB_FILENAME)  # an old-layout store
    (data / "search-20240101T000000-1-0").mkdir()
    (data / "search.current").write_text("search-20240101T000000-1-0")
    assert settings.db_path == data / DB_FILENAME  # readers still find the old store
    report = run_index(settings)
    assert report.full_build and sorted(report.parsed) == ["a.txt", "b.txt"]
    assert any("oude indeling" in n for n in report.notices)
    assert sorted(p.name for p in data.iterdir()) == ["CURRENT", report.generation, "index.lock"]
    assert settings.db_path == data / report.generation / DB_FILENAME
    with Store(settings.db_path) as store:
        assert {d["id"] for d in store.documents()} == {"a", "b"}


def test_a_generation_that_fails_verification_is_not_published(tmp_path: Path) -> None:
    settings = _small(tmp_path)
    before = run_index(settings).generation
    (settings.corpus_dir / "c.txt").write_text("Nieuw\n\nDe wijk Overvecht groeit.\n")
    run = index_process(settings.corpus_dir, settings.data_dir, pause_at="verify")
    try:
        target = Path(run.wait_for("KENNISBANK_TEST_PAUSED verify").split()[-1])
        segment = next(target.glob("search/*.seg"))
        with open(segment, "ab") as handle:
            handle.write(b"beschadigd")
        run.resume()
        assert run.finish() == 1, run.output
    finally:
        run.kill()
    said = "".join(run.stderr)
    assert "De nieuwe index is niet gepubliceerd" in said and "zoekindexbestand" in said
    assert "De vorige index blijft in gebruik." in said and "Traceback" not in said
    assert generations.pointer_name(settings.data_dir) == before
    assert not target.exists()
    manifest.verify(settings.data_dir / before)
