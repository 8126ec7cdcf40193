"""Generations, the live pointer, manifests and the indexer lock, piece by piece."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from kennisbank import generations, manifest
from kennisbank.config import DB_FILENAME, Settings, load_settings
from kennisbank.lock import IndexLock, IndexLocked, LockInfo, lock_state, read_lock
from kennisbank.search import LiveSearch


def _copy_live(settings: Settings, target: Path) -> Path:
    """A copy of the session index's data dir (CURRENT and its generation)."""
    live = generations.current_dir(settings.data_dir)
    assert live is not None
    target.mkdir(parents=True)
    shutil.copytree(live, target / live.name)
    (target / generations.POINTER).write_text(live.name + "\n", encoding="utf-8")
    return target / live.name


# -- pointer and folders -------------------------------------------------------------------------


def test_new_generation_dirs_are_unique_and_sort_by_time(tmp_path: Path) -> None:
    made = [generations.new_generation_dir(tmp_path) for _ in range(5)]
    assert len({p.name for p in made}) == 5
    assert all(p.is_dir() and p.name.startswith("gen-") for p in made)
    assert generations.list_generations(tmp_path) == sorted(made)


def test_pointer_is_read_defensively(tmp_path: Path) -> None:
    assert generations.current_dir(tmp_path) is None
    (tmp_path / "CURRENT").write_text("../elders\n")
    assert generations.pointer_name(tmp_path) is None
    (tmp_path / "CURRENT").write_text("gen-weg\n")
    assert generations.pointer_name(tmp_path) == "gen-weg"
    assert generations.current_dir(tmp_path) is None  # the folder does not exist
    (tmp_path / "gen-weg").mkdir()
    assert generations.current_dir(tmp_path) == tmp_path / "gen-weg"


def test_switch_replaces_the_pointer_atomically_and_publish_keeps_the_previous(
    tmp_path: Path,
) -> None:
    a, b, c = (generations.new_generation_dir(tmp_path) for _ in range(3))
    seen: list[str | None] = []
    generations.switch(tmp_path, a, lambda: seen.append(generations.pointer_name(tmp_path)))
    assert seen == [None]  # the hook runs before the pointer is replaced
    assert generations.current_dir(tmp_path) == a
    assert generations.publish(tmp_path, b, previous=a.name) == [c.name]
    assert generations.current_dir(tmp_path) == b and a.is_dir() and not c.exists()
    d = generations.new_generation_dir(tmp_path)
    assert generations.publish(tmp_path, d, previous=b.name) == [a.name]
    assert {p.name for p in generations.list_generations(tmp_path)} == {b.name, d.name}
    assert not list(tmp_path.glob("CURRENT.tmp-*"))


def test_cleanup_keeps_live_and_previous_and_removes_partial_builds(tmp_path: Path) -> None:
    old, live, partial = (generations.new_generation_dir(tmp_path) for _ in range(3))
    (live / generations.MANIFEST_FILENAME).write_text(json.dumps({"previous": old.name}))
    generations.switch(tmp_path, live)
    (tmp_path / "CURRENT.tmp-12345").write_text(partial.name)
    removed = generations.cleanup(tmp_path)
    assert sorted(removed) == sorted([partial.name, "CURRENT.tmp-12345"])
    assert old.is_dir() and live.is_dir() and not partial.exists()


def test_legacy_layout_is_recognised_and_removed(tmp_path: Path) -> None:
    assert not generations.has_legacy_layout(tmp_path)
    (tmp_path / DB_FILENAME).write_bytes(b"oud")
    (tmp_path / "search.current").write_text("search-1")
    (tmp_path / "search-1").mkdir()
    assert generations.has_legacy_layout(tmp_path)
    assert sorted(generations.remove_legacy(tmp_path)) == sorted(
        [DB_FILENAME, "search.current", "search-1"]
    )
    assert list(tmp_path.iterdir()) == []


# -- readers follow the pointer ------------------------------------------------------------------


def test_settings_db_path_follows_the_pointer_on_every_access(tmp_path: Path) -> None:
    settings = load_settings(corpus_dir=tmp_path / "c", data_dir=tmp_path / "d", env={})
    assert settings.db_path == tmp_path / "d" / DB_FILENAME  # no generation: old-layout path
    a = generations.new_generation_dir(settings.data_dir)
    generations.switch(settings.data_dir, a)
    assert settings.db_path == a / DB_FILENAME and settings.live_generation == a
    b = generations.new_generation_dir(settings.data_dir)
    generations.switch(settings.data_dir, b)
    assert settings.db_path == b / DB_FILENAME


def test_live_search_switches_to_the_new_generation(
    built_settings: Settings, tmp_path: Path
) -> None:
    first = _copy_live(built_settings, tmp_path / "data")
    live = LiveSearch(tmp_path / "data")
    old_engine = live.engine()
    assert live.folder == first / "search"
    second = tmp_path / "data" / "gen-99990101T000000.000000Z"
    shutil.copytree(first, second)
    generations.switch(tmp_path / "data", second)
    new_engine = live.engine()
    assert new_engine is not old_engine and live.folder == second / "search"
    # A request that still holds the old engine finishes on the previous generation.
    assert (
        old_engine.search("wijkaanpak", limit=1).total
        == new_engine.search("wijkaanpak", limit=1).total
    )


# -- manifest ------------------------------------------------------------------------------------


def test_manifest_of_a_built_index_verifies(built_settings: Settings) -> None:
    live = generations.current_dir(built_settings.data_dir)
    assert live is not None
    facts = manifest.verify(live)
    counts = facts["counts"]
    assert counts["passages"] == counts["search_passages"] > 100
    assert set(manifest.STORE_COUNTS) <= set(counts)
    assert facts["search"]["files"] and all(
        len(f["sha256"]) == 64 for f in facts["search"]["files"].values()
    )


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("truncate_sqlite", "afgekapt"),
        ("flip_sqlite", "controlesom van kennisbank.sqlite"),
        ("flip_segment", "controlesom van zoekindexbestand"),
        ("extra_file", "onbekende bestanden"),
        ("count", "passages:"),
        ("no_manifest", "manifest.json ontbreekt"),
        ("no_search", "zoekindex (search/) ontbreekt"),
    ],
)
def test_manifest_verification_finds_damage(
    built_settings: Settings, tmp_path: Path, damage: str, message: str
) -> None:
    gen = _copy_live(built_settings, tmp_path / "data")
    db = gen / DB_FILENAME
    segment = next(gen.glob("search/*.seg"))
    if damage == "truncate_sqlite":
        with open(db, "r+b") as handle:
            handle.truncate(db.stat().st_size // 2)
    elif damage == "flip_sqlite":
        data = bytearray(db.read_bytes())
        data[len(data) // 2] ^= 0xFF
        db.write_bytes(bytes(data))
    elif damage == "flip_segment":
        data = bytearray(segment.read_bytes())
        data[-10] ^= 0xFF
        segment.write_bytes(bytes(data))
    elif damage == "extra_file":
        (gen / "search" / "_MAIN_9.toc").write_bytes(b"x")
    elif damage == "count":
        facts = json.loads((gen / "manifest.json").read_text())
        facts["counts"]["passages"] += 1
        facts["counts"]["search_passages"] += 1
        (gen / "manifest.json").write_text(json.dumps(facts))
    elif damage == "no_manifest":
        (gen / "manifest.json").unlink()
    elif damage == "no_search":
        shutil.rmtree(gen / "search")
    with pytest.raises(manifest.ManifestError, match="onvolledig of beschadigd") as caught:
        manifest.verify(gen)
    assert message in str(caught.value)


# -- lock ----------------------------------------------------------------------------------------


def test_lock_is_exclusive_and_records_its_holder(tmp_path: Path) -> None:
    with IndexLock(tmp_path) as lock:
        holder = read_lock(tmp_path)
        assert holder is not None and holder.pid == os.getpid() and holder.alive()
        assert lock_state(tmp_path)["held"] is True
        with pytest.raises(IndexLocked, match="Er draait al een indexering") as caught:
            IndexLock(tmp_path, wait=0.1).acquire()
        assert caught.value.exit_code == 3
        assert lock.took_over is None
    assert read_lock(tmp_path) is None  # emptied on release
    assert lock_state(tmp_path) == {"held": False, "holder": None, "stale": False}


def test_lock_of_a_process_that_is_gone_is_stale_and_taken_over(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], check=True,
                          capture_output=True, text=True)  # fmt: skip
    gone = LockInfo(pid=int(done.stdout), started="2020-01-01T00:00:00+00:00",
                    host=socket.gethostname(), proc_start=1)  # fmt: skip
    (tmp_path / "index.lock").write_text(json.dumps(gone.to_dict()))
    assert not gone.alive()
    assert lock_state(tmp_path)["stale"] is True
    with IndexLock(tmp_path) as lock:
        assert lock.took_over == gone
