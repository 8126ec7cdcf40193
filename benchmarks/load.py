"""Load test of a running ``kennisbank serve``: concurrent keep-alive clients, a fixed mix.

``python -m benchmarks.load [--clients 32] [--seconds 60] [--warmup 5] [--port P [--pid PID]]``

Without ``--port`` the benchmark starts its own server (``python -m cli serve`` on
127.0.0.1 and a free port) over a temporary copy of the bundled corpus, waits until it
answers, and stops it afterwards.  All traffic goes to 127.0.0.1.

Every client thread holds one HTTP/1.1 keep-alive connection (:mod:`http.client`) and
draws requests from its own seeded random generator (seed + client number), so a run
is repeatable.  The mix:

* 60 % search pages ``/?q=…`` — dev-query-like words; a share with a facet click
  (``f.gemeente=`` or ``f.jaar=``) and a share on ``pagina=2``;
* 20 % document pages ``/document/<id>``;
* 10 % entity cards ``/wijk/<slug>`` and ``/gemeente/<slug>``;
* 10 % ``/api/search?q=…``.

Document ids, entity slugs and facet values are discovered from the server's own API
before the run (which also warms it up).  The server's resident memory is read once a
second from ``/proc/<pid>/status`` (``VmRSS``).  The report is a Markdown table:
throughput, p50/p95/p99 latency, status codes, connection errors and the RSS figures
(first, last, max and the growth from the first to the last 20 % of the samples).
A run with any 5xx or connection error exits with code 1.
"""

from __future__ import annotations

import argparse
import http.client
import json
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
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from benchmarks.stats import percentile

REPO_ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = REPO_ROOT / "corpus"
DEV_QUERIES = REPO_ROOT.parent / "shared" / "eval" / "dev-queries.jsonl"
HOST = "127.0.0.1"
#: Default seed of the request mix.
SEED = 20260522
#: Shares of the request kinds (cumulative order matters only for the draw).
MIX: tuple[tuple[str, float], ...] = (
    ("search", 0.60),
    ("document", 0.20),
    ("entity", 0.10),
    ("api", 0.10),
)
#: Within searches: share with a facet click, share on page 2 (the rest: plain).
FACET_SHARE, PAGE2_SHARE = 0.25, 0.15
#: Per-request timeout of a client (seconds).
REQUEST_TIMEOUT = 30.0
#: Upper bound on requests per client, next to the time bound.
MAX_REQUESTS_PER_CLIENT = 250_000
#: Bound on a server start (building the index on first start included).
START_TIMEOUT = 300.0
#: Share of RSS samples at the start and at the end compared for growth.
EDGE_SHARE = 0.2
#: Words typed into the search box when the dev queries are not available.
FALLBACK_QUERIES = (
    "wijkenaanpak",
    "bewonersbudgetten",
    "krachtwijken",
    "aandachtswijken",
    "woningcorporaties",
    "wijkactieplan",
    "vernieuwend welzijn",
    "achter de voordeur",
    "leefbaarheid",
    "veiligheid in de wijk",
    "Overvecht",
    "Kanaleneiland",
    "schooluitval",
    "werkloosheid jongeren",
    "sociale stijging",
    "Scoren door Scholing",
)
_MB = 1024 * 1024


# -- what to ask ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Targets:
    """What the request mix draws from: queries, documents, entity cards and facet values."""

    queries: tuple[str, ...]
    documents: tuple[str, ...]
    entities: tuple[str, ...]
    gemeenten: tuple[str, ...]
    years: tuple[str, ...]


def load_queries(path: Path = DEV_QUERIES) -> tuple[str, ...]:
    """Query texts of the dev queries (``path``, JSONL) plus the built-in words."""
    texts: list[str] = []
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines()[:1000]:
            try:
                text = str(json.loads(line).get("query", "")).strip()
            except (ValueError, AttributeError):
                continue
            if text:
                texts.append(text[:200])
    return tuple(dict.fromkeys([*texts, *FALLBACK_QUERIES]))


def _get_json(conn: http.client.HTTPConnection, path: str) -> Any:
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"GET {path}: HTTP {response.status}")
    return json.loads(body.decode("utf-8"))


def discover(port: int, queries: Sequence[str] | None = None) -> Targets:
    """Document ids, ``wijk``/``gemeente`` card paths and facet values from the server's API."""
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        documents = [d["id"] for d in _get_json(conn, "/api/documents")["documents"]]
        entities: list[str] = []
        for kind in ("wijk", "gemeente"):
            found = _get_json(conn, f"/api/entities?type={kind}")["entities"]
            entities.extend(f"/{e['id']}" for e in found if str(e["id"]).startswith(kind + "/"))
        facets = {
            f["name"]: [str(v["value"]) for v in f["values"]]
            for f in _get_json(conn, "/api/search?q=wijk&limit=1").get("facets", [])
        }
    finally:
        conn.close()
    if not documents or not entities:
        raise RuntimeError("de server heeft geen documenten of entiteiten: is er een index?")
    return Targets(
        queries=tuple(queries) if queries else load_queries(),
        documents=tuple(documents),
        entities=tuple(entities),
        gemeenten=tuple(facets.get("gemeente", [])) or ("gemeente/utrecht",),
        years=tuple(facets.get("jaar", [])) or ("2008",),
    )


def next_request(rng: random.Random, targets: Targets) -> tuple[str, str]:
    """One request of the mix: ``(kind, path)``."""
    draw = rng.random()
    kind = MIX[-1][0]
    total = 0.0
    for name, share in MIX:
        total += share
        if draw < total:
            kind = name
            break
    if kind == "document":
        return kind, "/document/" + quote(rng.choice(targets.documents), safe="")
    if kind == "entity":
        return kind, quote(rng.choice(targets.entities), safe="/")
    query = rng.choice(targets.queries)
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


# -- measuring ------------------------------------------------------------------------------
@dataclass
class LoadResult:
    """What a load run saw (latencies in seconds, RSS in kB)."""

    clients: int
    warmup: float = 0.0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    by_kind: dict[str, Counter[int]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)

    @property
    def requests(self) -> int:
        """Completed requests (any status)."""
        return len(self.latencies)

    @property
    def throughput(self) -> float:
        """Completed requests per second."""
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    @property
    def server_errors(self) -> int:
        """Responses with a 5xx status."""
        return sum(n for status, n in self.statuses.items() if status >= 500)

    def latency_ms(self, pct: float, kind: str | None = None) -> float:
        """The ``pct``-th percentile latency in ms (of one ``kind`` when given)."""
        values = [s for s, k in zip(self.latencies, self.kinds, strict=True) if kind in (None, k)]
        return percentile(values, pct) * 1000.0

    def rss_edges(self) -> tuple[float, float]:
        """Mean RSS (MB) of the first and of the last 20 % of the samples."""
        if not self.rss_kb:
            return float("nan"), float("nan")
        n = max(1, int(len(self.rss_kb) * EDGE_SHARE))
        first, last = self.rss_kb[:n], self.rss_kb[-n:]
        return sum(first) / len(first) / 1024, sum(last) / len(last) / 1024

    def to_dict(self) -> dict[str, Any]:
        """The figures as plain data (for a test report)."""
        first, last = self.rss_edges()
        return {
            "clients": self.clients,
            "warmup": self.warmup,
            "seconds": round(self.seconds, 2),
            "requests": self.requests,
            "throughput": round(self.throughput, 1),
            "p50_ms": round(self.latency_ms(50), 1),
            "p95_ms": round(self.latency_ms(95), 1),
            "p99_ms": round(self.latency_ms(99), 1),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "errors": len(self.errors),
            "rss_first_mb": round(self.rss_kb[0] / 1024, 1) if self.rss_kb else None,
            "rss_last_mb": round(self.rss_kb[-1] / 1024, 1) if self.rss_kb else None,
            "rss_max_mb": round(max(self.rss_kb) / 1024, 1) if self.rss_kb else None,
            "rss_first20_mb": round(first, 1),
            "rss_last20_mb": round(last, 1),
            "rss_samples": len(self.rss_kb),
        }


def read_rss_kb(pid: int) -> int | None:
    """``VmRSS`` of process ``pid`` in kB (``None`` when it is gone or unreadable)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def _sample_rss(pid: int, into: list[int], stop: threading.Event, limit: int) -> None:
    for _ in range(limit):
        value = read_rss_kb(pid)
        if value is None:
            return
        into.append(value)
        if stop.wait(1.0):
            return


def _client(
    port: int, targets: Targets, seed: int, deadline: float, result: LoadResult,
    lock: threading.Lock,
) -> None:  # fmt: skip
    rng = random.Random(seed)
    rows: list[tuple[str, int, float]] = []
    errors: list[str] = []
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        for _ in range(MAX_REQUESTS_PER_CLIENT):
            if time.monotonic() >= deadline:
                break
            kind, path = next_request(rng, targets)
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Connection": "keep-alive"})
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException) as exc:
                errors.append(f"{path}: {type(exc).__name__}: {exc}")
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
                continue
            rows.append((kind, response.status, time.perf_counter() - started))
            if response.will_close:
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    finally:
        conn.close()
    with lock:
        for kind, status, seconds in rows:
            result.kinds.append(kind)
            result.latencies.append(seconds)
            result.statuses[status] += 1
            result.by_kind.setdefault(kind, Counter())[status] += 1
        result.errors.extend(errors)


def run_load(
    port: int, *, clients: int = 32, seconds: float = 60.0, pid: int | None = None,
    seed: int = SEED, targets: Targets | None = None, warmup: float = 0.0,
) -> LoadResult:  # fmt: skip
    """Run ``clients`` keep-alive client threads against 127.0.0.1:``port`` for ``seconds``.

    With ``pid`` the RSS of that process is sampled once a second.  A ``warmup`` of
    some seconds first runs the same mix (other seeds) unmeasured, so that caches the
    server fills lazily are not counted as growth.
    """
    targets = targets or discover(port)
    warm = None
    if warmup > 0:
        warm = run_load(
            port, clients=clients, seconds=warmup, seed=seed + 1_000_000, targets=targets
        )
    result = LoadResult(clients=clients, warmup=warmup)
    if warm is not None:  # failures while warming up count too
        result.errors.extend(f"opwarmen: {error}" for error in warm.errors)
        if warm.server_errors:
            result.errors.append(f"opwarmen: {warm.server_errors} antwoorden met 5xx")
    lock = threading.Lock()
    stop = threading.Event()
    sampler = None
    if pid is not None:
        limit = int(seconds) + 10
        sampler = threading.Thread(
            target=_sample_rss, args=(pid, result.rss_kb, stop, limit), daemon=True
        )
    started = time.monotonic()
    deadline = started + seconds
    threads = [
        threading.Thread(
            target=_client, args=(port, targets, seed + n, deadline, result, lock), daemon=True
        )
        for n in range(clients)
    ]
    if sampler:
        sampler.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()) + REQUEST_TIMEOUT + 5)
    result.seconds = time.monotonic() - started
    stop.set()
    if sampler:
        sampler.join(timeout=5)
    if any(thread.is_alive() for thread in threads):
        result.errors.append("een client stopte niet binnen de tijd")
    return result


# -- a server of our own --------------------------------------------------------------------
def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def answers(port: int) -> bool:
    """True when the server on 127.0.0.1:``port`` answers a search with a 200."""
    try:
        conn = http.client.HTTPConnection(HOST, port, timeout=5)
        try:
            conn.request("GET", "/api/search?q=wijk&limit=1")
            response = conn.getresponse()
            response.read()
            return response.status == 200
        finally:
            conn.close()
    except (OSError, http.client.HTTPException):
        return False


def wait_until_answering(
    port: int, timeout: float, proc: subprocess.Popen[Any] | None = None
) -> bool:
    """Poll until the server answers (True), ``timeout`` passes or ``proc`` ends (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if answers(port):
            return True
        if proc is not None and proc.poll() is not None:
            return False
        time.sleep(0.2)
    return answers(port)


@dataclass
class Server:
    """A ``kennisbank serve`` process of our own, with its port and log file."""

    proc: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def output(self) -> str:
        """What the server printed so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextmanager
def own_server(workdir: Path, corpus: Path = CORPUS_DIR) -> Iterator[Server]:
    """Serve a copy of ``corpus`` from ``workdir`` on a free port; stopped on exit."""
    copy = workdir / "corpus"
    shutil.copytree(corpus, copy)
    for path in copy.rglob("*"):
        path.chmod(path.stat().st_mode | stat.S_IWUSR)
    with serving(workdir / "data", copy, workdir / "server.log") as server:
        yield server


@contextmanager
def serving(data_dir: Path, corpus: Path, log: Path) -> Iterator[Server]:
    """Run ``kennisbank serve`` over ``data_dir`` and ``corpus`` (the index is built first
    when there is none) on a free loopback port, output to ``log``; stopped on exit."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KENNISBANK_")}
    env["PYTHONUNBUFFERED"] = "1"
    root = str(REPO_ROOT)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    args = [
        sys.executable, "-m", "cli", "serve", "--host", HOST, "--port", str(port),
        "--data-dir", str(data_dir), "--corpus", str(corpus),
    ]  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(
            args, cwd=root, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out
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


# -- report ---------------------------------------------------------------------------------
def _mb(kb: float) -> str:
    return f"{kb / 1024:,.1f} MB"


def markdown(result: LoadResult) -> str:
    """The figures of ``result`` as Markdown tables (totals, then per request kind)."""
    codes = ", ".join(f"{code}: {n}" for code, n in sorted(result.statuses.items())) or "–"
    rows = [
        ("Clients", str(result.clients)),
        ("Duur (na opwarmen)", f"{result.seconds:.1f} s (opwarmen: {result.warmup:g} s)"),
        ("Verzoeken", f"{result.requests:,}"),
        ("Doorvoer", f"{result.throughput:,.1f} req/s"),
        ("Latentie p50 / p95 / p99", " / ".join(
            f"{result.latency_ms(p):,.1f} ms" for p in (50, 95, 99))),
        ("Statuscodes", codes),
        ("5xx", str(result.server_errors)),
        ("Verbindingsfouten", str(len(result.errors))),
    ]  # fmt: skip
    if result.rss_kb:
        first, last = result.rss_edges()
        growth = last - first
        rows += [
            ("RSS eerste / laatste / max", " / ".join(
                _mb(v) for v in (result.rss_kb[0], result.rss_kb[-1], max(result.rss_kb)))),
            ("RSS eerste 20 % → laatste 20 % (gemiddeld)",
             f"{first:,.1f} MB → {last:,.1f} MB ({growth:+,.1f} MB, "
             f"{growth / first * 100 if first else 0:+.1f} %)"),
            ("RSS-metingen", str(len(result.rss_kb))),
        ]  # fmt: skip
    else:
        rows.append(("RSS", "niet gemeten (geen pid)"))
    lines = ["| Meting | Waarde |", "|---|---|", *(f"| {k} | {v} |" for k, v in rows)]
    lines += ["", "| Soort | Verzoeken | p50 | p95 | p99 | Statuscodes |", "|---" * 6 + "|"]
    for kind, _ in MIX:
        counts = result.by_kind.get(kind, Counter())
        spread = " / ".join(f"{result.latency_ms(p, kind):,.1f} ms" for p in (50, 95, 99))
        statuses = ", ".join(f"{c}: {n}" for c, n in sorted(counts.items())) or "–"
        lines.append(f"| {kind} | {sum(counts.values()):,} | {spread.replace(' / ', ' | ')} "
                     f"| {statuses} |")  # fmt: skip
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: run the load test and print the Markdown report."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--port", type=int, default=None, help="een draaiende server op 127.0.0.1")
    parser.add_argument("--pid", type=int, default=None, help="pid van die server (voor RSS)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--warmup", type=float, default=5.0, help="seconden ongemeten vooraf")
    args = parser.parse_args(argv)
    if not (1 <= args.clients <= 1024 and 0 < args.seconds <= 3600 and 0 <= args.warmup <= 600):
        parser.error("--clients 1..1024, --seconds 0..3600, --warmup 0..600")
    if args.port is not None:
        result = run_load(
            args.port, clients=args.clients, seconds=args.seconds, pid=args.pid,
            seed=args.seed, warmup=args.warmup,
        )  # fmt: skip
        traceback = False
    else:
        with tempfile.TemporaryDirectory(prefix="kennisbank-load-") as tmp:
            with own_server(Path(tmp)) as server:
                result = run_load(
                    server.port, clients=args.clients, seconds=args.seconds,
                    pid=server.proc.pid, seed=args.seed, warmup=args.warmup,
                )  # fmt: skip
                traceback = "Traceback" in server.output
    print(markdown(result))
    if result.errors:
        print("\nVerbindingsfouten (eerste 5):", *result.errors[:5], sep="\n  ")
    if traceback:
        print("\nDe server schreef een traceback in zijn log.")
    return 1 if result.server_errors or result.errors or traceback else 0


if __name__ == "__main__":
    sys.exit(main())
