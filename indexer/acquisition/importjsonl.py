"""Import historical OCR texts (Staten-Generaal Digitaal, JSON Lines) into the corpus.

Each line of a shard is one record ``{"URL": …, "Content": <OCR text>, "Source": …}``.
A record becomes ``<target>/<name>.txt`` (the text as it is) plus a sidecar
``<name>.meta.json`` with a title (the first meaningful line), the type (``handelingen`` or
``kamerstuk``, from the URL, else from the text), the year and vergaderjaar (from the URL,
else from the text: ``Zitting 1982-1983``, ``21 juni 1983``), ``source`` = the URL and
``ocr: true``.  ``<name>`` comes from the URL: ``…/0000142774/ocr`` → ``sgd-0000142774``.

Resumable: a record whose text file exists is not written again.  A bad line (no JSON, no
URL, empty text) is reported in Dutch and the import goes on.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from indexer.acquisition.harvest import write_atomic
from kennisbank.errors import KennisbankError

__all__ = ["ImportReport", "import_jsonl", "record_name", "record_metadata"]

_MONTHS = (
    "januari|februari|maart|april|mei|juni|juli|augustus|september|october|oktober|"
    "november|december"
)
_MONTH_NR = {m: i for i, m in enumerate(_MONTHS.replace("october|", "").split("|"), 1)}
_MONTH_NR["october"] = 10
_DATE = re.compile(rf"\b(\d{{1,2}})\s+({_MONTHS})\s+(1[89]\d\d|20\d\d)\b", re.I)
_ZITTING = re.compile(r"(?i)\b(?:zitting|vergaderjaar)\s+(1[89]\d\d|20\d\d)\s*[-–—/]\s*(\d{2,4})\b")
_URL_YEARS = re.compile(r"^(1[89]\d\d|20\d\d)(1[89]\d\d|20\d\d)?$")
_ANY_YEAR = re.compile(r"\b(18[1-9]\d|19\d\d)\b")
_SKIP_TITLE = re.compile(
    r"^(?:(?:tweede|eerste)\s+kamer\b|zitting\b|staten-generaal\b|bijlagen?\b)", re.I
)
_TAIL_SEGMENTS = {"ocr", "pdf", "html", "xml", "txt", "text", "metadata", "1"}
_HANDELINGEN_URL = re.compile(r"(?:^|/)(?:h|ah)-|handelingen", re.I)
_KAMERSTUK_URL = re.compile(r"(?:^|/)(?:kst|blg)-|kamerstuk", re.I)
_PAPER = re.compile(
    r"\b(?:VERSLAG|MEMORIE|ONTWERP VAN WET|BRIEF|MOTIE|AMENDEMENT|NOTA|KONINKLIJKE BOODSCHAP)\b"
)
_MEETING = re.compile(
    r"\bVERGADERING\b|(?i:\d+(?:ste|de|e)\s+vergadering\b)"
    r"|(?i:vergadering\s+van\s+(?:maan|dins|woens|donder|vrij|zater)dag)"
)


@dataclass
class ImportReport:
    """What one import did; ``bad`` holds Dutch messages ``bestand, regel N: reden``."""

    lines: int = 0
    written: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)
    bad: list[str] = field(default_factory=list)
    limited: bool = False

    @property
    def exit_code(self) -> int:
        """0 when every line was usable, 2 when some were reported."""
        return 2 if self.bad else 0

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form for ``--json``."""
        return {**asdict(self), "exit_code": self.exit_code}


def record_name(url: str) -> str:
    """A file name (without extension) for the record at ``url``.

    ``https://zoek.officielebekendmakingen.nl/0000142774/ocr`` → ``sgd-0000142774``;
    ``…/kst-30995-78.html`` → ``kst-30995-78``; otherwise a hash of the URL.
    """
    segments = [s for s in urlsplit(url.strip()).path.split("/") if s]
    while segments and segments[-1].lower() in _TAIL_SEGMENTS:
        segments.pop()
    last = segments[-1] if segments else ""
    last = re.sub(r"\.(html?|xml|pdf|txt)$", "", last, flags=re.I)
    last = re.sub(r"[^A-Za-z0-9_-]+", "-", last).strip("-")[:120]
    if last.isdigit():
        return f"sgd-{last}"
    if last and not _URL_YEARS.match(last):
        return last
    return "sgd-" + hashlib.sha1(url.encode("utf-8")).hexdigest()[:12]


def _title(content: str) -> str:
    for line in content.splitlines()[:40]:
        line = " ".join(line.split())
        words = re.findall(r"[A-Za-zÀ-ÿ]{3,}", line)
        if len(line) < 12 or len(words) < 2 or _SKIP_TITLE.match(line):
            continue
        return line[:200].rstrip(" ,;:")
    return ""


def _doctype(url: str, head: str) -> str:
    path = urlsplit(url).path
    if _HANDELINGEN_URL.search(path):
        return "handelingen"
    if _KAMERSTUK_URL.search(path):
        return "kamerstuk"
    if _MEETING.search(head[:300]):
        return "handelingen"
    if _PAPER.search(head[:500]):
        return "kamerstuk"
    return "handelingen" if _MEETING.search(head) else "kamerstuk"


def _vergaderjaar(first: str, second: str) -> str | None:
    y1 = int(first)
    y2 = int(second) if len(second) == 4 else y1 // 100 * 100 + int(second[-2:])
    return f"{y1}-{y2}" if y2 == y1 + 1 else None


def record_metadata(url: str, content: str, source: str = "") -> dict[str, Any]:
    """The sidecar of one record: title, type, year, date, vergaderjaar, source (the URL)."""
    head = content[:3000]
    meta: dict[str, Any] = {"title": _title(content), "type": _doctype(url, head[:800])}
    for segment in urlsplit(url).path.split("/"):
        if m := _URL_YEARS.match(segment):
            if m.group(2) and (vj := _vergaderjaar(m.group(1), m.group(2))):
                meta["vergaderjaar"] = vj
            meta.setdefault("year", int(m.group(1)))
    if "vergaderjaar" not in meta:
        for m in _ZITTING.finditer(head):
            if vj := _vergaderjaar(m.group(1), m.group(2)):
                meta["vergaderjaar"] = vj
                break
    if m := _DATE.search(head):
        day, month, year = int(m.group(1)), _MONTH_NR[m.group(2).lower()], int(m.group(3))
        if 1 <= day <= 31:
            meta["date"] = f"{year:04d}-{month:02d}-{day:02d}"
            meta.setdefault("year", year)
    if "year" not in meta and meta.get("vergaderjaar"):
        meta["year"] = int(str(meta["vergaderjaar"])[:4])
    if "year" not in meta and (m := _ANY_YEAR.search(head[:300])):
        meta["year"] = int(m.group(1))
    name = record_name(url)
    meta["title"] = meta["title"] or f"Staten-Generaal Digitaal {name.removeprefix('sgd-')}"
    meta["source"] = url
    if source:
        meta["bron"] = source
    meta["ocr"] = True
    return meta


def _count_lines(path: Path) -> int:
    count = 0
    try:
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                count += chunk.count(b"\n")
    except OSError:
        return 0
    return count


def _records(path: Path, report: ImportReport) -> Iterator[tuple[int, dict[str, Any] | None]]:
    """``(line number, record)`` per line; ``None`` (after reporting why) for a bad line."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        report.bad.append(f"{path.name}: bestand kan niet gelezen worden ({exc.strerror or exc})")
        return
    with handle:
        for number, raw in enumerate(handle, 1):
            where = f"{path.name}, regel {number}"
            if not raw.strip():
                yield number, None
                continue
            try:
                value = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError:
                report.bad.append(f"{where}: geen geldige UTF-8")
                yield number, None
                continue
            except json.JSONDecodeError as exc:
                report.bad.append(f"{where}: geen geldige JSON (fout bij kolom {exc.colno})")
                yield number, None
                continue
            problem = _problem(value)
            if problem:
                report.bad.append(f"{where}: {problem}")
                yield number, None
                continue
            yield number, value


def _problem(value: Any) -> str:
    if not isinstance(value, dict):
        return "geen JSON-object"
    url, content = value.get("URL"), value.get("Content")
    if not isinstance(url, str) or not url.strip():
        return "het veld URL ontbreekt of is leeg"
    if urlsplit(url.strip()).scheme not in ("http", "https"):
        return f"het veld URL is geen webadres ({url[:60]})"
    if not isinstance(content, str) or not content.strip():
        return "het veld Content ontbreekt of is leeg"
    return ""


def import_jsonl(
    files: Iterable[Path],
    target: Path,
    *,
    limit: int | None = None,
    progress: Callable[[int], Any] | None = None,
) -> ImportReport:
    """Write one text file + sidecar per record of ``files`` into ``target``.

    ``limit`` caps the number of new files; ``progress(total_lines)`` may return a
    tqdm-like bar.  Raises :class:`KennisbankError` only when ``target`` cannot be written.
    """
    files = [Path(f) for f in files]
    report = ImportReport()
    bar = progress(sum(_count_lines(f) for f in files)) if progress else None
    seen: set[str] = set()
    try:
        for path in files:
            for _number, record in _records(path, report):
                report.lines += 1
                if bar is not None:
                    bar.update(1)
                if record is None:
                    continue
                if limit is not None and len(report.written) >= limit:
                    report.limited = True
                    return report
                _store(record, Path(target), seen, report)
    finally:
        if bar is not None:
            bar.close()
    return report


def _store(record: dict[str, Any], target: Path, seen: set[str], report: ImportReport) -> None:
    url = record["URL"].strip()
    name = record_name(url)
    text_path = target / f"{name}.txt"
    if name in seen or text_path.exists():
        report.present.append(name)
        return
    seen.add(name)
    source = record.get("Source") if isinstance(record.get("Source"), str) else ""
    meta = record_metadata(url, record["Content"], source)
    sidecar = json.dumps(meta, ensure_ascii=False, indent=2) + "\n"
    try:
        write_atomic(target / f"{name}.meta.json", sidecar.encode("utf-8"))
        write_atomic(text_path, record["Content"].rstrip("\n").encode("utf-8") + b"\n")
    except OSError as exc:
        raise KennisbankError(f"Schrijven in {target} mislukt: {exc.strerror or exc}") from None
    report.written.append(name)
