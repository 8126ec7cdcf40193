"""A real ``kennisbank serve`` under concurrent load stays correct and its memory stays flat.

The load benchmark (:mod:`benchmarks.load`) runs bounded for CI: 16 keep-alive client
threads for 8 seconds (after a 2-second warm-up) against a real server process on
127.0.0.1 over a copy of the bundled corpus, with the benchmark's fixed-seed mix of
search pages (facet clicks, page 2), document pages, entity cards and ``/api/search``.
Every response is a 200 (a search for a Kamerstuk reference may redirect: 302), there
are no connection errors, and the server's RSS at the end is not much above the start.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from benchmarks.load import LoadResult, markdown, run_load, wait_until_answering
from tests.indexproc import STEP_TIMEOUT, copy_corpus, free_port, kennisbank

CLIENTS = 16
SECONDS = 8.0
WARMUP = 2.0
#: At least this many completed requests in the measured seconds.
MIN_REQUESTS = 200
#: RSS of the last 20 % of the samples may be this much above the first 20 %.
RSS_GROWTH, RSS_SLACK_MB = 0.25, 30.0


def test_concurrent_clients_get_only_200s_and_the_server_memory_stays_flat(
    tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    corpus = copy_corpus(tmp_path / "corpus")
    port = free_port()
    server = kennisbank(
        "serve", "--host", "127.0.0.1", "--port", str(port), "--data-dir", tmp_path / "data",
        "--corpus", corpus,
    )  # fmt: skip
    try:
        server.wait_for("Kennisbank draait op", timeout=STEP_TIMEOUT)
        assert wait_until_answering(port, 30, server.proc), server.output
        result: LoadResult = run_load(
            port, clients=CLIENTS, seconds=SECONDS, pid=server.proc.pid, warmup=WARMUP
        )
    finally:
        server.stop()

    print("\n" + markdown(result))
    for name, value in result.to_dict().items():
        record_property(f"load_{name}", value)

    assert result.errors == [], result.errors[:5]
    assert result.server_errors == 0, result.statuses
    for kind, statuses in result.by_kind.items():
        allowed = {200, 302} if kind == "search" else {200}
        assert set(statuses) <= allowed, (kind, statuses)
    assert result.requests >= MIN_REQUESTS, result.to_dict()
    assert set(result.by_kind) == {"search", "document", "entity", "api"}
    assert len(result.rss_kb) >= 5, result.rss_kb
    first, last = result.rss_edges()
    assert last <= first * (1 + RSS_GROWTH) + RSS_SLACK_MB, (first, last, result.rss_kb)
    assert "Traceback" not in server.output
