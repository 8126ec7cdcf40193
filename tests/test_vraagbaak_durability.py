"""Durability of the Vraagbaak against a real ``kennisbank serve`` (issue 14).

- A question submitted over HTTP, and an answer published, survive ``kennisbank index
  --full`` (run while the server serves) and a SIGKILL of the server: the visitor's
  status page still answers and the published answer is still a search hit, before and
  after a restart.
- SIGKILL during a burst of submissions from several clients loses no acknowledged
  question: every 303 the server sent names a token that is a row in the database
  afterwards, and the database passes ``PRAGMA integrity_check``.
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import sqlite3
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from kennisbank.vraagbaak import Citation, Vraagbaak, VraagbaakDB, add_user
from tests.conftest import CORPUS_DIR
from tests.indexproc import index_process, serve_process

QUESTION = "Hoe pakken andere gemeenten overlast van hangjongeren in de wijk aan?"
ANSWER = "Zie de aanpak van overlast door hangjongeren in de voortgangsrapportage van 2010."
PASSWORD = "een lang genoeg wachtwoord"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Visitor:
    """A browser-like client: its own cookies, the form's CSRF token, no redirects."""

    def __init__(self, base: str) -> None:
        self.base = base
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(jar), _NoRedirect()
        )
        with self.opener.open(f"{base}/vraagbaak", timeout=30) as page:
            html = page.read().decode("utf-8")
        found = re.search(r'name="csrf_token" value="([^"]+)"', html)
        assert found, "the form carries a CSRF token"
        self.token = found.group(1)

    def submit(self, vraag: str) -> str | None:
        """POST a question; the status token of a 303, None for anything else."""
        data = urllib.parse.urlencode({"csrf_token": self.token, "vraag": vraag}).encode()
        try:
            with self.opener.open(f"{self.base}/vraagbaak", data=data, timeout=30):
                return None
        except urllib.error.HTTPError as exc:
            if exc.code != 303:
                return None
            return str(exc.headers["Location"]).rsplit("/", 1)[1]

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=30) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace")


def _rows(data: Path) -> set[str]:
    with sqlite3.connect(data / "vraagbaak.sqlite") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {row[0] for row in conn.execute("SELECT token FROM vragen")}


def _answer_is_a_hit(visitor: Visitor, vraag_id: int) -> bool:
    status, body = visitor.get("/api/search?q=" + urllib.parse.quote("overlast hangjongeren"))
    assert status == 200, body
    hits = json.loads(body)["hits"]
    return any(h.get("vraag_id") == vraag_id for h in hits)


def test_questions_and_answers_survive_a_full_reindex_and_sigkill(tmp_path: Path) -> None:
    data = tmp_path / "data"
    server, base = serve_process(data)
    try:
        visitor = Visitor(base)
        token = visitor.submit(QUESTION)
        assert token is not None
        published = visitor.submit(f"{QUESTION} En in Rotterdam?")
        assert published is not None
        vb = Vraagbaak(VraagbaakDB.in_data_dir(data))
        beheerder = add_user(vb.db, "beheerder", None, "beheerder", PASSWORD)
        with vb.db.read() as conn:
            vraag_id = conn.execute("SELECT id FROM vragen WHERE token = ?", (published,))
            vraag_id = int(vraag_id.fetchone()[0])
        vb.take(beheerder, vraag_id)
        cite = Citation("p", "voortgangsrapportage-wijkenaanpak-2010", "VR 2010")
        vb.answer(beheerder, vraag_id, ANSWER, [cite])
        vb.publish(beheerder, vraag_id)
        assert _answer_is_a_hit(visitor, vraag_id)

        live = (data / "CURRENT").read_text(encoding="utf-8").strip()
        reindex = index_process(CORPUS_DIR, data, "--full")
        assert reindex.finish() == 0, reindex.output
        assert (data / "CURRENT").read_text(encoding="utf-8").strip() != live
        status, page = visitor.get(f"/vraagbaak/vraag/{token}")
        assert status == 200 and "ontvangen" in page
        assert _answer_is_a_hit(visitor, vraag_id)  # the server's new generation, same answers
    finally:
        server.kill()  # SIGKILL: no shutdown code runs
    assert {token, published} <= _rows(data)

    server, base = serve_process(data)
    try:
        visitor = Visitor(base)
        status, page = visitor.get(f"/vraagbaak/vraag/{token}")
        assert status == 200 and QUESTION in page
        assert _answer_is_a_hit(visitor, vraag_id)
    finally:
        server.stop()


def test_sigkill_during_a_burst_loses_no_acknowledged_question(tmp_path: Path) -> None:
    data = tmp_path / "data"
    server, base = serve_process(data, env={"KENNISBANK_VRAAGBAAK_LIMIT": "100000 per minute"})
    acknowledged: list[str] = []
    failed = 0
    lock = threading.Lock()
    stop = threading.Event()
    visitors = [Visitor(base) for _ in range(6)]

    def burst(visitor: Visitor, n: int) -> None:
        nonlocal failed
        count = 0
        while not stop.is_set():
            count += 1
            try:
                token = visitor.submit(f"{QUESTION} (client {n}, vraag {count})")
            except OSError:  # cut off or refused: the server is gone
                with lock:
                    failed += 1
                return
            with lock:
                if token:
                    acknowledged.append(token)
                else:
                    failed += 1

    threads = [threading.Thread(target=burst, args=(v, n)) for n, v in enumerate(visitors)]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + 60
        while len(acknowledged) < 40 and time.monotonic() < deadline:
            time.sleep(0.05)
        server.kill()  # in the middle of the burst
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        server.stop()
    stored = _rows(data)
    print(f"\n{len(acknowledged)} acknowledged, {len(stored)} stored, {failed} failed or cut off")
    assert len(acknowledged) >= 40
    assert failed >= 1  # the kill did cut requests off
    assert set(acknowledged) <= stored
