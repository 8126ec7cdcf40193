"""Scale corpora of real Dutch text, written into a :class:`~kennisbank.store.Store`.

Sources (``shared/data``, see each folder's ``SOURCES.md``):

* ``laws-md`` — ≈6,000 Dutch laws and regulations in Markdown, parsed with
  :func:`~indexer.parsers.markdown.parse_markdown` and cut with
  :func:`~indexer.segment.segment` exactly as the indexer does (doctype ``regeling``,
  year from the title, e.g. "Wet van 12 juli 1821");
* ``sgd-ocr`` — ≈5,000 historical Kamerstukken/Handelingen (OCR, JSONL): ``Content`` is
  split at line breaks into paragraph-sized blocks (short lines are joined until a block
  has :data:`MIN_BLOCK_CHARS` characters; the segmenter splits blocks longer than
  :data:`~indexer.segment.MAX_PASSAGE_CHARS` at sentence ends), doctype ``handelingen``
  or ``kamerstuk``, year from the first lines.

All source documents are put in one seeded random order and taken from the front until
the requested number of passages is reached (the last document is cut), so a smaller
scale corpus is a prefix of a larger one.  No entity extraction is done at scale.

For the incremental re-index at scale, :func:`write_law_corpus` copies laws-md files in
the same seeded order into a corpus *folder* (real files for the full pipeline) until it
holds the requested number of passages, counted as :func:`law_document` counts them.

``python -m benchmarks.scale --passages 10000 --out DIR`` writes such a store.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import shutil
import stat
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from benchmarks.paths import DEFAULT_SHARED
from indexer.parsers.markdown import parse_markdown
from indexer.segment import segment
from kennisbank.config import DB_FILENAME
from kennisbank.model import Block, Document, Passage, Section
from kennisbank.store import Store

#: Seed of the document order.
SEED = 20260522
#: Short OCR lines are joined until a block has this many characters.
MIN_BLOCK_CHARS = 200
#: Characters of an OCR document searched for its year and title.
_HEAD_CHARS = 300

_LAW_YEAR = re.compile(r"\b(1[89]\d\d|20[01]\d)\b")
_SGD_YEAR = re.compile(r"\b(1[89]\d\d)\b")
_SGD_ID = re.compile(r"(\d{6,})")


class SharedDataMissing(FileNotFoundError):
    """The shared Dutch text (``laws-md``/``sgd-ocr``) is not available."""


@dataclass
class ScaleCorpus:
    """What :func:`write_scale_store` wrote."""

    store_path: str
    passages: int
    documents: int
    text_bytes: int
    by_source: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, object]:
        """Plain-dict form for JSON output."""
        return asdict(self)


@dataclass
class LawCorpus:
    """What :func:`write_law_corpus` copied."""

    folder: str
    files: int
    passages: int
    source_bytes: int
    seconds: float = 0.0


def scale_label(scale: int) -> str:
    """``bundled`` for 0, ``10k`` for 10,000, else the number."""
    return "bundled" if scale == 0 else (f"{scale // 1000}k" if scale % 1000 == 0 else str(scale))


def source_refs(shared: Path) -> list[tuple[str, str, int]]:
    """Every source document as ``(source, file, line)`` in the seeded benchmark order.

    Raises :class:`SharedDataMissing` when neither ``laws-md`` nor ``sgd-ocr`` exists.
    """
    laws_dir, sgd_dir = Path(shared) / "laws-md", Path(shared) / "sgd-ocr"
    refs: list[tuple[str, str, int]] = []
    if laws_dir.is_dir():
        refs += [
            ("laws-md", str(p), 0) for p in sorted(laws_dir.rglob("*.md")) if p.name != "SOURCES.md"
        ]
    if sgd_dir.is_dir():
        for shard in sorted(sgd_dir.glob("*.jsonl")):
            with shard.open(encoding="utf-8") as fh:
                refs += [("sgd-ocr", str(shard), n) for n, line in enumerate(fh) if line.strip()]
    if not refs:
        raise SharedDataMissing(f"Geen laws-md of sgd-ocr gevonden in {shared}.")
    random.Random(SEED).shuffle(refs)
    return refs


def iter_documents(shared: Path) -> Iterator[tuple[str, Document]]:
    """``(source, document)`` for every usable source document, in benchmark order."""
    taken: set[str] = set()
    lines: dict[str, list[str]] = {}
    for source, path, line in source_refs(shared):
        if source == "laws-md":
            doc = law_document(Path(path), Path(shared) / "laws-md")
        else:
            if path not in lines:
                lines[path] = [
                    x for x in Path(path).read_text(encoding="utf-8").splitlines() if x.strip()
                ]
            doc = sgd_document(json.loads(lines[path][line]))
        if doc is None or doc.id in taken:
            continue
        taken.add(doc.id)
        yield source, doc


def law_document(path: Path, root: Path) -> Document | None:
    """A laws-md Markdown file as a segmented document (``None`` without passages)."""
    data = path.read_bytes()
    text = data.decode("utf-8", errors="replace")
    rel = path.relative_to(root).as_posix()
    doc_id = "laws-" + re.sub(r"[^a-z0-9]+", "-", rel.lower().removesuffix(".md")).strip("-")
    parsed = parse_markdown(text, name=path.stem)
    seg = segment(doc_id, parsed.blocks)
    if not seg.passages:
        return None
    year = _LAW_YEAR.search(parsed.title or "")
    return Document(
        id=doc_id,
        path=f"laws-md/{rel}",
        title=(parsed.title or path.stem)[:300],
        doctype="regeling",
        format="markdown",
        checksum=hashlib.sha256(data).hexdigest(),
        text=seg.text,
        year=int(year.group(1)) if year else None,
        source="laws-md",
        sections=seg.sections,
        passages=seg.passages,
    )


def sgd_blocks(content: str) -> list[Block]:
    """OCR text as paragraph blocks (see the module docstring)."""
    blocks: list[Block] = []
    buffer: list[str] = []
    for raw in content.splitlines():
        line = " ".join(raw.split())
        if not line:
            continue
        buffer.append(line)
        if sum(len(x) + 1 for x in buffer) >= MIN_BLOCK_CHARS:
            blocks.append(Block(kind="paragraph", text=" ".join(buffer)))
            buffer = []
    if buffer:
        blocks.append(Block(kind="paragraph", text=" ".join(buffer)))
    return blocks


def sgd_document(record: dict[str, str]) -> Document | None:
    """One sgd-ocr JSONL record as a segmented document (``None`` without text)."""
    content = record.get("Content") or ""
    url = record.get("URL") or ""
    found = _SGD_ID.search(url)
    key = found.group(1) if found else hashlib.sha1(url.encode()).hexdigest()[:12]
    doc_id = f"sgd-{key}"
    seg = segment(doc_id, sgd_blocks(content))
    if not seg.passages:
        return None
    head = content[:_HEAD_CHARS]
    year = _SGD_YEAR.search(head)
    title_lines = [x.strip() for x in content.splitlines() if x.strip()][:3]
    return Document(
        id=doc_id,
        path=f"sgd-ocr/{key}",
        title=" — ".join(title_lines)[:200] or doc_id,
        doctype="handelingen" if "handelingen" in head.lower() else "kamerstuk",
        format="text",
        checksum=hashlib.sha256(content.encode()).hexdigest(),
        text=seg.text,
        year=int(year.group(1)) if year else None,
        source=url or "sgd-ocr",
        sections=seg.sections,
        passages=seg.passages,
    )


def write_scale_store(target_dir: Path, shared: Path, passages: int) -> ScaleCorpus:
    """Write the first ``passages`` passages of the benchmark order into a new store
    ``target_dir/kennisbank.sqlite`` (fewer when the sources hold fewer)."""
    started = time.perf_counter()
    path = Path(target_dir) / DB_FILENAME
    if path.exists():
        raise FileExistsError(f"{path} bestaat al.")
    result = ScaleCorpus(store_path=str(path), passages=0, documents=0, text_bytes=0)
    with Store(path, create=True) as store, store.transaction():
        for source, doc in iter_documents(shared):
            if result.passages >= passages:
                break
            room = passages - result.passages
            if len(doc.passages) > room:
                doc.passages = doc.passages[:room]
                kept = {p.id for p in doc.passages}
                doc.sections = [s for s in doc.sections if s.passage_id in kept]
            store.put_document(doc, refs=[])
            result.passages += len(doc.passages)
            result.documents += 1
            result.text_bytes += sum(len(p.text.encode("utf-8")) for p in doc.passages)
            result.by_source[source] = result.by_source.get(source, 0) + len(doc.passages)
    result.seconds = round(time.perf_counter() - started, 3)
    return result


def write_law_corpus(target: Path, shared: Path, passages: int) -> LawCorpus:
    """Copy whole laws-md files, in the seeded benchmark order, into the new folder
    ``target`` (sub-folders kept, files made writable) until they hold at least
    ``passages`` passages (:func:`law_document`'s count; fewer when laws-md holds fewer).

    Raises :class:`SharedDataMissing` when ``shared/laws-md`` is absent.
    """
    started = time.perf_counter()
    root = Path(shared) / "laws-md"
    if not root.is_dir():
        raise SharedDataMissing(f"Geen laws-md gevonden in {shared}.")
    target = Path(target)
    target.mkdir(parents=True)
    result = LawCorpus(folder=str(target), files=0, passages=0, source_bytes=0)
    for source, path, _line in source_refs(shared):
        if result.passages >= passages:
            break
        if source != "laws-md":
            continue
        doc = law_document(Path(path), root)
        if doc is None:
            continue
        copy = target / Path(path).relative_to(root)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, copy)
        copy.chmod(copy.stat().st_mode | stat.S_IWUSR)
        result.files += 1
        result.passages += len(doc.passages)
        result.source_bytes += copy.stat().st_size
    result.seconds = round(time.perf_counter() - started, 3)
    return result


def subset_store(source: Store, target_dir: Path, passages: int) -> ScaleCorpus:
    """Copy the first ``passages`` passages (documents in path order, graph left out) of
    ``source`` into a new store in ``target_dir`` — a tiny corpus for smoke tests."""
    started = time.perf_counter()
    path = Path(target_dir) / DB_FILENAME
    result = ScaleCorpus(store_path=str(path), passages=0, documents=0, text_bytes=0)
    with Store(path, create=True) as store, store.transaction():
        for info in source.documents():
            if result.passages >= passages:
                break
            rows = source.passages(info["id"])[: passages - result.passages]
            full = source.document(info["id"])
            doc = Document(
                id=info["id"],
                path=info["path"],
                title=info["title"],
                doctype=info["type"],
                format=info["format"],
                checksum=info["checksum"],
                text=full["text"],
                year=info["year"],
                date=info["date"],
                source=info["source"],
                identifier=info["identifier"],
                metadata=info["metadata"],
                sections=[Section(**s) for s in info["sections"]],
                passages=[Passage(**r) for r in rows],
            )
            store.put_document(doc, refs=[])
            result.passages += len(rows)
            result.documents += 1
            result.text_bytes += sum(len(r["text"].encode("utf-8")) for r in rows)
            result.by_source["bundled"] = result.by_source.get("bundled", 0) + len(rows)
    result.seconds = round(time.perf_counter() - started, 3)
    return result


def main(argv: list[str] | None = None) -> int:
    """``python -m benchmarks.scale --passages N --out DIR [--shared PATH]``."""
    parser = argparse.ArgumentParser(description="Schrijf een schaalcorpus in een store.")
    parser.add_argument("--passages", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True, help="map voor kennisbank.sqlite")
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    args = parser.parse_args(argv)
    try:
        corpus = write_scale_store(args.out, args.shared, args.passages)
    except SharedDataMissing as exc:
        print(exc, file=sys.stderr)
        return 2
    print(json.dumps(corpus.to_dict(), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
