"""Harvest a Kamerstukdossier from repository.overheid.nl (SRU) into the corpus.

``harvest(HarvestOptions(dossier="30995", target=Path("corpus/harvested")))`` asks the SRU
endpoint for every publication of the dossier (CQL
``c.product-area==officielepublicaties AND w.dossiernummer==30995`` [``AND dt.date>=…``]),
pages through the answer (``startRecord``/``maximumRecords``/``nextRecordPosition``) and,
per Kamerstuk (``kst-…``, bijlagen included), downloads:

* the document: the XML manifestation, else HTML, else PDF → ``<target>/<id>.xml|html|pdf``;
* its ``metadata.xml`` → ``<target>/.metadata/<id>.metadata.xml`` (a hidden folder: the
  corpus walk ignores it);
* a sidecar ``<target>/<id>.meta.json`` with identifier, title, type, date, vergaderjaar,
  dossier, ondernummer, indiener and source URL (the metadata file wins over the SRU record).

Polite: at most ``rate`` requests per second, a ``User-Agent`` naming the project, retries
with exponential back-off on time-outs, connection errors, HTTP 429 and 5xx.  Resumable: an
identifier whose document is already on disk is not fetched again; files are written
atomically, the document last.  A malformed SRU page is asked again (``retries`` times); if it
stays malformed the harvest stops cleanly (``report.stopped``) and keeps what it has, so the
next run resumes.  A document that cannot be fetched is reported and the harvest goes on.
Only ``http``/``https`` addresses are ever fetched (stdlib ``urllib``, no extra dependency).
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from indexer.acquisition.official import sidecar_fields
from indexer.acquisition.sru import (
    USER_AGENT,
    Fetcher,
    FetchError,
    SruDiagnostic,
    SruError,
    SruPage,
    SruRecord,
    build_query,
    parse_sru_response,
    search_url,
)
from indexer.parsers.xml import parse_xml
from indexer.sources import SourceFile, detect_format, parse_source
from kennisbank.errors import KennisbankError, SkipFile

__all__ = [
    "USER_AGENT",
    "DEFAULT_BASE_URL",
    "METADATA_DIR",
    "HarvestError",
    "HarvestOptions",
    "HarvestReport",
    "harvest",
    "document_on_disk",
]

log = logging.getLogger(__name__)

#: The SRU endpoint of repository.overheid.nl.
DEFAULT_BASE_URL = "https://repository.overheid.nl/sru"
#: Hidden folder below the target holding the raw ``metadata.xml`` files.
METADATA_DIR = ".metadata"
#: Document formats, in order of preference.
DOCUMENT_FORMATS = ("xml", "html", "pdf")
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,150}$")


class HarvestError(KennisbankError):
    """The harvest cannot go on; ``str()`` is a Dutch sentence."""


@dataclass
class HarvestOptions:
    """What to harvest and how politely.  ``rate`` is requests per second (0: no pause)."""

    dossier: str
    target: Path
    since: str | None = None
    base_url: str = DEFAULT_BASE_URL
    rate: float = 1.0
    max_records: int | None = None
    page_size: int = 100
    timeout: float = 30.0
    retries: int = 4
    backoff: float = 1.0
    dry_run: bool = False
    all_types: bool = False


@dataclass
class HarvestReport:
    """What one harvest did.  ``planned`` is filled by a dry run only."""

    query: str = ""
    number_of_records: int | None = None
    records: int = 0
    downloaded: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)
    planned: list[dict[str, str]] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    filtered: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    requests: int = 0
    stopped: str | None = None

    @property
    def exit_code(self) -> int:
        """0: all went well; 2: some documents failed; 1: the harvest stopped early."""
        return 1 if self.stopped else 2 if self.failed else 0

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form for ``--json``."""
        return {**asdict(self), "exit_code": self.exit_code}


# -- SRU paging ----------------------------------------------------------------------------
def _page(fetcher: Fetcher, url: str, start: int) -> SruPage:
    """One SRU page; a malformed answer is asked again, then :class:`HarvestError`."""
    last: SruError | None = None
    for attempt in range(fetcher.retries + 1):
        try:
            return parse_sru_response(fetcher.get(url))
        except SruDiagnostic as exc:
            raise HarvestError(str(exc)) from None
        except SruError as exc:
            last = exc
            if attempt < fetcher.retries:
                log.info("SRU-pagina vanaf %d ongeldig (%s); opnieuw", start, exc)
                fetcher.pause(attempt)
    raise HarvestError(
        f"De SRU-pagina vanaf record {start} blijft ongeldig na {fetcher.retries + 1} "
        f"pogingen: {last}"
    )


def iter_pages(
    fetcher: Fetcher, base_url: str, query: str, page_size: int, limit: int | None
) -> Iterator[SruPage]:
    """The pages of an SRU answer, following ``nextRecordPosition``; at most ``limit`` records."""
    start, seen = 1, 0
    while limit is None or seen < limit:
        size = page_size if limit is None else min(page_size, limit - seen)
        page = _page(fetcher, search_url(base_url, query, start, size), start)
        if limit is not None:
            page.records = page.records[: limit - seen]
        seen += len(page.records)
        yield page
        total = page.number_of_records
        following = page.next_record_position
        if following is None and total is not None and start + len(page.records) <= total:
            following = start + len(page.records)
        if not page.records or following is None or (total is not None and following > total):
            return
        if following <= start:
            raise HarvestError(
                f"De SRU-server wijst als volgende positie {following} aan, niet na {start}."
            )
        start = following


# -- documents -----------------------------------------------------------------------------
def document_on_disk(target: Path, identifier: str) -> Path | None:
    """The harvested document file of ``identifier`` in ``target``, if there is one."""
    for fmt in DOCUMENT_FORMATS:
        path = Path(target) / f"{identifier}.{fmt}"
        if path.is_file():
            return path
    return None


def _candidates(record: SruRecord) -> list[tuple[str, str]]:
    urls = record.urls
    found = [(fmt, urls[fmt]) for fmt in DOCUMENT_FORMATS if urls.get(fmt)]
    preferred = urls.get("preferred", "")
    if preferred.lower().endswith((".html", ".htm")):
        found.append(("html", preferred))
    return list(dict.fromkeys(found))


def _check(data: bytes, fmt: str, identifier: str) -> None:
    """Raise :class:`SkipFile` unless ``data`` is a readable ``fmt`` document with text."""
    name = f"{identifier}.{fmt}"
    found = detect_format(data, name)
    if found != fmt:
        raise SkipFile(name, f"verwacht {fmt.upper()}, maar het antwoord is {found}")
    parse_source(SourceFile(Path(name), data, fmt, "", len(data)))


def write_atomic(path: Path, data: bytes) -> None:
    """Write atomically: a hidden temporary file (ignored by the corpus walk), then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _sidecar(
    record: SruRecord, metadata: dict[str, Any], download: str, query: str
) -> dict[str, Any]:
    fields = sidecar_fields(record.metadata)
    fields.update(sidecar_fields(metadata) if metadata else {})
    for key in ("dossier", "ondernummer", "vergaderjaar", "date", "title"):
        if not fields.get(key) and getattr(record, key):
            fields[key] = getattr(record, key)
    fields["identifier"] = record.identifier
    fields["source"] = record.source_url or download
    fields["download_url"] = download
    if record.urls.get("metadata"):
        fields["metadata_url"] = record.urls["metadata"]
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    fields["harvest"] = {"at": stamp, "by": USER_AGENT, "query": query}
    return fields


def _metadata(fetcher: Fetcher, record: SruRecord, report: HarvestReport) -> tuple[bytes, dict]:
    url = record.urls.get("metadata") or record.urls.get("metadataowms")
    if not url:
        return b"", {}
    try:
        data = fetcher.get(url)
        meta = parse_xml(data, name=f"{record.identifier}.metadata.xml").metadata
    except (FetchError, SkipFile) as exc:
        report.warnings.append(f"{record.identifier}: metadata niet gebruikt ({exc})")
        return b"", {}
    stated = str(meta.get("identifier") or record.identifier)
    if stated != record.identifier:
        report.warnings.append(
            f"{record.identifier}: metadata.xml beschrijft {stated}; niet gebruikt"
        )
        return b"", {}
    return data, meta


def fetch_document(
    fetcher: Fetcher, record: SruRecord, target: Path, query: str, report: HarvestReport
) -> Path:
    """Download one record's document, metadata and sidecar; returns the document path."""
    problems: list[str] = []
    for fmt, url in _candidates(record):
        try:
            data = fetcher.get(url)
            _check(data, fmt, record.identifier)
        except FetchError as exc:
            problems.append(f"{fmt.upper()}: {exc.reason}")
            continue
        except SkipFile as exc:
            problems.append(f"{fmt.upper()}: {exc.reason}")
            continue
        raw_meta, meta = _metadata(fetcher, record, report)
        if raw_meta:
            write_atomic(target / METADATA_DIR / f"{record.identifier}.metadata.xml", raw_meta)
        sidecar = _sidecar(record, meta, url, query)
        text = json.dumps(sidecar, ensure_ascii=False, indent=2) + "\n"
        write_atomic(target / f"{record.identifier}.meta.json", text.encode("utf-8"))
        path = target / f"{record.identifier}.{fmt}"
        write_atomic(path, data)
        return path
    if not problems:
        raise HarvestError("het SRU-record noemt geen XML-, HTML- of PDF-adres")
    raise HarvestError("; ".join(problems))


# -- the run -------------------------------------------------------------------------------
def _wanted(record: SruRecord, options: HarvestOptions) -> bool:
    return options.all_types or record.identifier.lower().startswith("kst-")


def harvest(
    options: HarvestOptions,
    *,
    fetcher: Fetcher | None = None,
    progress: Callable[[int | None], Any] | None = None,
) -> HarvestReport:
    """Harvest ``options.dossier`` into ``options.target``; never raises for network trouble.

    ``progress(total)`` may return a tqdm-like bar (``update``/``close``); it is created
    once the first page tells how many records there are.  Invalid options raise
    :class:`HarvestError` before any request.
    """
    report = HarvestReport()
    try:
        report.query = build_query(options.dossier, since=options.since)
    except SruError as exc:
        raise HarvestError(str(exc)) from None
    if urlsplit(options.base_url).scheme.lower() not in ("http", "https"):
        raise HarvestError(f"'{options.base_url}' is geen http- of https-adres.")
    if options.max_records is not None and options.max_records < 1:
        raise HarvestError("--max-records moet minstens 1 zijn.")
    fetcher = fetcher or Fetcher(
        rate=options.rate, timeout=options.timeout, retries=options.retries, backoff=options.backoff
    )
    target = Path(options.target)
    seen: set[str] = set()
    bar = None
    try:
        size = max(1, options.page_size)
        pages = iter_pages(fetcher, options.base_url, report.query, size, options.max_records)
        for page in pages:
            report.number_of_records = page.number_of_records
            report.warnings.extend(page.warnings)
            if bar is None and progress is not None:
                total = page.number_of_records
                if options.max_records is not None and total is not None:
                    total = min(total, options.max_records)
                bar = progress(total)
            for record in page.records:
                report.records += 1
                _handle(record, options, target, seen, fetcher, report)
                if bar is not None:
                    bar.update(1)
    except HarvestError as exc:
        report.stopped = str(exc)
    finally:
        if bar is not None:
            bar.close()
        report.requests = fetcher.requests
    return report


def _handle(
    record: SruRecord,
    options: HarvestOptions,
    target: Path,
    seen: set[str],
    fetcher: Fetcher,
    report: HarvestReport,
) -> None:
    ident = record.identifier
    if ident in seen:
        report.duplicates.append(ident)
        return
    seen.add(ident)
    if not _wanted(record, options):
        report.filtered.append(ident)
        return
    if not _SAFE_ID.fullmatch(ident):
        report.failed.append({"identifier": ident[:160], "reason": "ongeldige identifier"})
        return
    if document_on_disk(target, ident):
        report.present.append(ident)
        return
    if options.dry_run:
        first = next(iter(_candidates(record)), ("", ""))
        report.planned.append(
            {"identifier": ident, "title": record.title, "format": first[0], "url": first[1]}
        )
        return
    try:
        fetch_document(fetcher, record, target, report.query, report)
    except HarvestError as exc:
        reason = exc.reason if isinstance(exc, FetchError) else str(exc)
        report.failed.append({"identifier": ident, "reason": reason})
        return
    except OSError as exc:
        raise HarvestError(f"Schrijven in {target} mislukt: {exc.strerror or exc}") from None
    report.downloaded.append(ident)
