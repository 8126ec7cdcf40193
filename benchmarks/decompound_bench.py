"""Split Dutch words, or time the decompounder over the corpus vocabulary.

Usage::

    python -m benchmarks.decompound_bench WORD ...               # show how words split
    python -m benchmarks.decompound_bench --bench [--corpus DIR]   # time splitting

The splitting itself is :class:`kennisbank.search.decompound.Decompounder`; this is a
benchmark that prints figures, not a test.
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

from kennisbank.search.decompound import Decompounder, default_decompounder

#: The bundled corpus, whose words ``--bench`` splits by default.
CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def _bench(words: list[str]) -> None:
    dec = Decompounder()
    start = time.perf_counter()
    for word in words:
        dec.split(word)
    cold = time.perf_counter() - start
    start = time.perf_counter()
    rounds = 5
    for _ in range(rounds):
        for word in words:
            dec.split(word)
    warm = (time.perf_counter() - start) / rounds
    compounds = sum(1 for word in words if dec.analyse(word).is_compound)
    print(f"{len(words)} distinct words, {compounds} split")
    print(f"first call: {cold / len(words) * 1000:.4f} ms/word")
    print(f"cached:     {warm / len(words) * 1000:.5f} ms/word")


def main(argv: list[str] | None = None) -> None:
    """Command line: split the given words, or ``--bench`` over the corpus vocabulary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("words", nargs="*", help="words to split")
    parser.add_argument("--bench", action="store_true", help="time splitting the corpus words")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args(argv)
    if args.bench:
        text = " ".join(p.read_text(encoding="utf-8") for p in sorted(args.corpus.glob("*.txt")))
        words = sorted({w.lower() for w in re.findall(r"[^\W\d_]+", text)})
        if not words:
            parser.error(f"geen woorden gevonden in {args.corpus}")
        _bench(words)
    dec = default_decompounder()
    for word in args.words:
        result = dec.analyse(word)
        shown = " + ".join(
            p + (f"({link})" if link else "")
            for p, link in zip(result.parts, result.links, strict=True)
        )
        print(f"{word}: {shown}  [{result.score:.2f}, eigen {dec.zipf(word):.2f}]")


if __name__ == "__main__":
    main()
