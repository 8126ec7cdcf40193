"""Typed links between entities, read from passages and the curated registry.

:func:`extract_links` turns passages plus the entity mentions found in them into
:class:`~kennisbank.model.Link` objects of three types:

* ``ligt_in`` (wijk → gemeente): one link per wijk of the registry, from its
  ``gemeente`` attribute (origin ``registry``).  Evidence: first the passages that
  state it by a pattern (``Klarendal in Arnhem``, ``Overvecht (Utrecht)``,
  ``Rotterdam Overschie``, ``Rotterdam-Overschie``, ``de Utrechtse wijk
  Kanaleneiland``, a table row ``Almelo | Ossenkoppelerbroek``), then those that
  mention the wijk with its gemeente, else those that mention the wijk at all; it
  is empty only when no passage mentions the wijk.  A pattern contradicting the
  registry is ignored; one for a wijk without ``gemeente`` gives an origin-``text`` link.
* ``deelnemer`` (experiment → gemeente): a gemeente in a sentence that lists
  participants (*deelnemend*, *betrokken gemeenten*, *pilotgemeenten*, *doen mee*,
  *nemen deel*, *aangesloten*, *zeven gemeenten*, ...) where the experiment is named
  in the sentence, in an earlier participant sentence of the passage (``Het zijn
  Amsterdam, ...``) or by the section (``Experiment 6: Gezonde wijk``, ``Box 14:
  Experiment Achter de voordeur``); also the items of a list such a sentence
  announces with a colon (``Alkmaar: Overkoepelende Ketenaanpak Overdie.``).  Hedged
  gemeenten (``en mogelijk Gouda``), sentences with an exclusion or negation, and
  place names inside an organisation's name (``Universiteit Tilburg``) are skipped.
* ``actief_in`` (alliantiepartner → wijk or gemeente): a partner and a place in one
  sentence with an activity verb (``gaat ... uitvoeren``, ``heeft ... geopend``,
  ``werkt samen``), not negated; a gemeente is left out when a wijk of it is a target.

Precision comes before recall: every ``text`` link can be read in its quoted
sentence.  :func:`sentence_spans`, :func:`make_quote` and :func:`index_mentions`
are shared with :mod:`indexer.knowledge.commitments`.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache, partial
from itertools import accumulate

from indexer.segment import split_sentences
from kennisbank.model import Link, Mention, Passage
from kennisbank.registry import Registry, normalise

#: The link types this module produces.
LINK_TYPES: tuple[str, ...] = ("ligt_in", "deelnemer", "actief_in")
#: Maximum length of a link's quote.
QUOTE_LIMIT = 200

_BULLET = re.compile(r"^\s*[•\-–*�]\s+")
_LINE = re.compile(r"[^\n]+")
_BODY = re.compile(r"\S(?:.*\S)?")
_COLON = re.compile(r"\s*:")
_COUNT = r"(?:twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|dertien|veertien|\d+)"
_PARTICIPATION = re.compile(
    r"\b(?:deelnem\w*|deelname|ne(?:emt|men)\s+deel|doe[nt]\s+mee|meedoen|meegedaan"
    r"|betrokken\s+gemeenten|pilotgemeenten?|experimentgemeenten|experimentsteden"
    r"|participe\w+|experimenteren\s+met|aangesloten|sluit(?:en)?\s+aan|aan\s+de\s+slag"
    r"|gestart\s+met\s+(?:het\s+)?experiment|de\s+gemeenten(?=\s+(?-i:[A-Z]))"
    rf"|{_COUNT}\s+(?:\w+\s+)?(?:gemeenten|steden))\b",
    re.IGNORECASE,
)
_CONTINUATION = re.compile(r"^(?:het|dit|dat|deze)\s+zijn\b|^namelijk\b", re.IGNORECASE)
_EXCLUSION = re.compile(r"\b(?:met\s+uitzondering\s+van|behalve|niet|geen)\b", re.IGNORECASE)
_HEDGE = re.compile(r"\b(?:mogelijk|eventueel|wellicht|misschien|waarschijnlijk)\b", re.I)
_ENUM_BREAK = re.compile(r"[,;:(]|\s(?:en|of)\s")
_ACTIVITY = re.compile(
    r"\b(?:gaat|gaan|voert|voeren|uitvoeren|uitgevoerd|organiseert|organiseren|georganiseerd"
    r"|opent|openen|geopend|start|starten|gestart|draait|draaien|loopt|lopen|werkt|werken"
    r"|samenwerken|ondersteunt|helpt|helpen|bezoekt|verzorgt|realiseert|realiseren"
    r"|gerealiseerd|aangelegd|gedoneerd|doneert|actief|aan\s+de\s+slag)\b",
    re.IGNORECASE,
)
# A place name inside an organisation's name ("Universiteit Tilburg", "Haagse Hogeschool").
_ORG_BEFORE = re.compile(
    r"\b(?:Universiteit|University|Hogeschool|Academie|ROC|FC|NAC|Vitesse|Stichting)\s+(?:van\s+)?$"
)
_ORG_AFTER = re.compile(r"^\s+(?:Universiteit|University|Hogeschool|Academie|ziekenhuizen?)\b")
_NEGATION = re.compile(r"\b(?:niet|geen|nooit)\b", re.IGNORECASE)
_SECTION_EXPERIMENT = re.compile(
    r"^(?:box\s+\d+\s*:\s*)?experiment\s+(?:\d+\s*[:.]\s*)?(?P<name>\S.*?)\s*$", re.IGNORECASE
)
# Text between a wijk (first) and its gemeente (second): "X in Y", "X (Y", "X, Y".
_WIJK_THEN_GEMEENTE = re.compile(r"\s+in\s+(?:de\s+gemeente\s+)?|\s*\(\s*|\s*,\s*")
# Text between a gemeente (first) and a wijk (second): "Y X", "Y-X", "Y, X", "Y-se wijk X".
_GEMEENTE_THEN_WIJK = re.compile(r"\s*|\s*-\s*|\s*,\s*|\s+(?:aandachts|kracht)?wijk\s+")


#: A link's quote, or a function that makes it (quotes are made only when used).
Quote = str | Callable[[], str]


def _etype(entity_id: str) -> str:
    return entity_id.split("/", 1)[0]


# --------------------------------------------------------------------------- helpers
def unit_spans(text: str) -> list[tuple[int, int]]:
    """Offsets of the non-empty lines of ``text``, without a leading bullet (``• ``)."""
    spans: list[tuple[int, int]] = []
    for line in _LINE.finditer(text):
        bullet = _BULLET.match(line.group(0))
        offset = line.start() + (bullet.end() if bullet else 0)
        body = _BODY.search(text, offset, line.end())
        if body:
            spans.append((body.start(), body.end()))
    return spans


@lru_cache(maxsize=4096)
def _split(chunk: str) -> tuple[tuple[int, int], ...]:
    """Offsets of the sentences of one line (cached: quotes split the same text often)."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for sentence in split_sentences(chunk):
        found = chunk.find(sentence, pos)
        if found >= 0:
            spans.append((found, found + len(sentence)))
            pos = found + len(sentence)
    return tuple(spans)


def sentence_spans(text: str, unit: tuple[int, int] | None = None) -> list[tuple[int, int]]:
    """Offsets into ``text`` of its sentences (or those of ``text[unit[0]:unit[1]]``).

    Lines (list items) are split first, then each with :func:`indexer.segment.split_sentences`.
    """
    units = [unit] if unit is not None else unit_spans(text)
    return [(u + s, u + e) for u, u_end in units for s, e in _split(text[u:u_end])]


def make_quote(text: str, start: int, end: int, limit: int = QUOTE_LIMIT) -> str:
    """A quote of at most ``limit`` characters from ``text[start:end]``.

    Longer spans are cut at word boundaries, keeping the beginning, and end in ``…``.
    """
    piece = " ".join(text[start:end].split())
    if len(piece) <= limit:
        return piece
    cut = piece[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:") + "…"


def _quote_around(text: str, start: int, end: int, limit: int = QUOTE_LIMIT) -> str:
    """The sentence around ``text[start:end]``; a window around the span when it is too long."""
    lo, hi = 0, len(text)
    for s_start, s_end in sentence_spans(text):
        if s_start <= start < s_end:
            lo, hi = s_start, s_end
            break
    if hi - lo <= limit:
        return make_quote(text, lo, hi, limit)
    half = max((limit - (end - start)) // 2, 0)
    w_start = max(start - half, lo)
    while lo < w_start < start and not text[w_start - 1].isspace():
        w_start += 1
    prefix = "…" if w_start > lo else ""
    return prefix + make_quote(text, w_start, hi, limit - len(prefix))


def _evidence_quote(passage: Passage, start: int, end: int) -> str:
    """The quote for a mention: its table row (non-empty cells) in a table, else its sentence."""
    if passage.kind == "table":
        for u_start, u_end in unit_spans(passage.text):
            if u_start <= start < u_end:
                cells = [c.strip() for c in passage.text[u_start:u_end].split("|")]
                row = " | ".join(c for c in cells if c)
                return make_quote(row, 0, len(row))
    return _quote_around(passage.text, start, end)


def index_mentions(mentions: Iterable[Mention]) -> dict[str, list[Mention]]:
    """Mentions per passage id, in text order, without mentions nested in longer ones.

    A mention strictly inside another name (``Utrecht`` in ``Utrecht Overvecht``) is
    dropped; thema mentions (vocabulary words) never hide one.  Mentions with the
    same span (one surface, several entities) are all kept.
    """
    grouped: dict[str, dict[tuple[str, int, int], Mention]] = defaultdict(dict)
    for m in mentions:
        grouped[m.passage_id].setdefault((m.entity_id, m.start, m.end), m)
    result: dict[str, list[Mention]] = {}
    for pid, unique in grouped.items():
        spans = {(m.start, m.end) for m in unique.values() if _etype(m.entity_id) != "thema"}
        nested = _Nesting(spans)
        outer = [m for m in unique.values() if not nested(m.start, m.end)]
        result[pid] = sorted(outer, key=lambda m: (m.start, -m.end, m.entity_id))
    return result


class _Nesting:
    """Whether a span lies strictly inside one of ``spans`` (in O(log n), not O(n))."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        self.spans = sorted(spans)
        self.starts = [s for s, _ in self.spans]
        self.reach = list(accumulate((e for _, e in self.spans), max))

    def __call__(self, start: int, end: int) -> bool:
        before = bisect_left(self.starts, start)  # spans that start earlier: [:before]
        if before and self.reach[before - 1] >= end:
            return True
        same = bisect_right(self.starts, start)  # spans that start here: [before:same]
        return same > before and self.spans[same - 1][1] > end


def _gemeente_of(registry: Registry, wijk_id: str) -> str | None:
    entity = registry.get(wijk_id)
    gid = entity.attributes.get("gemeente") if entity is not None else None
    return gid if isinstance(gid, str) else None


def _places(text: str, mentions: Sequence[Mention], kinds: tuple[str, ...]) -> list[Mention]:
    """Mentions of ``kinds`` that are not part of an organisation's name."""
    return [
        m
        for m in mentions
        if _etype(m.entity_id) in kinds
        and not _ORG_BEFORE.search(text[max(m.start - 30, 0) : m.start])
        and not _ORG_AFTER.match(text[m.end : m.end + 30])
    ]


def _within(mentions: Sequence[Mention], start: int, end: int) -> list[Mention]:
    return [m for m in mentions if start <= m.start and m.end <= end]


class _Links:
    """Collects links, merged per (type, source, target) in the order evidence is added."""

    def __init__(self) -> None:
        self._links: dict[tuple[str, str, str], Link] = {}
        # The evidence of each link as a set too: a wijk named in 50,000 passages
        # would make a membership test on the list quadratic.
        self._seen: dict[tuple[str, str, str], set[str]] = {}

    def add(
        self, kind: str, source: str, target: str, passage_id: str | None, quote: Quote, origin: str
    ) -> None:
        """Add one piece of evidence; ``quote`` (or what it returns) only counts for the first."""
        key = (kind, source, target)
        link = self._links.get(key)
        if link is None:
            link = self._links[key] = Link(kind, source, target, origin=origin)
            self._seen[key] = set()
        seen = self._seen[key]
        if passage_id is not None and passage_id not in seen:
            seen.add(passage_id)
            link.evidence.append(passage_id)
            if not link.quote:
                link.quote = quote if isinstance(quote, str) else quote()

    def result(self) -> list[Link]:
        return [self._links[key] for key in sorted(self._links)]


# --------------------------------------------------------------------------- ligt_in
def _pattern_pairs(text: str, mentions: Sequence[Mention]) -> list[tuple[Mention, str]]:
    """(wijk mention, gemeente id) pairs that a text pattern relates in ``text``."""
    pairs: list[tuple[Mention, str]] = []
    types = [_etype(m.entity_id) for m in mentions]
    for i, first in enumerate(mentions):
        for j in range(i + 1, min(i + 3, len(mentions))):
            second = mentions[j]
            kinds = (types[i], types[j])
            if kinds == ("wijk", "gemeente"):
                if _WIJK_THEN_GEMEENTE.fullmatch(text[first.end : second.start]):
                    pairs.append((first, second.entity_id))
            elif kinds == ("gemeente", "wijk"):
                if _GEMEENTE_THEN_WIJK.fullmatch(text[first.end : second.start]):
                    pairs.append((second, first.entity_id))
    return pairs


def _table_pairs(passage: Passage, mentions: Sequence[Mention]) -> list[tuple[Mention, str]]:
    """(wijk, gemeente) pairs from table rows: a gemeente cell left of a wijk cell."""
    pairs: list[tuple[Mention, str]] = []
    for start, end in unit_spans(passage.text):
        row = _within(mentions, start, end)
        for wijk in (m for m in row if _etype(m.entity_id) == "wijk"):
            cell_start = passage.text.rfind(" | ", start, wijk.start)
            if cell_start < 0:
                continue
            for gem in (m for m in row if _etype(m.entity_id) == "gemeente"):
                if gem.end <= cell_start:
                    pairs.append((wijk, gem.entity_id))
    return pairs


def _gemeente_in_surface(
    surface: str, registry: Registry, cache: dict[str, str | None]
) -> str | None:
    """The gemeente named (not as adjective) inside a wijk's surface (``Utrecht Overvecht``)."""
    if surface not in cache:
        padded = f" {normalise(surface)} "
        named = [
            (len(normalise(name)), entity.id)
            for entity in registry.by_type("gemeente")
            for name in (entity.name, *(a.text for a in entity.aliases if a.kind != "adjective"))
            if normalise(name) and f" {normalise(name)} " in padded
        ]
        cache[surface] = max(named)[1] if named else None
    return cache[surface]


def stated_locations(
    passage: Passage,
    mentions: Sequence[Mention],
    registry: Registry,
    cache: dict[str, str | None] | None = None,
) -> list[tuple[Mention, str]]:
    """(wijk mention, gemeente id) pairs that ``passage`` states by a pattern or table row.

    ``mentions`` are the passage's mentions as :func:`index_mentions` returns them.
    """
    pairs = _pattern_pairs(passage.text, mentions)
    if passage.kind == "table":
        pairs += _table_pairs(passage, mentions)
    for wijk in (m for m in mentions if _etype(m.entity_id) == "wijk"):
        named = _gemeente_in_surface(wijk.surface, registry, {} if cache is None else cache)
        if named:
            pairs.append((wijk, named))
    return pairs


def _ligt_in(
    passages: Sequence[Passage], index: dict[str, list[Mention]], registry: Registry, out: _Links
) -> None:
    # wijk -> (pid, gem, quote); quotes are made only for the evidence that gives a link's quote
    stated: dict[str, list[tuple[str, str, Quote]]] = defaultdict(list)
    together: dict[str, list[tuple[str, Quote]]] = defaultdict(list)
    mentioned: dict[str, list[tuple[str, Quote]]] = defaultdict(list)
    surfaces: dict[str, str | None] = {}
    for passage in passages:
        mentions = index.get(passage.id, [])
        pairs = stated_locations(passage, mentions, registry, surfaces)
        gemeenten = {m.entity_id for m in mentions if _etype(m.entity_id) == "gemeente"}
        gemeenten |= {gid for _, gid in pairs}  # incl. a gemeente inside a wijk's name
        # Only a passage's first piece of evidence per wijk counts (``_Links.add``).
        for wijk in (m for m in mentions if _etype(m.entity_id) == "wijk"):
            if (seen := mentioned[wijk.entity_id]) and seen[-1][0] == passage.id:
                continue
            quote = partial(_evidence_quote, passage, wijk.start, wijk.end)
            seen.append((passage.id, quote))
            if _gemeente_of(registry, wijk.entity_id) in gemeenten:
                together[wijk.entity_id].append((passage.id, quote))
        for wijk, gid in pairs:
            if (found := stated[wijk.entity_id]) and found[-1][:2] == (passage.id, gid):
                continue
            quote = partial(_evidence_quote, passage, wijk.start, wijk.end)
            found.append((passage.id, gid, quote))
    for entity in registry.by_type("wijk"):
        gid = _gemeente_of(registry, entity.id)
        if gid is None:
            continue
        evidence = [(pid, q) for pid, g, q in stated[entity.id] if g == gid]
        evidence += together[entity.id] or mentioned[entity.id]
        out.add("ligt_in", entity.id, gid, None, "", "registry")
        for pid, quote in evidence:
            out.add("ligt_in", entity.id, gid, pid, quote, "registry")
    for wijk_id, hits in stated.items():
        if _gemeente_of(registry, wijk_id):
            continue  # the registry decides; contradicting patterns are ignored
        for pid, gid, quote in hits:
            out.add("ligt_in", wijk_id, gid, pid, quote, "text")


# --------------------------------------------------------------------------- deelnemer
def _section_experiment(
    passage: Passage, registry: Registry, cache: dict[str, str | None]
) -> str | None:
    """The experiment of the innermost section titled ``(Box N:) Experiment (N:) naam``."""
    for title in reversed(passage.section_path):
        if title not in cache:
            match = _SECTION_EXPERIMENT.match(title)
            hits = registry.lookup(match["name"].strip(" .:;!"), "experiment") if match else []
            cache[title] = hits[0].id if len(hits) == 1 else None
        if cache[title]:
            return cache[title]
    return None


def _participants(text: str, span: tuple[int, int], mentions: Sequence[Mention]) -> list[Mention]:
    """The gemeenten of a sentence, without those whose enumeration item starts with a hedge."""
    found = []
    for m in _places(text, _within(mentions, *span), ("gemeente",)):
        item = _ENUM_BREAK.split(text[span[0] : m.start])[-1]
        if not _HEDGE.search(item):
            found.append(m)
    return found


def _list_items(passage: Passage, mentions: Sequence[Mention]) -> list[tuple[Mention, int, int]]:
    """Units that open with ``<gemeente>:`` (items of an announced participant list)."""
    items = []
    for start, end in unit_spans(passage.text):
        first = next((m for m in mentions if start <= m.start < end), None)
        if first and first.start == start and _etype(first.entity_id) == "gemeente":
            if _COLON.match(passage.text, first.end, end):
                items.append((first, start, end))
    return items


def _deelnemer(
    passages: Sequence[Passage], index: dict[str, list[Mention]], registry: Registry, out: _Links
) -> None:
    sections: dict[str, str | None] = {}
    announced: tuple[str, tuple[str, ...], str] | None = None  # (document, section, experiment)
    for passage in passages:
        if passage.kind in ("heading", "table", "footnote"):
            if passage.kind == "heading":
                announced = None
            continue
        text, mentions = passage.text, index.get(passage.id, [])
        place = (passage.document_id, tuple(passage.section_path))
        if announced is not None and announced[:2] == place:
            items = _list_items(passage, mentions)
            for gem, start, end in items:
                quote = make_quote(text, *sentence_spans(text, (start, end))[0])
                out.add("deelnemer", announced[2], gem.entity_id, passage.id, quote, "text")
            if not items:
                announced = None
        section_exp = _section_experiment(passage, registry, sections)
        chain: str | None = None
        for span in sentence_spans(text):
            sentence = text[span[0] : span[1]]
            inside = _within(mentions, *span)
            named = {m.entity_id for m in inside if _etype(m.entity_id) == "experiment"}
            if not (named or chain or section_exp):
                chain = None  # no experiment to take part in: the cue does not matter
                continue
            cue = _PARTICIPATION.search(sentence) is not None
            listing = cue or (chain is not None and _CONTINUATION.match(sentence) is not None)
            if named:
                experiment = next(iter(named)) if len(named) == 1 else None
            else:
                experiment = chain if chain and listing else (section_exp if cue else None)
            chain = experiment if experiment and listing else None
            if experiment is None or not listing or _EXCLUSION.search(sentence):
                continue
            gemeenten = _participants(text, span, mentions)
            named_at = [m for m in inside if m.entity_id == experiment][:1]
            for gem in gemeenten:
                lo = min([gem.start, *(m.start for m in named_at)])
                quote = _quote_around(text, lo, max([gem.end, *(m.end for m in named_at)]))
                out.add("deelnemer", experiment, gem.entity_id, passage.id, quote, "text")
            if not gemeenten and cue and sentence.rstrip().endswith(":"):
                announced = (place[0], place[1], experiment)


# --------------------------------------------------------------------------- actief_in
def _actief_in(
    passages: Sequence[Passage], index: dict[str, list[Mention]], registry: Registry, out: _Links
) -> None:
    for passage in passages:
        mentions = index.get(passage.id, [])
        if passage.kind in ("heading", "table") or not mentions:
            continue
        text = passage.text
        for span in sentence_spans(text):
            inside = _within(mentions, *span)
            partners = [m for m in inside if _etype(m.entity_id) == "partner"]
            if not partners:
                continue
            sentence = text[span[0] : span[1]]
            if not _ACTIVITY.search(sentence) or _NEGATION.search(sentence):
                continue
            places = _places(text, inside, ("wijk", "gemeente"))
            wijken = [m for m in places if _etype(m.entity_id) == "wijk"]
            covered = {_gemeente_of(registry, w.entity_id) for w in wijken}
            targets = wijken + [m for m in places if m not in wijken and m.entity_id not in covered]
            for p, t in ((p, t) for p in partners for t in targets):
                quote = _quote_around(text, min(p.start, t.start), max(p.end, t.end))
                out.add("actief_in", p.entity_id, t.entity_id, passage.id, quote, "text")


# --------------------------------------------------------------------------- public API
def extract_links(
    passages: Sequence[Passage], mentions: Iterable[Mention], registry: Registry
) -> list[Link]:
    """Return the ``ligt_in``, ``deelnemer`` and ``actief_in`` links of ``passages``.

    ``passages`` are in document order (one or more documents); ``mentions`` are the
    entities recognised in them (offsets into the passage text).  Links are merged
    per (type, source, target); the evidence holds every supporting passage and the
    quote (at most :data:`QUOTE_LIMIT` characters) comes from the first.  Registry
    ``ligt_in`` links have no evidence only when no passage mentions the wijk.
    Sorted by type, source and target.
    """
    ordered = list(passages)
    index = index_mentions(mentions)
    out = _Links()
    _ligt_in(ordered, index, registry, out)
    _deelnemer(ordered, index, registry, out)
    _actief_in(ordered, index, registry, out)
    return out.result()
