"""Test-only: ``kennisbank index`` that stops at chosen stages, so a test can kill it there.

``python tests/pausing_indexer.py STAGES -- index [--json] [--full] --corpus C --data-dir D``

``STAGES`` is a comma-separated list of :data:`indexer.pipeline.STAGE_POINTS`.  At each of
them the run prints ``KENNISBANK_TEST_PAUSED <stage> <folder>`` to stderr and waits until it
receives SIGUSR1 or ``--seconds`` (default 300) have passed.  Otherwise it behaves like
``kennisbank index``: the report (``--json``: as JSON) on stdout, exit code 0 or 2, 3 when
another indexer holds the lock and 1 with the Dutch message of any other error.  The product
itself has no pause code: this script passes the pause as the ``on_stage`` callback of
:func:`indexer.pipeline.run_index`.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as a script: the checkout is the import root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from indexer.pipeline import STAGE_POINTS, StageCallback, run_index  # noqa: E402
from kennisbank.config import load_settings  # noqa: E402
from kennisbank.errors import KennisbankError  # noqa: E402
from kennisbank.lock import IndexLocked  # noqa: E402

#: What the paused indexer prints (then the stage and the folder) before it waits.
MARKER = "KENNISBANK_TEST_PAUSED"


def pause_at(stages: set[str], seconds: float) -> StageCallback:
    """An ``on_stage`` callback that holds the run at each of ``stages`` (see the docstring)."""

    def on_stage(stage: str, where: Path | None) -> None:
        if stage not in stages:
            return
        resumed = threading.Event()
        in_main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGUSR1, lambda *_: resumed.set()) if in_main else None
        try:
            print(f"{MARKER} {stage} {where or ''}", file=sys.stderr, flush=True)
            deadline = time.monotonic() + seconds
            while not resumed.is_set() and time.monotonic() < deadline:
                time.sleep(0.02)
        finally:
            if in_main:
                signal.signal(signal.SIGUSR1, previous)

    return on_stage


def _arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="pausing_indexer.py")
    parser.add_argument("stages", help="komma-gescheiden: " + ",".join(STAGE_POINTS))
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument("command", choices=["index"])
    parser.add_argument("--corpus")
    parser.add_argument("--data-dir")
    parser.add_argument("--json", dest="as_json", action="store_true")
    parser.add_argument("--full", action="store_true")
    args = list(argv)
    if "--" in args:
        args.remove("--")
    return parser.parse_args(args)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the index with the pause hook; returns the exit code ``kennisbank index`` gives."""
    args = _arguments(sys.argv[1:] if argv is None else argv)
    stages = {s.strip() for s in args.stages.split(",") if s.strip()}
    unknown = stages - set(STAGE_POINTS)
    if unknown:
        print(f"onbekende fase(n): {sorted(unknown)}", file=sys.stderr)
        return 64
    try:
        settings = load_settings(corpus_dir=args.corpus, data_dir=args.data_dir)
        report = run_index(settings, full=args.full, on_stage=pause_at(stages, args.seconds))
    except IndexLocked as exc:
        print(str(exc), file=sys.stderr)
        return exc.exit_code
    except KennisbankError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    if args.as_json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print("\n".join(report.summary_lines()))
    return report.exit_code


if __name__ == "__main__":
    sys.exit(main())
