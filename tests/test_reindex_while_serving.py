"""A running ``kennisbank serve`` keeps answering while another process rebuilds the index.

A real server (``python -m cli serve`` on 127.0.0.1, building the index on its
first start) is searched by a client thread in a bounded loop while ``kennisbank
index`` runs in another process, twice: a full rebuild after a document with a
unique word was added, then an incremental run after a second one (whose publish
removes the first generation the server had used).  Every response is a 200, and
each unique word switches from "not found" to "found" exactly once.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from kennisbank import generations
from tests.indexproc import STEP_TIMEOUT, copy_corpus, free_port, index_process, kennisbank

WORDS = ("Ijsvogelkadeproject", "Zwaluwstaarthofje")
#: Bounds of the client loop, and its pause between requests (leaves CPU to the indexer).
MAX_REQUESTS = 4000
MAX_SECONDS = 400.0
PAUSE = 0.05


@dataclass
class Observed:
    """What the client saw: per request the time, query, status and total."""

    rows: list[tuple[float, str, int, int]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, query: str, status: int, total: int) -> None:
        with self.lock:
            self.rows.append((time.monotonic(), query, status, total))

    def totals(self, query: str) -> list[int]:
        with self.lock:
            return [total for _, q, _, total in self.rows if q == query]

    def found(self, query: str) -> bool:
        totals = self.totals(query)
        return bool(totals) and totals[-1] > 0

    def between(self, start: float, end: float) -> int:
        with self.lock:
            return sum(1 for t, *_ in self.rows if start <= t <= end)


def _get_json(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        return exc.code, {}


def _client(base: str, seen: Observed, stop: threading.Event) -> None:
    queries = [*WORDS, "wijkaanpak", "Overvecht"]
    deadline = time.monotonic() + MAX_SECONDS
    for n in range(MAX_REQUESTS):
        if stop.is_set() or time.monotonic() > deadline:
            return
        query = queries[n % len(queries)]
        try:
            status, data = _get_json(f"{base}/api/search?q={quote(query)}")
        except Exception as exc:  # noqa: BLE001 - every failure is recorded and fails the test
            seen.errors.append(f"{query}: {type(exc).__name__}: {exc}")
            continue
        if status != 200:
            seen.errors.append(f"{query}: HTTP {status}")
        seen.add(query, status, int(data.get("total", 0) or 0))
        time.sleep(PAUSE)


def _answers(url: str) -> bool:
    """True when ``url`` gives a 200 (False while the server does not listen yet)."""
    try:
        return _get_json(url)[0] == 200
    except OSError:
        return False


def _wait_until(condition, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def _add_document(corpus: Path, name: str, word: str) -> None:
    (corpus / name).write_text(
        f"Notitie over {word}\n\nIn de wijk Kanaleneiland in Utrecht begint het {word}"
        " voor en met bewoners.\n",
        encoding="utf-8",
    )


def test_searches_never_fail_while_the_index_is_rebuilt_in_another_process(
    tmp_path: Path,
) -> None:
    corpus = copy_corpus(tmp_path / "corpus")
    data_dir = tmp_path / "data"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = kennisbank(
        "serve", "--host", "127.0.0.1", "--port", str(port), "--data-dir", data_dir,
        "--corpus", corpus,
    )  # fmt: skip
    seen = Observed()
    stop = threading.Event()
    client = threading.Thread(target=_client, args=(base, seen, stop), daemon=True)
    try:
        server.wait_for("Kennisbank draait op", timeout=STEP_TIMEOUT)
        assert "Nog geen index" in server.output
        assert _wait_until(lambda: _answers(f"{base}/api/search?q=wijk"), 30)
        first = generations.pointer_name(data_dir)

        _add_document(corpus, "ijsvogel.txt", WORDS[0])
        client.start()
        assert _wait_until(lambda: len(seen.rows) >= 8, 60), seen.errors
        started = time.monotonic()
        full = index_process(corpus, data_dir, "--full")
        assert full.finish() == 0, full.output
        during_full = seen.between(started, time.monotonic())
        assert json.loads("".join(full.stdout))["outcome"] == "volledig"
        assert _wait_until(lambda: seen.found(WORDS[0]), 30), seen.totals(WORDS[0])

        _add_document(corpus, "zwaluw.txt", WORDS[1])
        started = time.monotonic()
        incremental = index_process(corpus, data_dir)
        assert incremental.finish() == 0, incremental.output
        during_incremental = seen.between(started, time.monotonic())
        report = json.loads("".join(incremental.stdout))
        assert report["outcome"] == "incrementeel" and report["parsed"] == ["zwaluw.txt"]
        assert _wait_until(lambda: seen.found(WORDS[1]), 30), seen.totals(WORDS[1])
        count = len(seen.rows)
        assert _wait_until(lambda: len(seen.rows) >= count + 8, 60)  # still serving after
    finally:
        stop.set()
        if client.is_alive() or client.ident is not None:
            client.join(timeout=60)
        server.stop()

    assert seen.errors == []
    assert {status for _, _, status, _ in seen.rows} == {200}
    assert during_full >= 5 and during_incremental >= 5, (during_full, during_incremental)
    for word in WORDS:
        totals = seen.totals(word)
        assert totals[0] == 0 and totals[-1] >= 1, (word, totals)
        switched = [i for i in range(1, len(totals)) if (totals[i] > 0) != (totals[i - 1] > 0)]
        assert len(switched) == 1, (word, totals)  # old → new once, never back
    # The first generation was removed by the second publish, while the server ran.
    assert first is not None and not (data_dir / first).exists()
    assert "Traceback" not in server.output
