"""The routing table as data: which kenniscentrum covers which thema, with sources.

The table lives in ``kennisbank/data/vraagbaak_routing.json`` (see ``SOURCES.md``,
"Vraagbaak: routeringstabel"); this module only reads it.  Each centre has thema's
(registry ids such as ``thema/veiligheid``) and words of its own (``sport``,
``welzijn``), each with a weight: 1.0 when the corpus names the centre's work on it,
0.7 when it shares it, 0.4 when it is not confirmed by the kennisbank's sources.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from kennisbank.errors import InvalidInput

#: The routing table shipped with the package.
ROUTING_FILE = Path(__file__).resolve().parent.parent / "data" / "vraagbaak_routing.json"


@dataclass(frozen=True)
class Weighted:
    """A thema id or a word a centre covers, with its routing weight and status."""

    value: str
    weight: float
    status: str


@dataclass(frozen=True)
class CentreInfo:
    """One kenniscentrum of the routing table."""

    code: str
    naam: str
    beschrijving: str
    themas: tuple[Weighted, ...]
    woorden: tuple[Weighted, ...]
    bron: str

    def thema_weight(self, thema_id: str) -> float:
        """The centre's weight for a thema (0 when it does not cover it)."""
        return max((t.weight for t in self.themas if t.value == thema_id), default=0.0)


@dataclass(frozen=True)
class RoutingTable:
    """The whole table: centres in file order and extra words per thema."""

    centres: tuple[CentreInfo, ...]
    thema_words: dict[str, tuple[str, ...]]

    def get(self, code: str) -> CentreInfo | None:
        """The centre with this code (case-sensitive), or None."""
        return next((c for c in self.centres if c.code == code), None)


def _centre(item: dict[str, Any]) -> CentreInfo:
    bron = {key: item[key] for key in ("naam_bron", "lid_bron", "themas", "woorden")}
    return CentreInfo(
        code=item["code"],
        naam=item["naam"],
        beschrijving=item["beschrijving"],
        themas=tuple(
            Weighted(t["thema"], float(t["gewicht"]), t["status"]) for t in item["themas"]
        ),
        woorden=tuple(
            Weighted(w["woord"], float(w["gewicht"]), w["status"]) for w in item["woorden"]
        ),
        bron=json.dumps(bron, ensure_ascii=False),
    )


def parse_table(payload: dict[str, Any]) -> RoutingTable:
    """Build a :class:`RoutingTable` from the JSON structure of the data file."""
    try:
        centres = tuple(_centre(item) for item in payload["centra"])
        words = {
            thema: tuple(entry["woord"] for entry in entries)
            for thema, entries in payload.get("thema_woorden", {}).items()
        }
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput(f"De routeringstabel is onvolledig: {exc}.") from exc
    return RoutingTable(centres=centres, thema_words=words)


@lru_cache(maxsize=4)
def load_table(path: Path = ROUTING_FILE) -> RoutingTable:
    """Read (once) and parse the routing table."""
    return parse_table(json.loads(path.read_text(encoding="utf-8")))


__all__ = ["ROUTING_FILE", "CentreInfo", "RoutingTable", "Weighted", "load_table", "parse_table"]
