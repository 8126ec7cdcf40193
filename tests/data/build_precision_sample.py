"""Draw and refresh the hand-judged precision sample ``precision_sample.jsonl``.

Not a test: the script that made the sample, kept so that it can be checked and redone.

``draw``
    From two index stores built with the code *before* the precision work, draws the items
    with ``random.Random(SEED)`` (``SEED = 15``, the issue number) from rows sorted by
    document, passage, offset and entity, per stratum:

    =====================  ==============================================  ======
    stratum                population                                      drawn
    =====================  ==============================================  ======
    ``shared-wijk``        wijk and buurt mentions in the laws and plans     70
    ``shared-gemeente``    gemeente mentions in the laws and plans           80
    ``bundled-wijk``       wijk and buurt mentions in the two reports        30
    ``bundled-gemeente``   gemeente mentions in the two reports              40
    ``shared-commitment``  commitments in the laws and plans                 80
    ``bundled-commitment`` commitments in the two reports                    all
    =====================  ==============================================  ======

    "laws and plans" are ``laws-md/current/{wet,beleidsregel,circulaire}`` and
    ``municipal-plans-md`` of the shared data (the farm of ``kennisbank eval
    --distractors``, 3,641 files), indexed together with the bundled corpus; the two reports
    are the bundled corpus indexed on its own.  Each item keeps a window of its passage (whole
    lines around the mention, the whole passage for commitments) and what the system said.
    The population size of each stratum is stored with the item (``population``), so that a
    precision can be weighted back to the corpus.

``after``
    Records what the current code says about each item, from stores built with it (the same
    two corpora), and the document context the recognition reads (``context``: the gemeenten
    the document names; its type, title and whether it addresses the Kamer): ``after``.
    Items the new code finds that the old did not are drawn into strata ``…-new`` (same seed,
    at most 40 per corpus and kind); they need a judgement of their own.

``check``
    A second, independent sample of what the *new* code finds in the laws and plans, drawn
    after its rules were written (``random.Random(CHECK_SEED)``, ``CHECK_SEED = 1515``):
    strata ``check-shared-wijk`` (40), ``check-shared-gemeente`` (60) and
    ``check-shared-commitment`` (all), leaving out items already in the sample.  The
    rules were written while looking at the first sample; this one measures them on items
    they were not tuned on.

``bundled``
    Writes ``bundled_recognition.json``: every mention and commitment that an index of the
    bundled corpus built with the old code holds, as ``[document, passage seq, start, end,
    entity]`` and ``[document, passage seq, start, end]``, for the recall test of
    ``tests/test_precision.py``.  ``lost`` (kept when the file is written again) says why a
    former mention or commitment may be missing now.

The judgements (``correct``, ``reason``) are written by hand and kept when the script runs
again.  Usage (from the repository root, with the stores of ``kennisbank index --corpus
FARM --data-dir …`` and ``kennisbank index --corpus corpus --data-dir …``)::

    python tests/data/build_precision_sample.py draw SHARED.sqlite BUNDLED.sqlite
    python tests/data/build_precision_sample.py after SHARED.sqlite BUNDLED.sqlite \
        SHARED_AFTER.sqlite BUNDLED_AFTER.sqlite
    python tests/data/build_precision_sample.py check SHARED.sqlite SHARED_AFTER.sqlite
    python tests/data/build_precision_sample.py bundled BUNDLED.sqlite

The figures: ``python -m pytest tests/test_precision.py -s``.
"""

from __future__ import annotations

import json
import random
import sqlite3
import sys
from pathlib import Path
from typing import Any

SEED = 15
CHECK_SEED = 1515
CHECK_SIZES = {"wijk": 40, "gemeente": 60, "commitment": 1000}
HERE = Path(__file__).resolve().parent
SAMPLE = HERE / "precision_sample.jsonl"
BUNDLED_REFERENCE = HERE / "bundled_recognition.json"
BUNDLED_PREFIX = "wijkenaanpak-"
PLACE_TYPES = ("wijk", "buurt", "gemeente")
#: Characters of context kept before and after a mention's line.
WINDOW_BEFORE = 1200
WINDOW_AFTER = 300
#: A line longer than this is cut around the mention.
LONG_LINE = 1500
LINE_CONTEXT = 500


def _connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    return conn


def _mentions(conn: sqlite3.Connection, bundled: bool) -> list[sqlite3.Row]:
    where = "NOT LIKE" if not bundled else "LIKE"
    if bundled:
        doc_filter = "1 = 1"
    else:
        doc_filter = f"m.document_id {where} '{BUNDLED_PREFIX}%'"
    types = " OR ".join(f"m.entity_id LIKE '{t}/%'" for t in PLACE_TYPES)
    return conn.execute(
        "SELECT m.*, p.seq, p.kind, p.section_path, p.text AS ptext, d.title, d.doctype,"
        " d.metadata, d.identifier"
        " FROM mentions m JOIN passages p ON p.id = m.passage_id AND p.document_id ="
        " m.document_id JOIN documents d ON d.id = m.document_id"
        f" WHERE ({types}) AND {doc_filter}"
        " ORDER BY m.document_id, p.seq, m.start, m.entity_id"
    ).fetchall()


def _commitments(conn: sqlite3.Connection, bundled: bool) -> list[sqlite3.Row]:
    doc_filter = "1 = 1" if bundled else f"c.document_id NOT LIKE '{BUNDLED_PREFIX}%'"
    return conn.execute(
        "SELECT c.*, p.seq, p.kind, p.section_path, p.text AS ptext, d.title, d.doctype,"
        " d.metadata, d.identifier"
        " FROM commitments c JOIN passages p ON p.id = c.passage_id AND p.document_id ="
        " c.document_id JOIN documents d ON d.id = c.document_id"
        f" WHERE {doc_filter} ORDER BY c.document_id, p.seq, c.start"
    ).fetchall()


def mention_window(text: str, start: int, end: int) -> tuple[int, int]:
    """Whole lines around ``text[start:end]`` (a cut-out of a very long line)."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    if line_end - line_start > LONG_LINE:
        lo = max(line_start, start - LINE_CONTEXT)
        hi = min(line_end, end + LINE_CONTEXT)
        while lo > line_start and not text[lo - 1].isspace():
            lo += 1
        while hi < line_end and not text[hi].isspace():
            hi -= 1
        return lo, max(hi, end)
    lo = line_start
    while lo > 0:
        previous = text.rfind("\n", 0, lo - 1) + 1
        if start - previous > WINDOW_BEFORE:
            break
        lo = previous
    hi = line_end
    while hi < len(text):
        following = text.find("\n", hi + 1)
        following = len(text) if following < 0 else following
        if following - end > WINDOW_AFTER:
            break
        hi = following
    return lo, hi


def _document_fields(row: sqlite3.Row) -> dict[str, Any]:
    metadata = json.loads(row["metadata"] or "{}")
    return {
        "document": row["document_id"],
        "title": row["title"],
        "doctype": row["doctype"],
        "explicit_type": bool(metadata.get("type") or metadata.get("doctype")),
        "identifier": row["identifier"],
        "passage_id": row["passage_id"],
        "passage_kind": row["kind"],
        "section_path": json.loads(row["section_path"]),
    }


def _mention_item(row: sqlite3.Row, stratum: str, population: int) -> dict[str, Any]:
    text = row["ptext"]
    lo, hi = mention_window(text, row["start"], row["end"])
    return {
        "kind": "mention",
        "stratum": stratum,
        "population": population,
        **_document_fields(row),
        "window_offset": lo,
        "text": text[lo:hi],
        "start": row["start"] - lo,
        "end": row["end"] - lo,
        "surface": row["surface"],
        "entity_id": row["entity_id"],
        "before": {"found": True, "method": row["method"], "rule": row["rule"]},
    }


def _commitment_item(
    conn: sqlite3.Connection, row: sqlite3.Row, stratum: str, population: int
) -> dict[str, Any]:
    previous = conn.execute(
        "SELECT kind, section_path, text FROM passages WHERE document_id = ? AND seq < ?"
        " AND kind != 'footnote' ORDER BY seq DESC LIMIT 1",
        (row["document_id"], row["seq"]),
    ).fetchone()
    return {
        "kind": "commitment",
        "stratum": stratum,
        "population": population,
        **_document_fields(row),
        "previous": (
            {
                "kind": previous["kind"],
                "section_path": json.loads(previous["section_path"]),
                "text": previous["text"],
            }
            if previous is not None
            else None
        ),
        "window_offset": 0,
        "text": row["ptext"],
        "start": row["start"],
        "end": row["end"],
        "sentence": row["text"],
        "before": {"found": True, "cue": row["cue"]},
    }


def _type(entity_id: str) -> str:
    return entity_id.split("/", 1)[0]


def draw(shared_db: str, bundled_db: str) -> list[dict[str, Any]]:
    """The items of the strata in the module docstring, in stratum order."""
    rng = random.Random(SEED)
    items: list[dict[str, Any]] = []
    for corpus, path in (("shared", shared_db), ("bundled", bundled_db)):
        conn = _connect(path)
        bundled = corpus == "bundled"
        mentions = _mentions(conn, bundled)
        sizes = {"wijk": 70, "gemeente": 80} if not bundled else {"wijk": 30, "gemeente": 40}
        for group, size in sizes.items():
            rows = [
                r
                for r in mentions
                if (_type(r["entity_id"]) == "gemeente") == (group == "gemeente")
            ]
            stratum = f"{corpus}-{group}"
            for row in rng.sample(rows, min(size, len(rows))):
                items.append(_mention_item(row, stratum, len(rows)))
        commitments = _commitments(conn, bundled)
        size = len(commitments) if bundled else 80
        for row in rng.sample(commitments, min(size, len(commitments))):
            items.append(_commitment_item(conn, row, f"{corpus}-commitment", len(commitments)))
    for number, item in enumerate(items, start=1):
        item["id"] = f"{item['stratum']}-{number:03d}"
    return items


NEW_PER_STRATUM = 40


def _mention_key(row: sqlite3.Row) -> tuple[Any, ...]:
    return (row["document_id"], row["passage_id"], row["start"], row["end"], row["entity_id"])


def _commitment_key(row: sqlite3.Row) -> tuple[Any, ...]:
    return (row["document_id"], row["passage_id"], row["start"], row["end"])


def _item_key(item: dict[str, Any]) -> tuple[Any, ...]:
    offset = item["window_offset"]
    key = (item["document"], item["passage_id"], item["start"] + offset, item["end"] + offset)
    return (*key, item["entity_id"]) if item["kind"] == "mention" else key


def _context(conn: sqlite3.Connection, item: dict[str, Any]) -> dict[str, Any]:
    from indexer.knowledge.genre import profile_from_row  # noqa: PLC0415 - script only

    doc = item["document"]
    gemeenten = sorted(
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT entity_id FROM mentions WHERE document_id = ?"
            " AND entity_id LIKE 'gemeente/%'",
            (doc,),
        )
    )
    row = conn.execute(
        "SELECT id, doctype, title, identifier, metadata FROM documents WHERE id = ?", (doc,)
    ).fetchone()
    texts = [r[0] for r in conn.execute("SELECT text FROM passages WHERE document_id = ?", (doc,))]
    return {"gemeenten": gemeenten, "profile": profile_from_row(dict(row), texts).to_dict()}


def record_after(
    items: list[dict[str, Any]], before: tuple[str, str], after: tuple[str, str]
) -> list[dict[str, Any]]:
    """Fill ``after`` and ``context`` of every item and add the ``…-new`` strata."""
    rng = random.Random(SEED)
    result = [i for i in items if not i["stratum"].endswith("-new")]
    checks = [i for i in result if i["stratum"].startswith("check-")]
    result = [i for i in result if not i["stratum"].startswith("check-")]
    for corpus, old_path, new_path in zip(("shared", "bundled"), before, after, strict=True):
        old, new = _connect(old_path), _connect(new_path)
        bundled = corpus == "bundled"
        found_m = {_mention_key(r): r for r in _mentions(new, bundled)}
        found_c = {_commitment_key(r): r for r in _commitments(new, bundled)}
        for item in result:
            if not item["stratum"].startswith(corpus + "-"):
                continue
            hit = (found_m if item["kind"] == "mention" else found_c).get(_item_key(item))
            item["after"] = {"found": hit is not None}
            if hit is not None and item["kind"] == "mention":
                item["after"].update(method=hit["method"], rule=hit["rule"])
            elif hit is not None:
                item["after"]["cue"] = hit["cue"]
            item["context"] = _context(new, item)
        old_m = {_mention_key(r) for r in _mentions(old, bundled)}
        old_c = {_commitment_key(r) for r in _commitments(old, bundled)}
        fresh_m = [r for k, r in found_m.items() if k not in old_m]
        fresh_c = [r for k, r in found_c.items() if k not in old_c]
        for kind, rows in (("mention", fresh_m), ("commitment", fresh_c)):
            stratum = f"{corpus}-{kind}-new"
            for row in rng.sample(rows, min(NEW_PER_STRATUM, len(rows))):
                if kind == "mention":
                    item = _mention_item(row, stratum, len(rows))
                else:
                    item = _commitment_item(new, row, stratum, len(rows))
                item["before"] = {"found": False}
                item["after"] = {"found": True}
                item["context"] = _context(new, item)
                item["id"] = f"{stratum}-{len(result) + 1:03d}"
                result.append(item)
    return result + checks


def check(items: list[dict[str, Any]], before: str, after: str) -> list[dict[str, Any]]:
    """The items plus the ``check-…`` strata (see the module docstring)."""
    rng = random.Random(CHECK_SEED)
    result = [i for i in items if not i["stratum"].startswith("check-")]
    taken = {_item_key(i) for i in result}
    old, new = _connect(before), _connect(after)
    old_m = {_mention_key(r) for r in _mentions(old, False)}
    old_c = {_commitment_key(r) for r in _commitments(old, False)}
    mentions = _mentions(new, False)
    groups = {
        "wijk": [r for r in mentions if _type(r["entity_id"]) != "gemeente"],
        "gemeente": [r for r in mentions if _type(r["entity_id"]) == "gemeente"],
        "commitment": _commitments(new, False),
    }
    for group, rows in groups.items():
        stratum = f"check-shared-{group}"
        key = _commitment_key if group == "commitment" else _mention_key
        free = [r for r in rows if key(r) not in taken]
        for row in rng.sample(free, min(CHECK_SIZES[group], len(free))):
            if group == "commitment":
                item = _commitment_item(new, row, stratum, len(rows))
                item["before"] = {"found": key(row) in old_c}
                item["after"] = {"found": True, "cue": row["cue"]}
            else:
                item = _mention_item(row, stratum, len(rows))
                item["before"] = {"found": key(row) in old_m}
                item["after"] = {"found": True, "method": row["method"], "rule": row["rule"]}
            item["context"] = _context(new, item)
            item["id"] = f"{stratum}-{len(result) + 1:03d}"
            result.append(item)
    return result


def bundled_reference(path: str) -> dict[str, Any]:
    """The mentions and commitments of a bundled-corpus store (see ``bundled``)."""
    conn = _connect(path)
    mentions = conn.execute(
        'SELECT m.document_id, p.seq, m.start, m."end", m.entity_id FROM mentions m'
        " JOIN passages p ON p.id = m.passage_id AND p.document_id = m.document_id"
    ).fetchall()
    commitments = conn.execute(
        'SELECT c.document_id, p.seq, c.start, c."end" FROM commitments c'
        " JOIN passages p ON p.id = c.passage_id AND p.document_id = c.document_id"
    ).fetchall()
    old = json.loads(BUNDLED_REFERENCE.read_text()) if BUNDLED_REFERENCE.is_file() else {}
    return {
        "mentions": sorted(list(r) for r in mentions),
        "commitments": sorted(list(r) for r in commitments),
        "lost": old.get("lost", {}),
    }


def _compact(reference: dict[str, Any]) -> str:
    """JSON with one mention or commitment a line."""
    parts = []
    for name in ("mentions", "commitments"):
        rows = ",\n".join(json.dumps(r, ensure_ascii=False) for r in reference[name])
        parts.append(f'"{name}": [\n{rows}\n]')
    parts.append('"lost": ' + json.dumps(reference["lost"], ensure_ascii=False, indent=1))
    return "{\n" + ",\n".join(parts) + "\n}\n"


def _key(item: dict[str, Any]) -> str:
    return item["id"]


def write(items: list[dict[str, Any]], judged: dict[str, dict[str, Any]]) -> None:
    """Write the sample, keeping the judgements of items already judged."""
    with SAMPLE.open("w", encoding="utf-8") as out:
        for item in items:
            old = judged.get(_key(item), {})
            item.setdefault("correct", old.get("correct"))
            item.setdefault("reason", old.get("reason", ""))
            out.write(json.dumps(item, ensure_ascii=False, sort_keys=False) + "\n")


def read() -> list[dict[str, Any]]:
    """The items of the sample file (empty when there is none)."""
    if not SAMPLE.is_file():
        return []
    return [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line]


def main(argv: list[str]) -> int:
    """``draw`` or ``after`` (see the module docstring)."""
    arguments = {"draw": 3, "after": 5, "check": 3, "bundled": 2}
    if not argv or arguments.get(argv[0]) != len(argv):
        print(__doc__)
        return 2
    if argv[0] == "bundled":
        reference = bundled_reference(argv[1])
        BUNDLED_REFERENCE.write_text(_compact(reference), encoding="utf-8")
        return 0
    judged = {_key(i): i for i in read()}
    if argv[0] == "draw":
        write(draw(argv[1], argv[2]), judged)
    elif argv[0] == "check":
        write(check(read(), argv[1], argv[2]), judged)
    else:
        write(record_after(read(), (argv[1], argv[2]), (argv[3], argv[4])), judged)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
