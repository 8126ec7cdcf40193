"""One indexer at a time: an exclusive lock on ``DATA_DIR/index.lock``.

The lock is an ``fcntl.flock`` on the file (Linux/POSIX).  The holder writes its
process id, the start time of that process (from ``/proc``, to recognise a reused
pid), the host and the time it took the lock into the file as JSON, and empties
the file when it releases the lock.

* A second indexer finds the lock held and stops with :class:`IndexLocked`
  (``kennisbank index`` exits with code :data:`EXIT_LOCKED`, 3).
* A *stale* lock — the file still names a process, but that process is gone
  (killed with SIGKILL, machine crashed) — is taken over: the kernel released the
  flock with the process, so the next indexer gets it and reports the takeover.
  When the flock is still held although the process it names is gone (a child
  process inherited the descriptor), the file is replaced by a fresh one.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from kennisbank.errors import KennisbankError

#: Name of the lock file in the data directory.
LOCK_FILENAME = "index.lock"
#: Exit code of ``kennisbank index`` when another indexer holds the lock.
EXIT_LOCKED = 3
_TAKEOVERS = 3


@dataclass(frozen=True)
class LockInfo:
    """Who holds (or held) the lock."""

    pid: int
    started: str
    host: str
    proc_start: int | None = None

    def alive(self) -> bool:
        """True unless the process is certainly gone (or its pid was reused)."""
        if self.host != socket.gethostname():
            return True  # another machine: cannot tell, assume it runs
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass
        stat = _proc_stat(self.pid)
        if stat is None:
            return True
        state, start = stat
        if state in ("Z", "X"):
            return False
        return self.proc_start is None or start == self.proc_start

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form (for ``kennisbank status --json``)."""
        return asdict(self)


class IndexLocked(KennisbankError):
    """Another indexer holds the lock of the data directory (exit code 3)."""

    exit_code = EXIT_LOCKED

    def __init__(self, data_dir: Path, holder: LockInfo | None) -> None:
        self.data_dir = Path(data_dir)
        self.holder = holder
        who = f" (proces {holder.pid}, gestart {holder.started})" if holder else ""
        super().__init__(
            f"Er draait al een indexering voor {self.data_dir}{who}. "
            "Wacht tot die klaar is en probeer het daarna opnieuw."
        )


def _proc_stat(pid: int) -> tuple[str, int] | None:
    """(state, start time in clock ticks) of a process from /proc, or None."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    fields = raw[raw.rfind(")") + 2 :].split()
    try:
        return fields[0], int(fields[19])
    except (IndexError, ValueError):
        return None


def _own_info() -> LockInfo:
    stat = _proc_stat(os.getpid())
    return LockInfo(
        pid=os.getpid(),
        started=datetime.now(UTC).isoformat(timespec="seconds"),
        host=socket.gethostname(),
        proc_start=stat[1] if stat else None,
    )


def _parse(raw: bytes) -> LockInfo | None:
    try:
        data = json.loads(raw.decode("utf-8"))
        return LockInfo(
            pid=int(data["pid"]),
            started=str(data.get("started", "")),
            host=str(data.get("host", "")),
            proc_start=int(data["proc_start"]) if data.get("proc_start") is not None else None,
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _read_fd(fd: int) -> LockInfo | None:
    os.lseek(fd, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(fd, 4096):
        chunks.append(chunk)
    return _parse(b"".join(chunks))


def read_lock(data_dir: Path) -> LockInfo | None:
    """What the lock file of ``data_dir`` says (None when empty, absent or unreadable)."""
    try:
        return _parse((Path(data_dir) / LOCK_FILENAME).read_bytes())
    except OSError:
        return None


def lock_state(data_dir: Path) -> dict[str, Any]:
    """Whether an indexer holds the lock now: ``held``, ``holder`` and ``stale``.

    ``stale`` is true when the file names a process that is gone (the next
    indexer takes the lock over).
    """
    path = Path(data_dir) / LOCK_FILENAME
    holder = read_lock(data_dir)
    held = False
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        fd = -1
    if fd >= 0:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            held = True
        else:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
    stale = holder is not None and not holder.alive()
    return {
        "held": held and not stale,
        "holder": holder.to_dict() if holder else None,
        "stale": stale,
    }


class IndexLock:
    """The exclusive indexer lock of a data directory; use as a context manager.

    ``wait`` seconds are spent retrying before :class:`IndexLocked` is raised (a
    ``kennisbank status`` probes the lock for a moment).  After :meth:`acquire`,
    ``took_over`` names the stale holder whose lock was taken over, if any.
    """

    def __init__(self, data_dir: Path, *, wait: float = 0.5) -> None:
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / LOCK_FILENAME
        self.wait = wait
        self.took_over: LockInfo | None = None
        self._fd: int | None = None

    def acquire(self) -> IndexLock:
        """Take the lock; raises :class:`IndexLocked` when another indexer holds it."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + self.wait
        takeovers = 0
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _read_fd(fd)
                os.close(fd)
                if holder is not None and not holder.alive() and takeovers < _TAKEOVERS:
                    takeovers += 1
                    self._replace_stale(holder)
                    continue
                if time.monotonic() < deadline:
                    time.sleep(0.05)
                    continue
                raise IndexLocked(self.data_dir, holder) from None
            if not self._still_ours(fd):
                os.close(fd)  # the file was replaced meanwhile: lock the new one
                continue
            previous = _read_fd(fd)
            if previous is not None and previous.pid != os.getpid():
                self.took_over = previous
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, json.dumps(asdict(_own_info())).encode("utf-8"))
            os.fsync(fd)
            self._fd = fd
            return self

    def _still_ours(self, fd: int) -> bool:
        try:
            return os.stat(self.path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            return False

    def _replace_stale(self, holder: LockInfo) -> None:
        """Unlink a lock file still flocked for a process that is gone."""
        if read_lock(self.data_dir) == holder:
            self.path.unlink(missing_ok=True)
            self.took_over = holder

    def release(self) -> None:
        """Empty the file and release the lock (idempotent)."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    @property
    def held(self) -> bool:
        """True while this object holds the lock."""
        return self._fd is not None

    def __enter__(self) -> IndexLock:
        return self.acquire()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
