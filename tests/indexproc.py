"""Helpers for tests that run the real ``kennisbank`` in subprocesses (index, serve).

Every wait is bounded; :class:`Running` collects a process's output in the
background so a test can wait for a line (such as the ``KENNISBANK_TEST_PAUSED <stage>``
marker of ``tests/pausing_indexer.py``) without blocking forever.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO

from tests.conftest import CORPUS_DIR, REPO_ROOT

#: Upper bound for one indexer or server start-up in these tests (seconds).
STEP_TIMEOUT = 180.0


def copy_corpus(target: Path, source: Path = CORPUS_DIR) -> Path:
    """A writable copy of a corpus folder (the bundled files are read-only)."""
    shutil.copytree(source, target)
    for path in target.rglob("*"):
        path.chmod(path.stat().st_mode | stat.S_IWUSR)
    return target


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without ``KENNISBANK_*`` settings, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KENNISBANK_")}
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


class Running:
    """A subprocess whose stdout and stderr lines are collected by reader threads."""

    def __init__(self, args: list[str], env: dict[str, str] | None = None) -> None:
        self.args = args
        self.proc = subprocess.Popen(
            args,
            cwd=REPO_ROOT,
            env=env if env is not None else clean_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
        )
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self._changed = threading.Condition()
        assert self.proc.stdout is not None and self.proc.stderr is not None
        self._readers = [
            threading.Thread(target=self._read, args=(self.proc.stdout, self.stdout), daemon=True),
            threading.Thread(target=self._read, args=(self.proc.stderr, self.stderr), daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def _read(self, stream: IO[str], into: list[str]) -> None:
        for line in stream:
            with self._changed:
                into.append(line)
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    @property
    def output(self) -> str:
        """Everything printed so far (stdout, then stderr)."""
        with self._changed:
            return "".join(self.stdout) + "".join(self.stderr)

    def wait_for(self, needle: str, timeout: float = STEP_TIMEOUT) -> str:
        """The first output line containing ``needle``; fails when the process ends first."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for line in self.stdout + self.stderr:
                    if needle in line:
                        return line
                if self.proc.poll() is not None and not any(r.is_alive() for r in self._readers):
                    raise AssertionError(
                        f"{self.args} stopte (code {self.proc.returncode}) zonder '{needle}':\n"
                        + "".join(self.stdout + self.stderr)
                    )
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"geen '{needle}' binnen {timeout} s:\n{self.output}")
                self._changed.wait(min(left, 0.5))

    def finish(self, timeout: float = STEP_TIMEOUT) -> int:
        """Wait for the process to end; its exit code."""
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(
                f"{self.args} liep langer dan {timeout} s:\n{self.output}"
            ) from None
        for reader in self._readers:
            reader.join(timeout=10)
        return code

    def kill(self) -> None:
        """SIGKILL the process and reap it."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        for reader in self._readers:
            reader.join(timeout=10)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL when it does not end within 10 s."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        for reader in self._readers:
            reader.join(timeout=10)

    def resume(self) -> None:
        """Let an indexer held by ``tests/pausing_indexer.py`` go on (SIGUSR1)."""
        self.proc.send_signal(signal.SIGUSR1)


def kennisbank(*args: str | Path, env: dict[str, str] | None = None) -> Running:
    """Start ``python -m cli ARGS`` (the ``kennisbank`` command)."""
    return Running([sys.executable, "-m", "cli", *map(str, args)], env=env)


def index_process(
    corpus: Path, data_dir: Path, *extra: str, pause_at: str | None = None
) -> Running:
    """Start ``kennisbank index --json`` on ``corpus`` into ``data_dir``.

    With ``pause_at`` (comma-separated stages) the run is ``tests/pausing_indexer.py``
    instead, which holds the indexer at those stages (up to 300 s, until SIGUSR1).
    """
    args = ("index", "--json", "--corpus", corpus, "--data-dir", data_dir, *extra)
    if pause_at:
        script = REPO_ROOT / "tests" / "pausing_indexer.py"
        command = [sys.executable, str(script), pause_at, "--seconds", "300", "--"]
        return Running([*command, *map(str, args)], env=clean_env())
    return kennisbank(*args, env=clean_env())


def serve_process(
    data_dir: Path, corpus: Path = CORPUS_DIR, *extra: str, env: dict[str, str] | None = None
) -> tuple[Running, str]:
    """Start ``kennisbank serve`` on a free loopback port; return it with its base URL.

    Waits (bounded) until the server has built its index and answers HTTP requests.
    ``env``: extra environment variables (``KENNISBANK_*`` settings) for the server.
    """
    port = free_port()
    server = kennisbank(
        "serve", "--host", "127.0.0.1", "--port", str(port), "--data-dir", data_dir,
        "--corpus", corpus, *extra, env=clean_env(**(env or {})),
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        server.wait_for("Kennisbank draait op")
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/documenten", timeout=5):
                    break
            except urllib.error.HTTPError:
                break
            except OSError:
                if time.monotonic() > deadline or server.proc.poll() is not None:
                    raise AssertionError(f"{base} antwoordt niet:\n{server.output}") from None
                time.sleep(0.2)
    except BaseException:
        server.stop()
        raise
    return server, base
