"""Facets: counting on bitsets, value labels, and a request's selection.

Facets are declared once, as small :class:`~kennisbank.search.fields.FacetSpec` objects
(:data:`kennisbank.search.fields.FACETS`).  Counting is
done on bitsets (Python ints, bit *n* = document number *n*) preloaded once per index
from the postings of each facet value, so counting over the whole result set costs a
few big-int operations per value, independent of the page that is shown.

Selection semantics: several values of one facet are OR-ed, different facets are
AND-ed; the counts of a facet are computed with the selections of all *other* facets
applied (so the unselected values of a multi-select facet show what adding them would
give), which for a facet without a selection is exactly the result set.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from kennisbank.refs import normalize_identifier, parse_ref
from kennisbank.registry import normalise
from kennisbank.search.fields import FACETS, FACETS_BY_FIELD, FIELD_ALIASES
from kennisbank.search.results import FacetValue

#: File in the search index folder with entity names and value labels.
CATALOG_FILE = "catalog.json"


#: Dutch names of passage kinds (also accepted in ``soort:`` filters).
KIND_LABELS: dict[str, str] = {
    "paragraph": "alinea",
    "box": "kader",
    "praktijkvoorbeeld": "praktijkvoorbeeld",
    "list": "opsomming",
    "table": "tabel",
    "footnote": "voetnoot",
    "heading": "kop",
    "caption": "bijschrift",
}
#: How many values of one facet a result lists at most (selected values always).  High
#: enough that every value of the corpus is listed (the web shows the first ten and the
#: rest behind "Toon alle"); the counts are computed for all values anyway.
FACET_LIMIT = 1000


# -- bitsets -----------------------------------------------------------------------------------


def bits_from(docnums: Iterable[int], size: int) -> int:
    """A bitset with the bits of ``docnums`` set (``size`` = number of documents)."""
    buf = bytearray(size // 8 + 1)
    for doc in docnums:
        buf[doc >> 3] |= 1 << (doc & 7)
    return int.from_bytes(buf, "little")


def docnums_of(bits: int) -> list[int]:
    """The document numbers in a bitset, ascending."""
    found = []
    data = bits.to_bytes((bits.bit_length() + 7) // 8, "little")
    for i, byte in enumerate(data):
        while byte:
            low = byte & -byte
            found.append(i * 8 + low.bit_length() - 1)
            byte ^= low
    return found


class FacetCounter:
    """Counts facet values over a result bitset with OR-within / AND-across selections."""

    def __init__(self, value_bits: Mapping[str, Mapping[str, int]]) -> None:
        self.value_bits = value_bits

    def mask(self, fieldname: str, values: Iterable[str]) -> int:
        """The documents having any of ``values`` in ``fieldname``."""
        bits = 0
        for value in values:
            bits |= self.value_bits.get(fieldname, {}).get(value, 0)
        return bits

    def count(self, base: int, masks: Mapping[str, int]) -> tuple[int, dict[str, dict[str, int]]]:
        """The final result bitset and, per facet, the count of each value.

        ``base`` holds the documents matching the query; ``masks`` one bitset per facet
        with a selection.  A facet's counts apply the masks of the other facets only.
        """
        result = base
        for mask in masks.values():
            result &= mask
        counts: dict[str, dict[str, int]] = {}
        for fieldname, values in self.value_bits.items():
            scope = base
            for other, mask in masks.items():
                if other != fieldname:
                    scope &= mask
            if not scope:
                counts[fieldname] = {}
                continue
            counts[fieldname] = {
                value: n for value, bits in values.items() if (n := (scope & bits).bit_count())
            }
        return result, counts


# -- labels and name resolution ----------------------------------------------------------------


_VJ_RE = re.compile(r"((?:19|20)\d\d)\s*[-/\u2013]\s*(\d{2}|\d{4})")
_DOSSIER_RE = re.compile(r"([1-9][\d ]{3,7}?)\s*(?:[- ]\s*([IVXL]{1,6}[AB]?|[A-Z]))?", re.I)


class Catalog:
    """Entity names and facet value labels of one index, and typed-name → value resolution."""

    def __init__(
        self, entities: Mapping[str, Mapping[str, Any]], labels: Mapping[str, Mapping[str, str]]
    ) -> None:
        self.entities = {k: dict(v) for k, v in entities.items()}
        self.labels = {k: dict(v) for k, v in labels.items()}
        self._keys: dict[str, dict[str, list[str]]] = {}
        for eid, info in self.entities.items():
            keys = self._keys.setdefault(info.get("type", ""), {})
            for key in {normalise(n) for n in [info.get("name", ""), *info.get("names", [])]}:
                if key:
                    keys.setdefault(key, []).append(eid)

    @classmethod
    def load(cls, index_dir: Path) -> Catalog:
        """Read :data:`CATALOG_FILE` from a search index folder (empty when missing)."""
        path = Path(index_dir) / CATALOG_FILE
        if not path.exists():
            return cls({}, {})
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(data.get("entities", {}), data.get("labels", {}))

    def to_dict(self) -> dict[str, Any]:
        """The JSON form written next to the index."""
        return {"entities": self.entities, "labels": self.labels}

    def entity(self, entity_id: str) -> dict[str, str]:
        """``{"id", "name", "type"}`` of an entity (the id as name when unknown)."""
        info = self.entities.get(entity_id, {})
        etype = info.get("type") or entity_id.split("/", 1)[0]
        return {"id": entity_id, "name": info.get("name") or entity_id, "type": etype}

    def label(self, fieldname: str, value: str) -> str:
        """The label a page shows for a facet value."""
        spec = FACETS_BY_FIELD.get(fieldname)
        if spec is not None and spec.entity_type:
            return self.entity(value)["name"]
        if fieldname == "kind":
            return KIND_LABELS.get(value, value)
        known = self.labels.get(fieldname, {}).get(value)
        if known:
            return known
        if fieldname == "doctype":
            return value.capitalize()
        return value

    def resolve(self, fieldname: str, typed: str, known: Iterable[str] = ()) -> list[str]:
        """The index values a typed filter value means (``[]`` when none).

        ``known`` are the values that occur in the index for ``fieldname``.
        """
        typed = typed.strip()
        known_set = set(known)
        if typed in known_set:
            return [typed]
        spec = FACETS_BY_FIELD.get(fieldname)
        if spec is not None and spec.entity_type:
            return self._resolve_entity(spec.entity_type, typed)
        folded = normalise(typed)
        if fieldname in ("doctype", "kind"):
            names = {v: [v, self.label(fieldname, v)] for v in known_set}
            if fieldname == "kind":
                names.update({k: [k, v] for k, v in KIND_LABELS.items()})
            return sorted(v for v, ns in names.items() if folded in {normalise(n) for n in ns})
        if fieldname == "kst":
            ident = normalize_identifier(typed)
            if ident is None:
                ref = _safe_parse_ref(typed)
                ident = ref.identifier if ref is not None else None
            return [ident] if ident else []
        if fieldname == "dossier":
            m = _DOSSIER_RE.fullmatch(typed)
            if m is None:
                return []
            digits = m.group(1).replace(" ", "")
            return [f"{digits}-{m.group(2).upper()}" if m.group(2) else digits]
        if fieldname in ("vergaderjaar", "year"):
            m = _VJ_RE.fullmatch(typed)
            if fieldname == "vergaderjaar" and m is not None:
                y1, y2 = int(m.group(1)), int(m.group(2))
                y2 = y1 // 100 * 100 + y2 if y2 < 100 else y2
                return [f"{y1}-{y2}"]
            return [typed] if typed.isdigit() else []
        return []

    def _resolve_entity(self, entity_type: str, typed: str) -> list[str]:
        if typed in self.entities:
            return [typed]
        keys = self._keys.get(entity_type, {})
        folded = normalise(typed)
        if folded in keys:
            return sorted(set(keys[folded]))
        slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
        by_slug = sorted(
            eid
            for eid, info in self.entities.items()
            if info.get("type") == entity_type
            and slug
            and (eid == f"{entity_type}/{slug}" or eid.endswith(f"-{slug}"))
        )
        if by_slug:
            return by_slug
        if not keys or len(folded) < 4:
            return []
        match = process.extractOne(folded, list(keys), scorer=fuzz.ratio, score_cutoff=88)
        return sorted(set(keys[match[0]])) if match else []


def _safe_parse_ref(text: str) -> Any:
    try:
        return parse_ref(text)
    except Exception:  # noqa: BLE001 - an unreadable reference is simply no reference
        return None


def facet_values(
    catalog: Catalog,
    counts: Mapping[str, Mapping[str, int]],
    selected: Mapping[str, Iterable[str]],
    limit: int = FACET_LIMIT,
) -> dict[str, list[FacetValue]]:
    """Facet values to show, per facet in :data:`FACETS` order: counted or selected ones."""
    out: dict[str, list[FacetValue]] = {}
    for spec in FACETS:
        chosen = set(selected.get(spec.field, ()))
        field_counts = counts.get(spec.field, {})
        values = [
            FacetValue(v, catalog.label(spec.field, v), n, v in chosen)
            for v, n in field_counts.items()
        ]
        values += [
            FacetValue(v, catalog.label(spec.field, v), 0, True)
            for v in chosen
            if v not in field_counts
        ]
        if spec.order == "value":
            values.sort(key=lambda fv: fv.value, reverse=True)
        else:
            values.sort(key=lambda fv: (-fv.count, fv.label.casefold(), fv.value))
        shown = values[:limit] + [v for v in values[limit:] if v.selected]
        out[spec.field] = shown
    return out


class Selection:
    """The filters of one request resolved to index values.

    ``selected``: field → values (OR within a field, AND across fields); ``excluded``:
    values typed as ``-veld:waarde``; ``year_from``/``year_to``: the year range;
    ``extra_words``: typed filter values that matched nothing (searched as text);
    ``notes``: Dutch messages.
    """

    def __init__(self) -> None:
        self.selected: dict[str, set[str]] = {}
        self.excluded: dict[str, set[str]] = {}
        self.year_from: int | None = None
        self.year_to: int | None = None
        self.extra_words: list[str] = []
        self.notes: list[str] = []

    @classmethod
    def build(
        cls,
        catalog: Catalog,
        known: Mapping[str, Iterable[str]],
        typed: Iterable[Any],
        ui_filters: Mapping[str, Any] | None,
        years: tuple[Any, Any],
        typed_years: tuple[int | None, int | None] = (None, None),
    ) -> Selection:
        """Resolve ``ui_filters`` (facet field or alias → values), ``typed`` filters (objects
        with ``field``, ``value``, ``negated``) and the year bounds."""
        sel = cls()
        for name, values in (ui_filters or {}).items():
            fieldname = FIELD_ALIASES.get(str(name).lower(), str(name))
            if fieldname not in FACETS_BY_FIELD:
                sel.notes.append(f"Onbekend filter '{name}' is genegeerd.")
                continue
            for value in [values] if isinstance(values, str) else list(values or []):
                sel._add(catalog, known, fieldname, str(value), False, typed=False)
        for flt in typed:
            sel._add(catalog, known, flt.field, flt.value, flt.negated, typed=True)
        low, high = typed_years
        for given, is_low in ((years[0], True), (years[1], False)):
            if given is None or given == "":
                continue
            number = _year(given)
            if number is None:
                sel.notes.append(f"Het jaartal '{given}' is ongeldig en genegeerd.")
            elif is_low:
                low = number if low is None else max(low, number)
            else:
                high = number if high is None else min(high, number)
        sel.year_from, sel.year_to = low, high
        return sel

    def _add(
        self,
        catalog: Catalog,
        known: Mapping[str, Iterable[str]],
        fieldname: str,
        value: str,
        negated: bool,
        *,
        typed: bool,
    ) -> None:
        resolved = catalog.resolve(fieldname, value, known.get(fieldname, ()))
        label = (
            FACETS_BY_FIELD[fieldname].label.lower() if fieldname in FACETS_BY_FIELD else fieldname
        )
        if resolved:
            target = self.excluded if negated else self.selected
            target.setdefault(fieldname, set()).update(resolved)
        elif typed and not negated:
            self.notes.append(f"Geen {label} '{value}' gevonden; er is als tekst op gezocht.")
            self.extra_words += [w for w in value.split() if any(c.isalnum() for c in w)]
        else:
            self.notes.append(f"Geen {label} '{value}' gevonden; dit filter is genegeerd.")

    def masks(self, counter: FacetCounter, years: Iterable[str]) -> dict[str, int]:
        """One bitset per facet with a selection (the year range counts as the year facet)."""
        masks = {name: counter.mask(name, values) for name, values in self.selected.items()}
        if self.year_from is not None or self.year_to is not None:
            low, high = self.year_from or 0, self.year_to or 9999
            in_range = counter.mask("year", [y for y in years if low <= int(y) <= high])
            masks["year"] = masks.get("year", in_range) & in_range
        return masks

    def exclusion(self, counter: FacetCounter) -> int:
        """The documents to leave out."""
        bits = 0
        for name, values in self.excluded.items():
            bits |= counter.mask(name, values)
        return bits


def _year(value: Any) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 1000 <= number <= 2999 else None
