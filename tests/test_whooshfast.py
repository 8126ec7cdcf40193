"""whoosh_backend.writer: the build writer gives Whoosh's results, and fails cleanly."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from whoosh import index
from whoosh.fields import ID, KEYWORD, NUMERIC, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.writing import PostingPool

from kennisbank.search.whoosh_backend.analysis import dutch_analyzer
from kennisbank.search.whoosh_backend.codec import MemoryPool
from kennisbank.search.whoosh_backend.writer import BuildWriter, write_segments


def test_memory_pool_yields_the_order_of_whooshs_sorting_pool(tmp_path: Path) -> None:
    rng = random.Random(7)
    items = []
    for docnum in range(300):  # a writer adds documents in increasing number
        for term in rng.sample([b"wijk", b"buurt", b"aanpak", b"zorg", b"\xc3\xa9n"], 3):
            field = rng.choice(["text", "title", "kind"])
            if not any(i[:3] == (field, term, docnum) for i in items):
                items.append((field, term, docnum, rng.random(), b"v"))
    memory = MemoryPool()
    for item in items:
        memory.add(item)
    assert list(memory.iter_postings()) == sorted(items)
    storage = FileStorage(str(tmp_path)).create()
    whoosh_pool = PostingPool(storage, None, limitmb=1)
    for item in items:
        whoosh_pool.add(item)
    assert list(memory.iter_postings()) == list(whoosh_pool.iter_postings())
    whoosh_pool.cleanup()


def _schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True),
        text=TEXT(analyzer=dutch_analyzer(), stored=True, phrase=True, chars=True),
        title=TEXT(analyzer=dutch_analyzer(), field_boost=1.5),
        kind=KEYWORD(stored=True, commas=True),
        seq=NUMERIC(numtype=int, bits=32, stored=True, sortable=True),
    )


def _docs() -> list[dict]:
    return [
        {
            "id": f"d{i}",
            "text": f"Bewonersparticipatie in wijk {i}: schooluitval en leer-werkplekken.",
            "title": "Voortgangsrapportage wijkenaanpak",
            "kind": "paragraph" if i % 3 else "heading",
            "seq": i % 5,
            "_boost": 0.5 if i % 3 == 0 else 1.0,
        }
        for i in range(40)
    ]


def _postings(path: Path) -> dict:
    ix = index.open_dir(str(path))
    with ix.searcher() as searcher:
        reader = searcher.reader()
        ids = {d: f["id"] for d, f in reader.iter_docs()}
        found = {}
        stats = {}
        for field, term in reader.all_terms():
            m = reader.postings(field, term)
            found[(field, term)] = sorted((ids[d], w, v) for d, w, v in _walk(m))
            info = reader.term_info(field, term)
            stats[(field, term)] = (
                round(info.weight(), 4),
                info.doc_frequency(),
                info.min_length(),
                info.max_length(),
                info.max_weight(),
            )
        lengths = {
            (f, ids[d]): reader.doc_field_length(d, f) for f in ("text", "title") for d in ids
        }
        return {
            "postings": found,
            "stats": stats,
            "lengths": lengths,
            "docs": sorted(ids.values()),
        }


def _walk(matcher):  # type: ignore[no-untyped-def]
    while matcher.is_active():
        yield matcher.id(), matcher.weight(), matcher.value()
        matcher.next()


def _plain_build_and_fresh_index(tmp_path: Path, docs: list[dict]) -> index.Index:
    """Write ``docs`` with Whoosh's own writer into ``tmp_path/plain`` (the reference) and
    return a fresh index in ``tmp_path/fast`` for the build writer."""
    (tmp_path / "plain").mkdir()
    (tmp_path / "fast").mkdir()
    plain = index.create_in(str(tmp_path / "plain"), _schema())
    writer = plain.writer()
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()
    return index.create_in(str(tmp_path / "fast"), _schema())


@pytest.mark.parametrize(("parts", "processes"), [(1, 1), (2, 2), (3, 3), (3, 2), (2, 1)])
def test_segments_written_in_parts_hold_what_whooshs_writer_writes(
    tmp_path: Path, parts: int, processes: int
) -> None:
    docs = _docs()
    fast = _plain_build_and_fresh_index(tmp_path, docs)

    def add(w: BuildWriter, part: int) -> int:
        mine = docs[part::parts]
        for doc in mine:
            w.add_document(**doc)
        return len(mine)

    assert sum(write_segments(fast, parts, add, processes=processes)) == len(docs)
    assert len(index.open_dir(str(tmp_path / "fast"))._segments()) == parts
    assert _postings(tmp_path / "fast") == _postings(tmp_path / "plain")


def test_a_failing_part_commits_nothing_and_releases_the_lock(tmp_path: Path) -> None:
    ix = index.create_in(str(tmp_path), _schema())

    def add(w: BuildWriter, part: int) -> None:
        w.add_document(**_docs()[part])
        if part == 1:
            raise ValueError("kapot")

    with pytest.raises(RuntimeError, match="kapot"):
        write_segments(ix, 2, add)
    again = index.open_dir(str(tmp_path))
    assert again.doc_count() == 0
    writer = again.writer()  # the lock is free again
    writer.cancel()


def test_a_writer_process_that_dies_fails_the_build_instead_of_hanging(tmp_path: Path) -> None:
    """A writer process killed mid-part (here: it exits at once, as the OOM killer would
    end it) is reported; nothing is committed and the lock is free again."""
    ix = index.create_in(str(tmp_path), _schema())

    def add(w: BuildWriter, part: int) -> None:
        w.add_document(**_docs()[part])
        if part == 1:
            os._exit(9)

    with pytest.raises(RuntimeError, match="exitcode 9"):
        write_segments(ix, 2, add)
    again = index.open_dir(str(tmp_path))
    assert again.doc_count() == 0
    again.writer().cancel()


def _blocks(path: Path) -> dict:
    """Per term: every block's postings and statistics, and whether it is compressed."""
    ix = index.open_dir(str(path))
    with ix.searcher() as searcher:
        reader = searcher.reader()
        found = {}
        for field, term in reader.all_terms():
            m = reader.postings(field, term)
            blocks = []
            while m.is_active():
                m._read_ids()
                blocks.append(
                    (
                        m._blocklength,
                        m.block_max_weight(),
                        m.block_min_length(),
                        m.block_max_length(),
                        tuple(m._ids),
                        bool(m._compression),
                    )
                )
                m._next_block()
            found[(field, term)] = blocks
        return found


def test_long_posting_lists_are_written_block_by_block_as_whoosh_writes_them(
    tmp_path: Path,
) -> None:
    """Terms in more documents than a block holds (128): the same blocks, block
    statistics and term statistics; only blocks whose pickle is small stay uncompressed."""
    docs = [
        {
            "id": f"d{i}",
            "text": "Wijkaanpak " * (1 + i % 4) + f"in buurt {i % 7} en wijk {i}.",
            "title": "Voortgangsrapportage" if i % 2 else "Wijkactieplan Overvecht",
            "kind": "paragraph",
            "seq": i,
            "_boost": 0.5 if i % 5 == 0 else 1.0,
        }
        for i in range(300)
    ]
    fast = _plain_build_and_fresh_index(tmp_path, docs)

    def add(w: BuildWriter, part: int) -> int:
        for doc in docs:
            w.add_document(**doc)
        return len(docs)

    write_segments(fast, 1, add)
    assert _postings(tmp_path / "fast") == _postings(tmp_path / "plain")
    whoosh_blocks, our_blocks = _blocks(tmp_path / "plain"), _blocks(tmp_path / "fast")
    assert whoosh_blocks.keys() == our_blocks.keys()
    wijk = our_blocks[("text", b"wijkaanpak")]
    assert [b[0] for b in wijk] == [128, 128, 44]
    for key, blocks in whoosh_blocks.items():
        assert [b[:5] for b in our_blocks[key]] == [b[:5] for b in blocks], key
        assert all(b[5] for b in blocks)  # Whoosh compresses every block
    assert all(b[5] for b in wijk)  # full blocks are compressed ...
    ids = [b for (field, _), blocks in our_blocks.items() if field == "id" for b in blocks]
    assert len(ids) == 300 and not any(b[5] for b in ids)  # ... small ones are not
