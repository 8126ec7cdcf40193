"""Context builders for entity cards (``/wijk/<slug>`` …) and the entity list (``/entiteiten``).

A card shows what the registry and the graph know as a reader wants it: each fact a
Dutch sentence or list with its sources behind "bron" links (the passage
``/document/<id>#p-<passage>`` of a corpus source, the official text of a regulation),
never the registry's keys, the line numbers of its source files or their paths; entity
names as labels (``Noord (Amsterdam)``); passages as an excerpt around the mention; the
wijken alike with the reason why.  The JSON twin keeps the structured data next to the
display text.

Why one module: the card is one page whose parts (facts, sources, relations, passages,
similar wijken) share the entity's names and the sources' display; split up they would
pass the same look-up tables around.
"""

from __future__ import annotations

import re
import sqlite3
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import abort, has_request_context, redirect, request, url_for
from markupsafe import Markup, escape

from kennisbank.errors import KennisbankError
from kennisbank.graph import (
    EntityNotFound,
    all_links,
    document_titles,
    entity_card,
    entity_exists,
    entity_names,
    list_entities,
    passage_documents,
    passage_entities,
    slug_matches,
    source_passage,
    suggest,
)
from kennisbank.graph import (
    similar_wijken as graph_similar_wijken,
)
from kennisbank.refs import KamerstukRef
from web.context import open_store
from web.entity_types import CARD_TYPES, TYPE_LABELS
from web.params import BadParameter

#: How many passages a card lists, and how many similar wijken.
CARD_PASSAGES = 25
SIMILAR_LIMIT = 6
#: Nodes around the centre of a card's relation graph.
GRAPH_NODES = 14
#: A slug longer than this is answered with a 404 at once (no look-up, no suggestions).
MAX_SLUG_CHARS = 200
#: A card's passage excerpt: characters before the mention, and in all.
EXCERPT_BEFORE = 120
EXCERPT_CHARS = 320

Names = dict[str, dict[str, str]]
Part = dict[str, Any]
Line = dict[str, Any]

_MONTHS = (
    "januari februari maart april mei juni juli augustus september oktober november december"
).split()

#: The statuses of a wijk in words.
_STATUS_TEXT = {
    "aandachtswijk": "Een van de 40 aandachtswijken (krachtwijken).",
    "40+ eerste tranche": "Een 40+-wijk uit de eerste tranche.",
    "40+ tweede tranche": "Een 40+-wijk uit de tweede tranche.",
}

#: What the groups of gemeenten are.
_GROUPS = {
    "G4": "de vier grote gemeenten",
    "G18": "de 18 gemeenten met een van de 40 aandachtswijken",
    "G31": "de 31 gemeenten van de brede doeluitkering sociaal, integratie en veiligheid",
}

#: Notes on sources and facts as the registry writes them (for its curators) → as a card
#: shows them.  Notes not listed here pass through :func:`_clean`.
_NOTES = {
    "G18 = de 18 gemeenten met een van de 40 wijken uit de bijlage (afgeleid: de bijlage"
    " noemt precies 18 gemeenten; de rapporten gebruiken 'G18' voor deze groep, bv. VR2010"
    " r. 91, en spreken van 'de 18 betrokken gemeenten').": (
        "G18 zijn de 18 gemeenten met een van de 40 wijken uit de bijlage. Dat is afgeleid:"
        " de bijlage noemt precies 18 gemeenten en de voortgangsrapportages gebruiken 'G18'"
        " voor deze groep en spreken van 'de 18 betrokken gemeenten'."
    ),
    "De vijf beleidsterreinen van de wijkenaanpak; 'kern' is true voor deze vijf en false"
    " voor de overige thema's.": (
        "De vijf beleidsterreinen van de wijkenaanpak zijn de kernthema's."
    ),
    "Indicatieve woorden voor het taggen van passages (curatie); elk woord komt voor in ten"
    " minste één van de genoemde regelbereiken.": (
        "Woorden die op dit thema wijzen; elk komt in dit deel van het rapport voor."
    ),
    "Wijk genoemd in de bijlage; zie SOURCES.md (aandachtswijken).": (
        "De wijk staat in de bijlage van het besluit, de lijst van de 40 aandachtswijken."
    ),
    "Totaal 'Additionele inzet' in de bijlage = 250; zie SOURCES.md.": (
        "De additionele inzet in de bijlage telt op tot de € 250 miljoen die het rapport noemt."
    ),
    "VR2008 voetnoot 1: een aantal gemeenten moest nog definitief besluiten over deelname;"
    " VR2010 noemt 'zeven gemeenten' (zonder namen).": (
        "Volgens een voetnoot in de voortgangsrapportage 2008 moest een aantal gemeenten nog"
        " definitief besluiten over deelname; de voortgangsrapportage 2010 noemt 'zeven"
        " gemeenten' (zonder namen)."
    ),
    "naam zo (afgekapt?) in de bron": "De naam staat zo in de bron (mogelijk afgekapt).",
}

_TAG = re.compile(r"<[^>]*>")
_REPORT = re.compile(r"\bVR(\d{4})\b")
_LINE_REF = re.compile(
    r"\s*\((?:r\.|regels?)\s*\d+[^)]*\)|,?\s*\b(?:bv\.\s*)?(?:r\.|regels?)\s*\d+(?:\s*[-–]\s*\d+)?"
    r"(?:\s*e\.v\.)?"
)
_INTERNAL = re.compile(
    r";?\s*zie SOURCES\.md(?:\s*\([^)]*\))?|\s*\(gedeelde projectbron[^)]*\)"
    r"|\s*\S*(?:shared|laws-md|corpus)/\S*"
)


# -- display text ---------------------------------------------------------------------------


def _clean(text: Any) -> str:
    """Registry text for a reader: no markup, table borders, line numbers, file paths or
    pointers to curation files; ``VR2008`` as "de voortgangsrapportage 2008"."""
    text = _NOTES.get(str(text or ""), str(text or ""))
    text = _TAG.sub("", text).replace("^", "")
    if "|" in text:
        text = " · ".join(cell.strip() for cell in text.split("|") if cell.strip())
    text = _INTERNAL.sub("", _LINE_REF.sub("", text))
    text = _REPORT.sub(r"de voortgangsrapportage \1", text)
    text = re.sub(r" ([.;])(?!\.)", r"\1", " ".join(text.split())).replace(";.", ".")
    return text[:1].upper() + text[1:] if text.startswith("de voortgangsrapportage") else text


def _date(iso: str) -> str:
    """``2011-07-20`` → ``20 juli 2011`` (other text unchanged)."""
    match = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)", iso or "")
    if not match or not 1 <= int(match[2]) <= 12:
        return iso
    return f"{int(match[3])} {_MONTHS[int(match[2]) - 1]} {match[1]}"


def _number(value: float | int) -> str:
    """Dutch number notation: ``580000`` → ``580.000``, ``2.9`` → ``2,9``."""
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    return f"{value:,}".replace(",", " ").replace(".", ",").replace(" ", ".")


def _join(parts: list[list[Part]]) -> list[Part]:
    """Parts of several items as one Dutch list: ``A, B en C``."""
    joined: list[Part] = []
    for index, item in enumerate(parts):
        if index:
            joined.append(_text(" en " if index == len(parts) - 1 else ", "))
        joined.extend(item)
    return joined


def _text(text: str) -> Part:
    return {"text": text, "entity_id": None}


def _entity(entity_id: str, names: Names) -> Part:
    known = names.get(entity_id)
    if known is None:
        return _text(entity_id.partition("/")[2].replace("-", " ") or entity_id)
    return {"text": known["label"], "entity_id": entity_id}


def _value_parts(value: Any, names: Names) -> list[Part]:
    """Any attribute value as parts (entity ids become links; keys of a mapping are dropped)."""
    if isinstance(value, bool):
        return [_text("ja" if value else "nee")]
    if isinstance(value, int | float):
        return [_text(_number(value))]
    if isinstance(value, str):
        return [_entity(value, names)] if value in names else [_text(_clean(value))]
    if isinstance(value, list | tuple):
        return _join([_value_parts(v, names) for v in value])
    if isinstance(value, dict):
        return _join([_value_parts(v, names) for v in value.values()])
    return [_text(_clean(value))]


# -- sources --------------------------------------------------------------------------------


class _Sources:
    """The sources of one entity's facts as a card shows them, by fact."""

    def __init__(self, conn: sqlite3.Connection, entity: dict[str, Any]) -> None:
        self.conn = conn
        self.name = str(entity.get("name", ""))
        self.titles = document_titles(conn)
        self.by_fact: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for source in entity.get("sources", []):
            shown = self.display(source)
            fact = str(source.get("fact", ""))
            self.by_fact[fact].append(shown)
            if ":" in fact:
                self.by_fact[fact.split(":", 1)[0]].append(shown)

    def display(self, source: dict[str, Any]) -> dict[str, Any]:
        """One source: ``{kind, title, where, url, quote, note, text}`` (and the document
        and passage ids of a corpus source)."""
        where = _clean(source.get("where"))
        shown: dict[str, Any] = {"quote": _clean(source.get("quote")) or None}
        shown["note"] = _clean(source.get("note")) or None
        if source.get("document"):
            doc_id = str(source["document"])
            passage = source_passage(self.conn, source, self.name)
            url = url_for("views.document", doc_id=doc_id)
            shown.update(
                kind="passage" if passage else "document",
                document=doc_id,
                passage=passage,
                title=self.titles.get(doc_id) or _clean(doc_id.replace("-", " ")).capitalize(),
                url=f"{url}#p-{passage}" if passage else url,
            )
        else:
            official = str(source.get("source", ""))
            url = None
            if re.fullmatch(r"BWBR\d+", official):
                url = f"https://wetten.overheid.nl/{official}"
                url += f"/{source['version']}" if source.get("version") else ""
            if source.get("version"):
                where = ", ".join(x for x in (where, f"versie van {_date(source['version'])}") if x)
            shown.update(kind="official" if url else "other", url=url)
            shown["title"] = _clean(source.get("title")) or official or "bron"
        shown["where"] = where or None
        shown["text"] = ", ".join(x for x in (shown["title"], where) if x)
        return shown

    def of(self, fact: str) -> list[dict[str, Any]]:
        return list(self.by_fact.get(fact, []))


def _links(sources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The distinct places a line's sources point to: ``{url, text, label}`` ("bron", "bron 2")."""
    seen: dict[str, dict[str, Any]] = {}
    for source in sources:
        key = source.get("url") or source["text"]
        if key not in seen:
            label = "bron" if not seen else f"bron {len(seen) + 1}"
            seen[key] = {"url": source.get("url"), "text": source["text"], "label": label}
    return list(seen.values())


# -- facts ----------------------------------------------------------------------------------


def _line(parts: list[Part], sources: list[dict[str, Any]], note: Any = None) -> Line:
    return {
        "parts": parts,
        "text": "".join(p["text"] for p in parts),
        "sources": sources,
        "links": _links(sources),
        "note": _clean(note) or None,
    }


@dataclass
class _Card:
    """What the writers of a card's facts need: the entity, the names, the sources."""

    entity: dict[str, Any]
    names: Names
    sources: _Sources

    def line(self, fact: str, *parts: Part | str, note: Any = None) -> Line:
        """One line of parts (a string is text) with the sources of ``fact``."""
        shown = [_text(p) if isinstance(p, str) else p for p in parts]
        return _line(shown, self.sources.of(fact), note)

    def entity_part(self, entity_id: Any) -> Part:
        return _entity(str(entity_id), self.names)


#: Writes the lines of one attribute: (key, value, card) → lines (none: not shown).
Writer = Callable[[str, Any, _Card], list[Line]]


def _sentence(template: str) -> Writer:
    """A fact stated in one sentence: ``template`` with the value (a number in Dutch notation)."""

    def write(key: str, value: Any, card: _Card) -> list[Line]:
        shown = _number(value) if isinstance(value, int | float) else _clean(value)
        return [card.line(key, template.format(shown))]

    return write


def _gemeente(key: str, value: Any, card: _Card) -> list[Line]:
    return [card.line(key, "Ligt in de gemeente ", card.entity_part(value), ".")]


def _gemeente_in_bron(key: str, value: Any, card: _Card) -> list[Line]:
    gemeente = card.names.get(str(card.entity.get("attributes", {}).get("gemeente")), {})
    if str(value).casefold() == gemeente.get("name", "").casefold():
        return []
    return [card.line("gemeente", f"In de bron geschreven als „{_clean(value)}”.")]


def _status(key: str, value: Any, card: _Card) -> list[Line]:
    return [card.line(key, _STATUS_TEXT.get(str(value), f"{_clean(value)}."))]


def _per_version(key: str, value: Any, card: _Card) -> list[Line]:
    return [
        card.line(
            f"{key}:{version}", f"€ {_number(amount)} volgens de versie van {_date(version)}."
        )
        for version, amount in sorted(value.items() if isinstance(value, dict) else [])
        if isinstance(amount, int | float)
    ]


def _ambiguous_name(key: str, value: Any, card: _Card) -> list[Line]:
    text = f"De naam „{card.entity['name']}” is alleen samen met de gemeente eenduidig."
    return [card.line(key, text)] if value else []


def _groups(key: str, value: Any, card: _Card) -> list[Line]:
    return [
        card.line(
            f"{key}:{g}", f"Hoort bij de {g}" + (f" ({_GROUPS[g]})." if g in _GROUPS else ".")
        )
        for g in (value if isinstance(value, list) else [value])
    ]


def _nummer(key: str, value: Any, card: _Card) -> list[Line]:
    text = {
        "experiment": f"Experiment {value} van de wijkenaanpak.",
        "partner": f"Nummer {value} in de lijst van alliantiepartners.",
    }.get(card.entity["type"], f"Nummer {value}.")
    return [card.line(key, text)]


def _according(label: str) -> str:
    """``VR2008 plannen van aanpak`` → ``de voortgangsrapportage 2008 (plannen van aanpak)``."""
    found = re.fullmatch(r"VR(\d{4})(?: (.+))?", label)
    if not found:
        return _clean(label)
    return f"de voortgangsrapportage {found[1]}" + (f" ({found[2]})" if found[2] else "")


def _participants(key: str, value: Any, card: _Card) -> list[Line]:
    """The experiment's participants, one line per listing in a source."""
    lines = []
    for group in value if isinstance(value, list) else [value]:
        if not isinstance(group, dict):
            lines.append(_line(_value_parts(group, card.names), []))
            continue
        according = _according(str(group.get("label", "")))
        parts: list[Part | str] = [f"Volgens {according} doen mee: " if according else ""]
        members = [[card.entity_part(g)] for g in group.get("gemeenten", [])]
        parts += _join(members) if members else ["geen gemeenten genoemd"]
        maybe = [[card.entity_part(g)] for g in group.get("mogelijk", [])]
        parts += ["; mogelijk ook ", *_join(maybe)] if maybe else []
        fact = f"{key}:{group.get('label', '')}"
        lines.append(card.line(fact, *parts, ".", note=group.get("opmerking")))
    return lines


def _kern(key: str, value: Any, card: _Card) -> list[Line]:
    text = "Een van" if value else "Niet een van"
    return [card.line(key, text + " de vijf beleidsterreinen (kernthema's) van de wijkenaanpak.")]


def _vocabulary(key: str, value: Any, card: _Card) -> list[Line]:
    words = [[_text(_clean(w))] for w in (value if isinstance(value, list) else [value])]
    return [card.line(key, "Passages over dit thema herkent men aan: ", *_join(words), ".")]


def _lijst(key: str, value: Any, card: _Card) -> list[Line]:
    found = re.fullmatch(r"VR(\d{4}) (bijlage \S+)", str(value))
    where = f"{found[2]} van de voortgangsrapportage {found[1]}" if found else _clean(value)
    return [card.line(key, f"Staat in {where}.")]


def _other(key: str, value: Any, card: _Card) -> list[Line]:
    parts = _value_parts(value, card.names)
    return [card.line(key, *parts)] if parts else []


#: The attributes of the registry: label on the card and writer of its lines.
_FACTS: dict[str, tuple[str, Writer]] = {
    "gemeente": ("Gemeente", _gemeente),
    "gemeente_in_bron": ("Gemeente in de bron", _gemeente_in_bron),
    "status": ("Status", _status),
    "additionele_inzet_mln_eur": ("Additionele inzet", _sentence("€ {} miljoen.")),
    "max_subsidie_eur": ("Maximaal subsidiebedrag", _sentence("€ {}.")),
    "max_subsidie_eur_per_versie": ("Subsidiebedrag per versie van het besluit", _per_version),
    "naam_vereist_gemeente": ("Let op", _ambiguous_name),
    "groepen": ("Groepen", _groups),
    "nummer": ("Nummer", _nummer),
    "deelnemers": ("Deelnemers", _participants),
    "alliantie": ("Alliantie", _sentence("Partner in de {}.")),
    "kern": ("Kernthema", _kern),
    "vocabulaire": ("Herkenningswoorden", _vocabulary),
    "bijlage3_nummer": ("Nummer in bijlage 3", _sentence("Nummer {} in bijlage 3.")),
    "lijst": ("Lijst", _lijst),
    "opmerking": ("Toelichting", _sentence("{}")),
}


def _fact(key: str, label: str, lines: list[Line]) -> dict[str, Any]:
    """One fact: its lines, the entities they name (``items``) and all their sources (a
    curators' note shown once)."""
    items = [p for line in lines for p in line["parts"] if p["entity_id"]]
    sources: list[dict[str, Any]] = []
    distinct = {s["text"] + str(s.get("quote")): s for line in lines for s in line["sources"]}
    for source in distinct.values():
        noted = any(source["note"] and source["note"] == s["note"] for s in sources)
        sources.append({**source, "note": None} if noted else source)
    return {
        "key": key,
        "label": label,
        "text": " ".join(line["text"] for line in lines),
        "lines": lines,
        "items": items or [_text(line["text"]) for line in lines],
        "sources": sources,
    }


def _aliases(entity: dict[str, Any], sources: _Sources) -> list[Line]:
    """The other names of an entity, each with its own sources."""
    lines = []
    seen = {entity["name"].casefold()}
    for alias in entity.get("aliases", []):
        alias = alias if isinstance(alias, dict) else {"text": str(alias)}
        text = str(alias.get("text") or "")
        if text and text.casefold() not in seen:
            seen.add(text.casefold())
            own = [sources.display(s) for s in alias.get("sources", [])]
            lines.append(_line([_text(f"„{_clean(text)}”")], own))
    return lines


def facts(entity: dict[str, Any], names: Names, conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """The entity's name, other names and attributes as Dutch lines, each with its sources.

    Every fact is ``{key, label, text, lines, items, sources}``; a line is ``{parts, text,
    sources, links, note}`` where ``parts`` are ``{text, entity_id}`` (entity ids become
    links) and ``links`` the "bron" links to the places the sources point to.
    """
    card = _Card(entity, names, _Sources(conn, entity))
    label = names.get(entity["id"], {}).get("label", entity["name"])
    result = [_fact("name", "Naam", [card.line("name", label)])]
    aliases = _aliases(entity, card.sources)
    result += [_fact("aliases", "Ook genoemd", aliases)] if aliases else []
    for key, value in entity.get("attributes", {}).items():
        label, write = _FACTS.get(key, (key.replace("_", " ").capitalize(), _other))
        lines = write(key, value, card)
        result += [_fact(key, label, lines)] if lines else []
    return result


# -- passages, relations, similar wijken ----------------------------------------------------


def excerpt(text: str, spans: list[dict[str, Any]], names: tuple[str, ...] = ()) -> Markup:
    """A window of about :data:`EXCERPT_CHARS` characters around the first mention in
    ``text`` ("…" where it is cut), every mention inside it in ``<mark>``, all text escaped.

    ``spans`` are the mentions (``start``/``end`` in ``text``); without a usable span the
    first occurrence of one of ``names`` is the mention, and without that the excerpt is
    the beginning of the text.
    """
    flat = " ".join(text.split("\n")).replace("\r", " ").replace("\t", " ")
    found = sorted((s["start"], s["end"]) for s in spans if 0 <= s["start"] < s["end"] <= len(flat))
    for name in names if not found else ():
        match = re.search(re.escape(name), flat, re.IGNORECASE) if name.strip() else None
        if match:
            found = [match.span()]
            break
    first_start, first_end = found[0] if found else (0, 0)
    start = max(0, first_start - EXCERPT_BEFORE)
    end = min(len(flat), max(start + EXCERPT_CHARS, first_end))
    if start > 0:
        space = flat.find(" ", start, first_start)
        start = space + 1 if space >= 0 else start
    if end < len(flat):
        space = flat.rfind(" ", first_end, end)
        end = space if space >= 0 else end
    html = ["…"] if start > 0 else []
    pos = start
    for span_start, span_end in found:
        if span_start < pos or span_end > end:
            continue
        html += [
            str(escape(flat[pos:span_start])),
            f"<mark>{escape(flat[span_start:span_end])}</mark>",
        ]
        pos = span_end
    html.append(str(escape(flat[pos:end])))
    html += ["…"] if end < len(flat) else []
    return Markup("".join(html))


def _group_passages(
    conn: sqlite3.Connection, card: dict[str, Any], passages: list[dict[str, Any]], names: Names
) -> list[dict[str, Any]]:
    """The card's passages grouped by document, each with an excerpt around the mention
    (``excerpt_html``) and the thema's it mentions."""
    mentioned = passage_entities(conn, [(p["document_id"], p["id"]) for p in passages])
    groups: dict[str, dict[str, Any]] = {}
    for passage in passages:
        group = groups.setdefault(
            passage["document_id"],
            {
                "document_id": passage["document_id"],
                "document_title": passage["document_title"],
                "passages": [],
            },
        )
        themas = [
            {"id": eid, "name": names[eid]["label"]}
            for eid in mentioned.get((passage["document_id"], passage["id"]), [])
            if eid in names and names[eid]["type"] == "thema"
        ]
        spans = passage.get("spans", [])
        html = excerpt(passage["text"], spans, (card["name"], *(s["surface"] for s in spans)))
        url = url_for("views.document", doc_id=passage["document_id"]) + f"#p-{passage['id']}"
        group["passages"].append({**passage, "themas": themas, "excerpt_html": html, "url": url})
    return list(groups.values())


def _feature_text(feature: str, names: Names) -> str:
    """One shared feature of two wijken in words: ``thema Veiligheid``, ``beide aandachtswijk``."""
    if feature.startswith("status:"):
        status = feature.partition(":")[2]
        return "beide " + ("40+-wijk" if status.startswith("40+") else status)
    kind = feature.partition("/")[0]
    word = {"partner": "alliantiepartner"}.get(kind, kind)
    return f"{word} {names.get(feature, {}).get('label', feature.partition('/')[2])}"


def similar_wijken(conn: sqlite3.Connection, wijk_id: str, names: Names) -> list[dict[str, Any]]:
    """Wijken alike ``wijk_id`` in their own thema's, experiments, partners and status
    (:func:`kennisbank.graph.similar_wijken`), each with ``shared`` (the shared features in
    words) and ``reason`` (one Dutch sentence); empty when no wijk is really alike."""
    found = []
    for item in graph_similar_wijken(conn, wijk_id, SIMILAR_LIMIT):
        shared = [_feature_text(f, names) for f in item["shared"]]
        found.append(
            {
                "id": item["id"],
                "name": names.get(item["id"], {}).get("label", item["id"]),
                "score": item["score"],
                "features": item["shared"],
                "shared": shared,
                "reason": "Gedeeld: " + "; ".join(shared) + ".",
            }
        )
    return found


def _related(
    conn: sqlite3.Connection, card: dict[str, Any], names: Names
) -> dict[str, list[dict[str, Any]]]:
    """Second-hand links: the experiments a wijk's gemeente takes part in."""
    if card["type"] != "wijk":
        return {}
    gemeenten = [lk["id"] for lk in card["links"].get("ligt in", [])]
    gemeente = card.get("attributes", {}).get("gemeente")
    if gemeente and gemeente not in gemeenten:
        gemeenten.append(gemeente)
    experiments = [
        {
            "id": lk["source_id"],
            "name": names.get(lk["source_id"], {}).get("label", "?"),
            "via": names.get(lk["target_id"], {}).get("label", lk["target_id"]),
        }
        for lk in all_links(conn)
        if lk["type"] == "deelnemer" and lk["target_id"] in gemeenten
    ]
    return {"experimenten van de gemeente": experiments} if experiments else {}


def _link_sources(conn: sqlite3.Connection, links: dict[str, list[dict[str, Any]]]) -> None:
    """Give every link the URL of the first passage of its evidence (``source_url``)."""
    first = [item["evidence"][0] for items in links.values() for item in items if item["evidence"]]
    documents = passage_documents(conn, first)
    for items in links.values():
        for item in items:
            passage = item["evidence"][0] if item["evidence"] else None
            doc_id = documents.get(passage or "")
            item["source_url"] = (
                url_for("views.document", doc_id=doc_id) + f"#p-{passage}" if doc_id else None
            )


def _graph(card: dict[str, Any], related: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Nodes and edges of the card's relation graph (the entity in the centre)."""
    nodes: list[dict[str, Any]] = []
    seen = {card["id"]}
    for label, targets in [*card["links"].items(), *related.items()]:
        for target in targets:
            if target["id"] in seen or len(nodes) >= GRAPH_NODES:
                continue
            seen.add(target["id"])
            nodes.append(
                {
                    "id": target["id"],
                    "name": target["name"],
                    "label": label,
                    "type": target["id"].partition("/")[0],
                }
            )
    return {
        "center": {"id": card["id"], "name": card["label"], "type": card["type"]},
        "nodes": nodes,
    }


def _citation(identifier: str) -> str:
    """``kst-30995-78`` → ``Kamerstukken 30 995, nr. 78`` (the id itself when malformed)."""
    dossier, _, number = identifier.removeprefix("kst-").rpartition("-")
    try:
        return KamerstukRef(dossier, number).citation
    except KennisbankError:
        return identifier


def _commitments(
    conn: sqlite3.Connection, commitments: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The card's commitments with the title of their document, the passage URL and the
    citations of the Kamerstukken they cite (``cites``)."""
    titles = document_titles(conn)
    return [
        {
            **c,
            "document_title": titles.get(c["document_id"], c["document_id"]),
            "date_text": _date(c.get("date") or "") or None,
            "cites": [{"id": r, "citation": _citation(r)} for r in c["refs"]],
            "url": url_for("views.document", doc_id=c["document_id"]) + f"#p-{c['passage_id']}",
        }
        for c in commitments
    ]


# -- the card and the list ------------------------------------------------------------------


def _not_found(conn: sqlite3.Connection, entity_type: str, slug: str) -> EntityNotFound:
    """The 404 of an unknown slug; an unambiguous short slug redirects to its card instead."""
    matches = slug_matches(conn, entity_type, slug)
    if len(matches) == 1:
        target = matches[0].partition("/")[2]
        api = has_request_context() and request.blueprint == "api"
        endpoint = "api.entity" if api else "views.entity"
        abort(redirect(url_for(endpoint, entity_type=entity_type, slug=target), code=302))
    names = entity_names(conn)
    candidates = [
        {"id": m, "name": names[m]["label"], "type": entity_type, "score": 100.0} for m in matches
    ]
    others = [s for s in suggest(conn, slug.replace("-", " ")) if s["id"] not in matches]
    return EntityNotFound(f"{entity_type}/{slug}", [*candidates, *others][:8])


def entity_context(entity_type: str, slug: str) -> dict[str, Any]:
    """Data for an entity card (``/<type>/<slug>`` and ``/api/entities/<type>/<slug>``).

    An unknown slug that names exactly one entity of the type (the name part of its slug,
    its name or an alias) redirects to that card; any other raises :class:`EntityNotFound`
    with suggestions, at once and without them for a slug over :data:`MAX_SLUG_CHARS`.
    """
    if len(slug) > MAX_SLUG_CHARS:
        raise EntityNotFound(f"{entity_type}/{slug[:40]}…", [])
    entity_id = f"{entity_type}/{slug}"
    if entity_type not in CARD_TYPES:
        raise EntityNotFound(entity_id, [])
    with open_store() as store:
        conn = store.conn
        if not entity_exists(conn, entity_id):
            raise _not_found(conn, entity_type, slug)
        card = entity_card(conn, entity_id, top=CARD_PASSAGES)
        names = entity_names(conn)
        related = _related(conn, card, names)
        _link_sources(conn, card["links"])
        groups = _group_passages(conn, card, card.pop("passages"), names)
        similar = similar_wijken(conn, entity_id, names) if entity_type == "wijk" else []
        card_facts = facts(card, names, conn)
        commitments = _commitments(conn, card.pop("commitments"))
    themas = {
        t["id"]: {"id": t["id"], "name": t["name"]}
        for group in groups
        for p in group["passages"]
        for t in p["themas"]
    }
    graph = _graph(card, {**related, "thema": list(themas.values())} if themas else related)
    return {
        "entity": card,
        "type_label": TYPE_LABELS[entity_type][0],
        "facts": card_facts,
        "links": card.pop("links"),
        "related": related,
        "passage_groups": groups,
        "commitments": commitments,
        "similar": similar,
        "graph": graph,
    }


def entities_context(entity_type: str | None) -> dict[str, Any]:
    """Data for ``/entiteiten`` and ``/api/entities``: all entities, or those of one type;
    ``label`` is the name the page shows (``Noord (Amsterdam)``)."""
    if entity_type is not None and entity_type not in CARD_TYPES:
        raise BadParameter("type", "Onbekend type; kies uit: " + ", ".join(CARD_TYPES) + ".")
    with open_store() as store:
        rows = list_entities(store.conn, entity_type)
        names = entity_names(store.conn)
    entities = [
        {
            "id": r["id"],
            "type": r["type"],
            "name": r["name"],
            "label": names.get(r["id"], {}).get("label", r["name"]),
            "origin": r["origin"],
            "mentions": r["mentions"],
            "documents": r["documents"],
        }
        for r in rows
        if r["type"] in CARD_TYPES
    ]
    entities.sort(key=lambda e: (e["type"], e["label"].casefold()))
    counts: dict[str, int] = defaultdict(int)
    for entity in entities:
        counts[entity["type"]] += 1
    return {
        "type": entity_type,
        "entities": entities,
        "total": len(entities),
        "counts": dict(counts),
    }


def label_entity_facets(facets: list[dict[str, Any]], names: Names) -> list[dict[str, Any]]:
    """Give the values of entity facets (``wijk/…``, ``gemeente/…``) their labels, in place:
    the search page's Wijk facet then reads ``Noord (Amsterdam)``, not ``Noord``."""
    for facet in facets:
        for value in facet.get("values", []):
            known = names.get(str(value.get("value", "")))
            if known:
                value["label"] = known["label"]
    return facets
