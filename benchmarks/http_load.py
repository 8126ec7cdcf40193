"""HTTP under load (issue 16): one real server, three runs of the same mixed load.

``python -m benchmarks.http_load [--clients 32] [--seconds 20]``

Starts its own ``kennisbank serve`` (:func:`benchmarks.load.own_server`, 127.0.0.1 only)
and runs, one after the other, the mix of :mod:`benchmarks.load` (searches, facet clicks,
document pages, entity cards, ``/api/search``) with ``--clients`` keep-alive clients:

1. **baseline**: clients without a cache (no ``If-None-Match``), as before issue 16;
2. **revalidating**: each client keeps the ``ETag`` of every URL it fetched and sends it
   back (``If-None-Match``), as a browser or a shared cache does: unchanged answers are 304;
3. **idle sockets**: the baseline again while ``--idle`` (150) connections are open that
   sent half a request and nothing more (before issue 16 these exhausted waitress' 100).

Prints throughput, p50/p95/p99 per kind of request, status codes and errors for each run.
A benchmark, not a timed test: the loops are bounded in time and count and stop by
themselves.
"""

from __future__ import annotations

import argparse
import http.client
import random
import socket
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from benchmarks.load import HOST, SEED, Targets, discover, next_request, own_server
from benchmarks.stats import percentile

#: Seconds one request may take before it counts as an error.
REQUEST_TIMEOUT = 30.0
#: Upper bound of requests per client per run.
MAX_REQUESTS = 100_000


class Run:
    """What one run saw: (kind, status, seconds) per request, and the errors."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.rows: list[tuple[str, int, float]] = []
        self.errors: list[str] = []
        self.seconds = 0.0
        self.lock = threading.Lock()

    def table(self) -> list[str]:
        """Markdown rows: one per kind of request and one for all."""
        kinds = sorted({kind for kind, _, _ in self.rows})
        lines = []
        for kind in [*kinds, None]:
            rows = [r for r in self.rows if kind in (None, r[0])]
            times = [seconds for _, _, seconds in rows]
            statuses = Counter(status for _, status, _ in rows)
            p50, p95, p99 = (percentile(times, p) * 1000 for p in (50, 95, 99))
            codes = ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items()))
            label = kind or f"**alles** ({len(rows) / self.seconds:.1f} req/s)"
            lines.append(
                f"| {self.name} | {label} | {len(rows):,} | {p50:,.1f} | {p95:,.1f} | "
                f"{p99:,.1f} | {codes} |"
            )
        return lines


def _client(port: int, targets: Targets, seed: int, deadline: float, run: Run, cache: bool) -> None:
    rng = random.Random(seed)
    tags: dict[str, str] = {}
    rows: list[tuple[str, int, float]] = []
    errors: list[str] = []
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        for _ in range(MAX_REQUESTS):
            if time.monotonic() >= deadline:
                break
            kind, path = next_request(rng, targets)
            headers = {"Connection": "keep-alive"}
            if cache and path in tags:
                headers["If-None-Match"] = tags[path]
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException) as exc:
                errors.append(f"{path}: {type(exc).__name__}: {exc}")
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
                continue
            rows.append((kind, response.status, time.perf_counter() - started))
            if cache and response.getheader("ETag"):
                tags[path] = response.getheader("ETag") or ""
            if response.will_close:
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    finally:
        conn.close()
    with run.lock:
        run.rows.extend(rows)
        run.errors.extend(errors)


def run_mix(
    name: str, port: int, targets: Targets, clients: int, seconds: float, *, cache: bool
) -> Run:
    """``clients`` threads run the mix for ``seconds`` (seeded: the same URLs every run)."""
    run = Run(name)
    started = time.monotonic()
    deadline = started + seconds
    threads = [
        threading.Thread(
            target=_client, args=(port, targets, SEED + n, deadline, run, cache), daemon=True
        )
        for n in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + REQUEST_TIMEOUT + 5)
    run.seconds = time.monotonic() - started
    return run


def idle_sockets(port: int, count: int) -> list[socket.socket]:
    """``count`` connections that send half a request line and then nothing."""
    opened = []
    for _ in range(count):
        sock = socket.create_connection((HOST, port), timeout=5)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        opened.append(sock)
    return opened


def main(argv: Sequence[str] | None = None) -> int:
    """Run the three loads and print the table; exit 1 on any 5xx or connection error."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.http_load")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--idle", type=int, default=150)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kb-http-load-") as tmp, own_server(Path(tmp)) as srv:
        targets = discover(srv.port)
        run_mix("opwarmen", srv.port, targets, args.clients, 3, cache=False)
        runs = [
            run_mix("baseline", srv.port, targets, args.clients, args.seconds, cache=False),
            run_mix("revalideren", srv.port, targets, args.clients, args.seconds, cache=True),
        ]
        idle = idle_sockets(srv.port, args.idle)
        try:
            name = f"{args.idle} open sockets"
            runs.append(run_mix(name, srv.port, targets, args.clients, args.seconds, cache=False))
        finally:
            for sock in idle:
                sock.close()
        tracebacks = srv.output.count("Traceback")
    print(f"{args.clients} clients, {args.seconds:.0f} s per run, 8 waitress-threads\n")
    print("| run | soort | verzoeken | p50 ms | p95 ms | p99 ms | statuscodes |")
    print("|---|---|---|---|---|---|---|")
    for run in runs:
        print("\n".join(run.table()))
    errors = sum(len(run.errors) for run in runs)
    server_errors = sum(1 for run in runs for _, status, _ in run.rows if status >= 500)
    print(f"\nverbindingsfouten: {errors}, 5xx: {server_errors}, tracebacks: {tracebacks}")
    return 1 if errors or server_errors or tracebacks else 0


if __name__ == "__main__":
    sys.exit(main())
