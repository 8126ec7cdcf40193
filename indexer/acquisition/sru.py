"""SRU 2.0 answers of repository.overheid.nl (KOOP): queries, pages and records.

A ``searchRetrieveResponse`` holds ``numberOfRecords``, ``records/record`` and, when more
follow, ``nextRecordPosition``.  Each record's ``recordData`` is a ``gzd`` block:
``originalData/meta`` with ``owmskern`` (identifier, title, type, creator, modified),
``owmsmantel`` (date, available, issued, hasVersion …) and ``tpmeta`` (dossiernummer,
ondernummer, vergaderjaar, publicatienaam, indiener …), plus ``enrichedData`` with the
download addresses (``url``, ``preferredUrl`` and ``itemUrl manifestation="xml|html|pdf|
metadata|…"``).  Real answers use the namespaces ``sru``/``gzd``/``dcterms``/
``overheidwetgeving``; copies with the prefixes stripped are read the same way.

Parsing never touches the network; malformed input raises :class:`SruError` with a Dutch
message.  :class:`Fetcher` is the polite HTTP client (stdlib ``urllib``) the harvester uses:
rate limit, User-Agent, retries with exponential back-off, ``http``/``https`` only.
"""

from __future__ import annotations

import http.client
import logging
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode, urlsplit

from lxml import etree

from indexer.parsers.xmltools import local_name, metadata_from_owms
from kennisbank import __version__
from kennisbank.errors import KennisbankError

__all__ = [
    "USER_AGENT",
    "Fetcher",
    "FetchError",
    "SruError",
    "SruDiagnostic",
    "SruRecord",
    "SruPage",
    "parse_sru_response",
    "parse_sru_record",
    "build_query",
    "search_url",
    "DEFAULT_COLLECTION",
]

log = logging.getLogger(__name__)

#: The User-Agent every request sends.
USER_AGENT = f"Kennisbank-Wijkenaanpak/{__version__} (+harvest)"
_MAX_BYTES = 50 * 1024 * 1024
_MAX_RETRY_AFTER = 60.0

#: The collection (``c.product-area``) of the Kamerstukken, Handelingen and Staatsblad.
DEFAULT_COLLECTION = "officielepublicaties"
_DOSSIER = re.compile(r"^[1-9]\d{3,5}(?:-[A-Za-z0-9]{1,8})?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_KST = re.compile(r"^kst-(\d+(?:-[A-Z0-9]{1,8})?)-([A-Za-z0-9]+)(?:-b\d+)?$", re.I)


class SruError(KennisbankError):
    """An SRU answer that cannot be used; ``str()`` is a Dutch sentence."""


class SruDiagnostic(SruError):
    """The server answered with SRU diagnostics: it refused the query (asking again won't help)."""


class FetchError(KennisbankError):
    """One address could not be fetched (after the retries, or a definitive HTTP error)."""

    def __init__(self, url: str, reason: str, status: int | None = None) -> None:
        self.url = url
        self.reason = reason
        self.status = status
        super().__init__(f"{url}: {reason}")


@dataclass
class SruRecord:
    """One record of an SRU answer, reduced to what a harvester needs.

    ``urls`` maps a manifestation (``xml``, ``html``, ``pdf``, ``metadata``,
    ``metadataowms``, ``odt`` …) to its download address; ``preferred`` is the
    reading page (``preferredUrl``).  ``metadata`` holds the record's metadata in the
    keys of :func:`indexer.parsers.common.metadata_from_meta` (incl. ``raw``).
    """

    identifier: str
    title: str = ""
    type: str = ""
    date: str = ""
    dossier: str = ""
    ondernummer: str = ""
    vergaderjaar: str = ""
    urls: dict[str, str] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)
    position: int | None = None
    raw: bytes = field(default=b"", repr=False)

    @property
    def source_url(self) -> str:
        """The public reading address: ``preferred``, else the first download address."""
        return self.urls.get("preferred") or next(iter(self.urls.values()), "")


@dataclass
class SruPage:
    """One page of an SRU answer."""

    records: list[SruRecord]
    next_record_position: int | None = None
    number_of_records: int | None = None
    warnings: list[str] = field(default_factory=list)


def build_query(
    dossier: str, *, since: str | None = None, collection: str = DEFAULT_COLLECTION
) -> str:
    """The CQL query for all publications of ``dossier`` (optionally dated ``since`` on).

    ``build_query("30995", since="2010-01-01")`` →
    ``c.product-area==officielepublicaties AND w.dossiernummer==30995 AND dt.date>=2010-01-01``.
    The kind of publication is not part of the query: a harvester filters on the
    identifier (``kst-…``), which also keeps the bijlagen.
    """
    dossier = (dossier or "").strip()
    if not _DOSSIER.fullmatch(dossier):
        raise SruError(
            f"'{dossier}' is geen dossiernummer (verwacht bijvoorbeeld 30995 of 32123-XVIII)."
        )
    parts = [f"c.product-area=={collection}", f"w.dossiernummer=={dossier}"]
    if since:
        try:
            valid = bool(_DATE.fullmatch(since.strip())) and bool(date.fromisoformat(since.strip()))
        except ValueError:
            valid = False
        if not valid:
            raise SruError(f"'{since}' is geen datum van de vorm JJJJ-MM-DD.")
        parts.append(f"dt.date>={since.strip()}")
    return " AND ".join(parts)


def search_url(base_url: str, query: str, start: int, maximum: int) -> str:
    """The searchRetrieve address for one page (``startRecord`` counts from 1)."""
    params = {
        "operation": "searchRetrieve",
        "version": "2.0",
        "query": query,
        "startRecord": str(start),
        "maximumRecords": str(maximum),
        "recordSchema": "gzd",
        "httpAccept": "application/xml",
    }
    separator = "&" if "?" in base_url else "?"
    return base_url + separator + urlencode(params)


# -- HTTP ----------------------------------------------------------------------------------
def _retry_after(exc: urllib.error.HTTPError) -> float | None:
    value = (exc.headers or {}).get("Retry-After", "")
    try:
        return min(float(value), _MAX_RETRY_AFTER)
    except (TypeError, ValueError):
        return None


class Fetcher:
    """GET with a rate limit, a clear User-Agent and retries with exponential back-off.

    Time-outs, connection errors, HTTP 429 and 5xx are retried ``retries`` times, waiting
    ``backoff``, ``2 × backoff``, ``4 × backoff`` … seconds (or the server's ``Retry-After``,
    at most a minute); other HTTP errors fail at once.  ``sleep``/``clock`` can be replaced
    in tests.
    """

    def __init__(
        self,
        *,
        rate: float = 1.0,
        timeout: float = 30.0,
        retries: int = 4,
        backoff: float = 1.0,
        user_agent: str = USER_AGENT,
        max_bytes: int = _MAX_BYTES,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.interval = 1.0 / rate if rate and rate > 0 else 0.0
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff = max(0.0, backoff)
        self.user_agent = user_agent
        self.max_bytes = max_bytes
        self.sleep = sleep
        self.clock = clock
        self.requests = 0
        self._last: float | None = None

    def pause(self, attempt: int, at_least: float | None = None) -> None:
        """Wait before retry number ``attempt + 1``."""
        delay = self.backoff * 2**attempt
        self.sleep(max(delay, at_least or 0.0))

    def _wait_turn(self) -> None:
        if self._last is not None and self.interval:
            remaining = self._last + self.interval - self.clock()
            if remaining > 0:
                self.sleep(remaining)
        self._last = self.clock()

    def _once(self, url: str) -> bytes:
        self._wait_turn()
        self.requests += 1
        request = urllib.request.Request(
            url,
            headers={"User-Agent": self.user_agent, "Accept": "application/xml, text/html, */*"},
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
            data = response.read(self.max_bytes + 1)
        if len(data) > self.max_bytes:
            raise FetchError(url, f"antwoord groter dan {self.max_bytes // (1024 * 1024)} MB")
        return data

    def get(self, url: str) -> bytes:
        """The body of ``url``; raises :class:`FetchError` with a Dutch reason."""
        if urlsplit(url).scheme.lower() not in ("http", "https"):
            raise FetchError(url, "alleen http- en https-adressen worden opgehaald")
        reason = ""
        for attempt in range(self.retries + 1):
            wait: float | None = None
            try:
                return self._once(url)
            except urllib.error.HTTPError as exc:
                if exc.code != 429 and exc.code < 500:
                    raise FetchError(
                        url, f"HTTP-fout {exc.code} ({exc.reason})", exc.code
                    ) from None
                reason, wait = f"HTTP-fout {exc.code}", _retry_after(exc)
            except (TimeoutError, urllib.error.URLError, ConnectionError) as exc:
                inner = getattr(exc, "reason", exc)
                timed_out = isinstance(inner, TimeoutError) or "timed out" in str(inner)
                reason = "time-out" if timed_out else f"verbindingsfout ({inner})"
            except (http.client.HTTPException, OSError) as exc:
                reason = f"onvolledig antwoord ({type(exc).__name__})"
            if attempt < self.retries:
                log.info("%s: %s; poging %d opnieuw", url, reason, attempt + 2)
                self.pause(attempt, wait)
        raise FetchError(url, f"na {self.retries + 1} pogingen niet gelukt ({reason})")


# -- parsing ---------------------------------------------------------------------------------
def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _load(data: bytes) -> etree._Element:
    if not isinstance(data, bytes | bytearray) or not data.strip():
        raise SruError("Het SRU-antwoord is leeg.")
    data = bytes(data).removeprefix(b"\xef\xbb\xbf").lstrip()
    if b"<!ENTITY" in data[:4096]:
        raise SruError("Het SRU-antwoord bevat entiteitsdefinities en wordt niet gelezen.")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise SruError(
            f"Het SRU-antwoord is geen geldige XML (regel {exc.lineno or 1}): "
            "onvolledig of beschadigd."
        ) from None
    if root is None:
        raise SruError("Het SRU-antwoord is geen geldige XML.")
    return root


def _child(el: etree._Element, name: str) -> etree._Element | None:
    return next((c for c in el if local_name(c.tag) == name), None)


def _find(el: etree._Element, name: str) -> etree._Element | None:
    return next((c for c in el.iter() if local_name(c.tag) == name), None)


def _text(el: etree._Element | None) -> str:
    return " ".join("".join(el.itertext()).split()) if el is not None else ""


def _int(el: etree._Element | None, what: str) -> int | None:
    text = _text(el)
    if not text:
        return None
    if not text.isdigit():
        raise SruError(f"Het SRU-antwoord heeft een ongeldig {what}: '{text[:40]}'.")
    return int(text)


def _urls(record: etree._Element) -> dict[str, str]:
    urls: dict[str, str] = {}
    enriched = _find(record, "enrichedData")
    for el in enriched.iter() if enriched is not None else ():
        name, value = local_name(el.tag), _text(el)
        if not value:
            continue
        if name == "itemUrl" and el.get("manifestation"):
            urls.setdefault(el.get("manifestation", "").lower(), value)
        elif name == "preferredUrl":
            urls["preferred"] = value
        elif name == "url" and value.lower().endswith(".xml"):
            urls.setdefault("xml", value)
    for el in record.iter():
        if local_name(el.tag) == "hasVersion" and el.get("resourceIdentifier"):
            urls.setdefault("preferred", el.get("resourceIdentifier", ""))
    return urls


def _identifier(value: str) -> str:
    """``https://…/sgd/kst-36450-3`` or ``/sgd/kst-36450-3`` → ``kst-36450-3``."""
    return value.strip().rstrip("/").rsplit("/", 1)[-1]


def parse_sru_record(record: etree._Element) -> SruRecord:
    """One ``record`` element → :class:`SruRecord`; raises :class:`SruError` without identifier."""
    meta = metadata_from_owms(record)
    ident = _identifier(str(meta.get("identifier", "")))
    if not ident:
        raise SruError("Een SRU-record heeft geen identifier (owmskern/identifier).")
    meta["identifier"] = ident
    dossier, ondernummer = str(meta.get("dossier", "")), str(meta.get("ondernummer", ""))
    if m := _KST.match(ident):
        dossier, ondernummer = dossier or m.group(1), ondernummer or m.group(2)
    kind = str(meta.get("doctype") or meta.get("publication") or "")
    position = _child(record, "recordPosition")
    return SruRecord(
        identifier=ident,
        title=str(meta.get("title", "")),
        type=kind,
        date=str(meta.get("date", "")),
        dossier=dossier,
        ondernummer=ondernummer,
        vergaderjaar=str(meta.get("vergaderjaar", "")),
        urls=_urls(record),
        metadata=meta,
        position=_int(position, "recordPosition"),
        raw=etree.tostring(record, encoding="utf-8"),
    )


def _diagnostics(root: etree._Element) -> list[str]:
    found = []
    for el in root.iter():
        if local_name(el.tag) == "diagnostic":
            message = _text(_child(el, "message")) or _text(_child(el, "uri"))
            details = _text(_child(el, "details"))
            found.append(f"{message} ({details})" if details else message)
    return [m for m in found if m]


def parse_sru_response(data: bytes) -> SruPage:
    """Parse an SRU ``searchRetrieveResponse`` (or a single ``record``) into a :class:`SruPage`.

    Raises :class:`SruError` for data that is not XML, not an SRU answer, an answer with
    diagnostics (a query the server refused) or a page without ``numberOfRecords``.  A
    record without identifier is left out with a warning on the page.
    """
    root = _load(data)
    tag = local_name(root.tag)
    if tag == "record":
        return SruPage(records=[parse_sru_record(root)], number_of_records=1)
    if tag != "searchRetrieveResponse":
        raise SruError(f"Dit is geen SRU-antwoord (hoofdelement <{tag}>).")
    problems = _diagnostics(root)
    if problems:
        raise SruDiagnostic("De SRU-server weigert de vraag: " + "; ".join(problems))
    total = _int(_child(root, "numberOfRecords"), "numberOfRecords")
    if total is None:
        raise SruError("Het SRU-antwoord mist numberOfRecords (onvolledige pagina).")
    records_el = _child(root, "records")
    records: list[SruRecord] = []
    warnings: list[str] = []
    for number, el in enumerate(records_el if records_el is not None else (), 1):
        if local_name(el.tag) != "record":
            continue
        try:
            records.append(parse_sru_record(el))
        except SruError as exc:
            warnings.append(f"record {number} van de pagina overgeslagen: {exc}")
    next_position = _int(_child(root, "nextRecordPosition"), "nextRecordPosition")
    return SruPage(
        records=records,
        next_record_position=next_position,
        number_of_records=total,
        warnings=warnings,
    )
