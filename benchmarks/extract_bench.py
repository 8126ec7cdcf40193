"""Entity-extraction throughput (passages per second) and a quick look at the mentions in a text.

``python -m benchmarks.extract_bench --bench [--shared ../shared/data]`` measures
:class:`~indexer.knowledge.extract.EntityExtractor` on the bundled corpus (and on real text
from ``../shared/data``); ``python -m benchmarks.extract_bench TEXT`` prints the mentions
found in ``TEXT``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from indexer.knowledge.extract import EntityExtractor, parallel_processes
from indexer.parsers.markdown import parse_markdown
from indexer.parsers.text import build_vocabulary, parse_text
from indexer.segment import segment
from kennisbank.model import Mention, Passage

__all__ = [
    "benchmark_extraction",
    "default_corpus_dir",
    "load_corpus_passages",
    "load_shared_passages",
    "main",
]


def default_corpus_dir() -> Path:
    """The bundled corpus folder of the checkout."""
    return Path(__file__).resolve().parent.parent / "corpus"


def load_corpus_passages(corpus_dir: Path | None = None) -> list[Passage]:
    """Passages of every ``.txt`` document of ``corpus_dir`` (parsed and segmented)."""
    folder = corpus_dir or default_corpus_dir()
    texts = {path.stem: path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.txt"))}
    vocabulary = build_vocabulary(list(texts.values()))
    passages: list[Passage] = []
    for stem, text in texts.items():
        parsed = parse_text(text, vocabulary=set(vocabulary), name=f"{stem}.txt")
        passages.extend(segment(stem, parsed.blocks).passages)
    return passages


def load_shared_passages(shared_data: Path, limit: int = 5000) -> list[Passage]:
    """Up to ``limit`` passages of real Dutch text from ``../shared/data`` (Markdown).

    Reads the wijken-related regulations and the municipal plans in ``laws-md`` and
    ``municipal-plans-md``; returns ``[]`` when neither folder exists.
    """
    files = sorted((shared_data / "laws-md" / "_historical-wijken").rglob("*.md"))
    files += sorted((shared_data / "municipal-plans-md").glob("*.md"))
    passages: list[Passage] = []
    for path in files:
        parsed = parse_markdown(path.read_text(encoding="utf-8", errors="replace"), name=path.name)
        passages.extend(segment(path.stem, parsed.blocks).passages)
        if len(passages) >= limit:
            break
    return passages[:limit]


def benchmark_extraction(
    corpus_dir: Path | None = None,
    *,
    repeat: int = 3,
    extractor: EntityExtractor | None = None,
    passages: list[Passage] | None = None,
    label: str = "gebundeld corpus",
) -> float:
    """Print and return the throughput (passages per second) on ``passages``.

    Without ``passages`` the bundled corpus is used.  Building the pipeline is
    timed separately; the best of ``repeat`` runs of :meth:`EntityExtractor.extract`
    over all passages in one process counts.  When the passages are enough for
    several processes (:func:`parallel_processes`), one more run with them is printed.
    """
    if passages is None:
        passages = load_corpus_passages(corpus_dir)
    started = time.perf_counter()
    extractor = extractor or EntityExtractor()
    build_seconds = time.perf_counter() - started
    timings: list[float] = []
    mentions: list[Mention] = []
    for _ in range(max(1, repeat)):
        started = time.perf_counter()
        mentions = extractor.extract(passages, processes=1)
        timings.append(time.perf_counter() - started)
    best = min(timings)
    rate = len(passages) / best if best > 0 else float("inf")
    per_type = Counter(m.entity_id.split("/", 1)[0] for m in mentions)
    print(
        f"Entiteitsherkenning ({label}): {len(passages)} passages, {len(mentions)} mentions in "
        f"{best:.2f} s = {rate:.0f} passages/s (beste van {len(timings)}; eerste ronde "
        f"{timings[0]:.2f} s = {len(passages) / timings[0]:.0f} passages/s; pijplijn opbouwen: "
        f"{build_seconds:.1f} s)"
    )
    print("Mentions per type: " + ", ".join(f"{t} {n}" for t, n in sorted(per_type.items())))
    processes = parallel_processes(len(passages))
    if processes > 1:
        started = time.perf_counter()
        extractor.extract(passages, processes=processes)
        seconds = time.perf_counter() - started
        print(
            f"Met {processes} processen: {seconds:.2f} s = {len(passages) / seconds:.0f} passages/s"
        )
    return rate


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m benchmarks.extract_bench [--bench] [TEXT]``: benchmark, or show mentions."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.extract_bench",
        description="Entiteitsherkenning van de kennisbank.",
    )
    parser.add_argument("text", nargs="?", help="tekst waarin entiteiten gezocht worden")
    parser.add_argument("--bench", action="store_true", help="meet passages/s op het corpus")
    parser.add_argument("--repeat", type=int, default=3, help="aantal meetrondes (standaard 3)")
    parser.add_argument("--corpus", type=Path, default=None, help="map met .txt-documenten")
    parser.add_argument(
        "--shared",
        type=Path,
        default=None,
        help="ook meten op echte tekst uit deze map (../shared/data: laws-md, municipal-plans-md)",
    )
    parser.add_argument("--limit", type=int, default=5000, help="passages uit --shared (5000)")
    args = parser.parse_args(argv)
    if args.bench:
        extractor = EntityExtractor()
        benchmark_extraction(args.corpus, repeat=args.repeat, extractor=extractor)
        if args.shared:
            sample = load_shared_passages(args.shared, args.limit)
            if not sample:
                print(f"Geen tekst gevonden in {args.shared}: meting overgeslagen.")
            else:
                benchmark_extraction(
                    repeat=args.repeat, extractor=extractor, passages=sample, label=f"{args.shared}"
                )
        return 0
    if not args.text:
        parser.print_help()
        return 1
    for mention in EntityExtractor().recognise(args.text):
        rule = f" [{mention.rule}]" if mention.rule else ""
        print(
            f"{mention.surface!r} → {mention.entity_id} ({mention.method}{rule}, {mention.score})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
