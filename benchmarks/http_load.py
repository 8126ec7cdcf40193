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

``--repo DIR`` (repeatable) serves the app from another checkout instead (``python -m cli
serve`` with ``PYTHONPATH=DIR`` and cwd ``DIR``, over a copy of this checkout's corpus), one
server per checkout after the other, each with the same seeded mix; with ``--runs
baseline`` only the baseline runs.  So an old commit and the current tree are measured side
by side in one session::

    git worktree add /tmp/wt-old db7c692
    python -m benchmarks.http_load --repo /tmp/wt-old --repo . --runs baseline --seconds 60

``--mix public`` (the default) is the traffic of a public search service (:func:`public_request`):
many distinct queries with popular ones repeated; ``--mix load`` is the mix of
:mod:`benchmarks.load`.  The warm-up uses other seeds than the measured run.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, urlencode

from benchmarks.load import (
    CORPUS_DIR,
    HOST,
    REPO_ROOT,
    SEED,
    START_TIMEOUT,
    Server,
    Targets,
    discover,
    free_port,
    next_request,
    wait_until_answering,
)
from benchmarks.stats import percentile

#: Seconds one request may take before it counts as an error.
REQUEST_TIMEOUT = 30.0
#: Upper bound of requests per client per run.
MAX_REQUESTS = 100_000


#: Shares of the kinds of request in the public mix.
PUBLIC_MIX: tuple[tuple[str, float], ...] = (
    ("search", 0.55),
    ("document", 0.20),
    ("entity", 0.10),
    ("api", 0.15),
)
#: Share of searches that repeat a popular query (Zipf over the known queries); the rest
#: are new combinations of 1-3 words from their vocabulary (the long tail).
POPULAR_SHARE = 0.5
#: Zipf exponent of the popularity of queries, documents and entity cards.
ZIPF_S = 1.1
#: Within search pages: share with a facet click and share on page 2.
FACET_SHARE, PAGE2_SHARE = 0.25, 0.15
#: Seeds of the warm-up clients differ from those of the measured runs by this much.
WARMUP_SEED_OFFSET = 10_000

Picker = Callable[[random.Random, Targets], tuple[str, str]]


def _zipf(rng: random.Random, items: Sequence[str]) -> str:
    """An item of ``items``, the first ones much more often (rank ``r`` with weight r^-s)."""
    weights = _ZIPF_WEIGHTS.get(len(items))
    if weights is None:
        weights = [1.0 / (rank**ZIPF_S) for rank in range(1, len(items) + 1)]
        _ZIPF_WEIGHTS[len(items)] = weights
    return rng.choices(items, weights=weights)[0]


_ZIPF_WEIGHTS: dict[int, list[float]] = {}


def _vocabulary(targets: Targets) -> tuple[str, ...]:
    words = {w.strip("?.,:;()\"'").lower() for q in targets.queries for w in q.split()}
    return tuple(sorted(w for w in words if len(w) >= 4))


def _popular(items: Sequence[str]) -> tuple[str, ...]:
    """``items`` in a fixed shuffled order: the popularity ranking for :func:`_zipf`."""
    ranked = list(items)
    random.Random(SEED).shuffle(ranked)
    return tuple(ranked)


def public_request(rng: random.Random, targets: Targets) -> tuple[str, str]:
    """One request of a public search service: ``(kind, path)``.

    55 % search pages, 15 % ``/api/search``, 20 % document pages, 10 % entity cards.  Half
    the queries are popular ones (Zipf over the known queries), half a new combination of
    1-3 words from their vocabulary; a quarter of the search pages click a facet, 15 % go
    to page 2.  Documents and entity cards are drawn by popularity (Zipf) too.
    """
    draw, total, kind = rng.random(), 0.0, PUBLIC_MIX[-1][0]
    for name, share in PUBLIC_MIX:
        total += share
        if draw < total:
            kind = name
            break
    if kind == "document":
        return kind, "/document/" + quote(_zipf(rng, _popular(targets.documents)), safe="")
    if kind == "entity":
        return kind, quote(_zipf(rng, _popular(targets.entities)), safe="/")
    if rng.random() < POPULAR_SHARE:
        query = _zipf(rng, targets.queries)
    else:
        query = " ".join(rng.sample(_vocabulary(targets), rng.randint(1, 3)))
    if kind == "api":
        return kind, "/api/search?" + urlencode({"q": query, "limit": 10})
    args: list[tuple[str, str]] = [("q", query)]
    extra = rng.random()
    if extra < FACET_SHARE:
        if rng.random() < 0.5:
            args.append(("f.gemeente", rng.choice(targets.gemeenten)))
        else:
            args.append(("f.jaar", rng.choice(targets.years)))
    elif extra < FACET_SHARE + PAGE2_SHARE:
        args.append(("pagina", "2"))
    return kind, "/?" + urlencode(args)


MIXES: dict[str, Picker] = {"public": public_request, "load": next_request}


@contextmanager
def serve_checkout(repo: Path, workdir: Path, corpus: Path = CORPUS_DIR) -> Iterator[Server]:
    """``kennisbank serve`` with the code of checkout ``repo`` over a copy of ``corpus``."""
    copy = workdir / "corpus"
    shutil.copytree(corpus, copy)
    for path in copy.rglob("*"):
        path.chmod(path.stat().st_mode | stat.S_IWUSR)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KENNISBANK_")}
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONPATH"] = str(repo)
    args = [
        sys.executable, "-m", "cli", "serve", "--host", HOST, "--port", str(port),
        "--data-dir", str(workdir / "data"), "--corpus", str(copy),
    ]  # fmt: skip
    log = workdir / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            args, cwd=repo, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out
        )
    server = Server(proc, port, log)
    try:
        if not wait_until_answering(port, START_TIMEOUT, proc):
            raise RuntimeError(f"server antwoordt niet binnen {START_TIMEOUT} s:\n{server.output}")
        yield server
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=30)


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


def _client(
    port: int, targets: Targets, seed: int, deadline: float, run: Run, cache: bool, pick: Picker
) -> None:
    rng = random.Random(seed)
    tags: dict[str, str] = {}
    rows: list[tuple[str, int, float]] = []
    errors: list[str] = []
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        for _ in range(MAX_REQUESTS):
            if time.monotonic() >= deadline:
                break
            kind, path = pick(rng, targets)
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
    name: str,
    port: int,
    targets: Targets,
    clients: int,
    seconds: float,
    *,
    cache: bool,
    pick: Picker = public_request,
    seed: int = SEED,
) -> Run:
    """``clients`` threads run the mix for ``seconds`` (seeded: the same URLs every run)."""
    run = Run(name)
    started = time.monotonic()
    deadline = started + seconds
    threads = [
        threading.Thread(
            target=_client,
            args=(port, targets, seed + n, deadline, run, cache, pick),
            daemon=True,
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


def measure(repo: Path, args: argparse.Namespace) -> tuple[list[Run], int]:
    """The runs of ``args`` against a server with the code of ``repo``; and its tracebacks."""
    pick = MIXES[args.mix]
    label = "" if len(args.repo or []) < 2 else f"{repo.name}: "
    with tempfile.TemporaryDirectory(prefix="kb-http-load-") as tmp:
        with serve_checkout(repo, Path(tmp)) as srv:
            targets = discover(srv.port)
            warm_seed = SEED + WARMUP_SEED_OFFSET
            run_mix("opwarmen", srv.port, targets, args.clients, 3, cache=False, pick=pick,
                    seed=warm_seed)  # fmt: skip
            runs = [
                run_mix(f"{label}baseline", srv.port, targets, args.clients, args.seconds,
                        cache=False, pick=pick),
            ]  # fmt: skip
            if args.runs == "all":
                runs.append(
                    run_mix(f"{label}revalideren", srv.port, targets, args.clients,
                            args.seconds, cache=True, pick=pick)
                )  # fmt: skip
                idle = idle_sockets(srv.port, args.idle)
                try:
                    name = f"{label}{args.idle} open sockets"
                    runs.append(run_mix(name, srv.port, targets, args.clients, args.seconds,
                                        cache=False, pick=pick))  # fmt: skip
                finally:
                    for sock in idle:
                        sock.close()
            return runs, srv.output.count("Traceback")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the loads and print the table; exit 1 on any 5xx or connection error."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.http_load")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--idle", type=int, default=150)
    parser.add_argument(
        "--repo",
        type=Path,
        action="append",
        help="serve this checkout's code (repeatable; default: this one)",
    )
    parser.add_argument("--runs", choices=("all", "baseline"), default="all")
    parser.add_argument("--mix", choices=sorted(MIXES), default="public")
    args = parser.parse_args(argv)  # fmt: skip
    runs: list[Run] = []
    tracebacks = 0
    for repo in args.repo or [REPO_ROOT]:
        found, traced = measure(repo.resolve(), args)
        runs.extend(found)
        tracebacks += traced
    print(f"{args.clients} clients, {args.seconds:.0f} s per run, mix {args.mix}, "
          "8 waitress-threads\n")  # fmt: skip
    print("| run | soort | verzoeken | p50 ms | p95 ms | p99 ms | statuscodes |")
    print("|---|---|---|---|---|---|---|")
    for run in runs:
        print("\n".join(run.table()))
    errors = sum(len(run.errors) for run in runs)
    for run in runs:
        for error in run.errors[:5]:
            print(f"fout ({run.name}): {error}")
    server_errors = sum(1 for run in runs for _, status, _ in run.rows if status >= 500)
    print(f"\nverbindingsfouten: {errors}, 5xx: {server_errors}, tracebacks: {tracebacks}")
    return 1 if errors or server_errors or tracebacks else 0


if __name__ == "__main__":
    sys.exit(main())
