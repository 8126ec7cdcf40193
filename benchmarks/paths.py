"""Where the benchmarks find their inputs: the checkout, the bundled corpus, ``../shared``."""

from __future__ import annotations

from pathlib import Path

#: The root of the source checkout (the folder that holds ``benchmarks/``).
REPO_ROOT = Path(__file__).resolve().parent.parent
#: The corpus that ships with the repository.
BUNDLED_CORPUS = REPO_ROOT / "corpus"
#: ``laws-md/`` and ``sgd-ocr/``, next to the checkout.
DEFAULT_SHARED = REPO_ROOT.parent / "shared" / "data"
#: The judged dev queries, next to the checkout.
DEFAULT_DEV_QUERIES = REPO_ROOT.parent / "shared" / "eval" / "dev-queries.jsonl"
#: The judged questions in everyday words (question-style queries for the latency tables).
DEFAULT_DEV_QUESTIONS = REPO_ROOT.parent / "shared" / "eval" / "dev-questions.jsonl"
