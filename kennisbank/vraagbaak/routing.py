"""Route a new question to the kenniscentrum with the most fitting expertise.

Without spaCy, with what the product already has:

1. **Thema's** — the indicative words of each thema in the registry
   (``themas.json``, attribute ``vocabulaire``) plus the routing table's extra words
   per thema are compared with the question on their stems
   (:func:`kennisbank.search.language.stem`), multi-word entries as a whole.  Everyday
   words reach the policy words through the thesaurus (``thesaurus.json`` and
   ``thesaurus_everyday.json``): ``hangjongeren`` → ``overlastgevende jongeren`` counts
   for *veiligheid* with the thesaurus weight (0.8) instead of 1.
2. **Centres** — score = Σ thema score × the centre's weight for that thema + the
   weights of the centre's own words found (``sport`` → NISB).
3. **Decision** — the best centre wins; no score, or a tie at the top, sends the
   question to the general queue (``centrum=None``) with the reason
   "geen duidelijk thema".  The reason names the thema and the words that decided
   ("thema veiligheid (woorden: overlast, hangjongeren) → CCV").

:meth:`Router.entities` finds the registry's wijken, gemeenten, experiments and
partners a text names (used to link a published answer to what it is about): a name
or alias counts when it names exactly one entity and, as typed, starts with a capital
(``De Hoogte`` the wijk, not "op de hoogte"; ``Noord`` names several wijken and counts
for none).  A wijk brings its gemeente along.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from kennisbank.registry import Registry
from kennisbank.search.language import (
    DATA_DIR,
    TOKEN_RE,
    fold,
    is_stopword,
    stem,
    variants,
)
from kennisbank.search.questions import is_filler, question_words
from kennisbank.search.thesaurus import Thesaurus, ThesaurusMatch
from kennisbank.vraagbaak.centra import CentreInfo, RoutingTable, load_table
from kennisbank.vraagbaak.models import RoutingDecision

#: The reason of a question that goes to the general queue.
UNCLEAR = "geen duidelijk thema"
#: Thesaurus files whose groups lead from everyday words to the reports' words.
THESAURUS_FILES = ("thesaurus.json", "thesaurus_everyday.json")
#: Two centre scores closer than this are a tie.
_TIE = 1e-6
#: Entity types :meth:`Router.entities` looks for in a text.
ENTITY_TYPES = ("wijk", "gemeente", "experiment", "partner")


@dataclass
class _Hits:
    """Words found for one thema or centre: stem key → (surface, weight)."""

    words: dict[str, tuple[str, float]] = field(default_factory=dict)

    def add(self, key: str, surface: str, weight: float) -> None:
        if key not in self.words or self.words[key][1] < weight:
            self.words[key] = (surface, weight)

    @property
    def score(self) -> float:
        return sum(weight for _, weight in self.words.values())

    def surfaces(self) -> list[str]:
        return list(dict.fromkeys(surface for surface, _ in self.words.values()))


def _tokens(text: str) -> list[tuple[str, str]]:
    """(surface, stem) of every non-stopword in ``text``, as the search analyzer sees it."""
    found = []
    for match in TOKEN_RE.finditer(text):
        word = variants(match.group(0).lower())[0]
        word = fold(word).strip() if word else word
        if word and not is_stopword(word):
            found.append((match.group(0), stem(word)))
    return found


def _question_frame(match: ThesaurusMatch) -> bool:
    """A thesaurus match on a word that only makes the text a question: a question
    filler, or the verb opening a yes/no question (``Komen er …``, ``Gaan …``)."""
    word = match.text.lower()
    return is_filler(word) or (match.start == 0 and word in question_words().openings)


def _stems(text: str) -> tuple[str, ...]:
    return tuple(s for _, s in _tokens(text))


def _thesaurus() -> Thesaurus:
    thesaurus = Thesaurus()
    for name in THESAURUS_FILES:
        for group in Thesaurus.load(path=DATA_DIR / name, with_registry=False).groups():
            thesaurus.add(group)
    return thesaurus


class _Lexicon:
    """Stem sequences → the owners (thema ids or centre codes) they indicate."""

    def __init__(self) -> None:
        self.entries: dict[tuple[str, ...], list[tuple[str, float]]] = {}

    def add(self, phrase: str, owner: str, weight: float) -> None:
        key = _stems(phrase)
        if key:
            self.entries.setdefault(key, []).append((owner, weight))

    def scan(self, tokens: list[tuple[str, str]], hits: dict[str, _Hits]) -> None:
        """Add every entry found in ``tokens`` (longest at each position) to ``hits``."""
        stems = [s for _, s in tokens]
        longest = max((len(k) for k in self.entries), default=0)
        for start in range(len(stems)):
            for size in range(min(longest, len(stems) - start), 0, -1):
                key = tuple(stems[start : start + size])
                owners = self.entries.get(key)
                if owners:
                    surface = " ".join(t for t, _ in tokens[start : start + size])
                    for owner, weight in owners:
                        hits.setdefault(owner, _Hits()).add(" ".join(key), surface, weight)
                    break

    def lookup(self, phrase: str) -> list[tuple[str, float]]:
        return self.entries.get(_stems(phrase), [])


class Router:
    """Classifies a question's thema's and picks a centre (see the module docstring)."""

    def __init__(
        self,
        table: RoutingTable | None = None,
        registry: Registry | None = None,
        thesaurus: Thesaurus | None = None,
    ) -> None:
        self.table = table or load_table()
        self.registry = registry or Registry.load()
        self.thesaurus = thesaurus or _thesaurus()
        self.thema_names = {e.id: e.name.lower() for e in self.registry.by_type("thema")}
        self.themas = _Lexicon()
        for entity in self.registry.by_type("thema"):
            for word in (entity.name, *entity.attributes.get("vocabulaire", ())):
                self.themas.add(str(word), entity.id, 1.0)
        for thema_id, words in self.table.thema_words.items():
            for word in words:
                self.themas.add(word, thema_id, 1.0)
        self.centre_words = _Lexicon()
        for centre in self.table.centres:
            for word in centre.woorden:
                self.centre_words.add(word.value, centre.code, word.weight)
        self._entity_names: _Lexicon | None = None

    # ------------------------------------------------------------------ entities
    def _entity_lexicon(self) -> _Lexicon:
        if self._entity_names is None:
            lexicon = _Lexicon()
            for entity_type in ENTITY_TYPES:
                for entity in self.registry.by_type(entity_type):
                    for name in entity.names:
                        if len(self.registry.lookup(name)) == 1:
                            lexicon.add(name, entity.id, 1.0)
            self._entity_names = lexicon
        return self._entity_names

    def entities(self, text: str) -> list[str]:
        """Ids of the entities of :data:`ENTITY_TYPES` that ``text`` names, in text order
        (see the module docstring for what counts as naming one)."""
        lexicon = self._entity_lexicon()
        tokens = _tokens(text)
        stems = [s for _, s in tokens]
        capital = [t[:1].isupper() for t, _ in tokens]
        longest = max((len(k) for k in lexicon.entries), default=0)
        found: dict[str, None] = {}
        start = 0
        while start < len(stems):
            size = 0
            if capital[start]:
                for size in range(min(longest, len(stems) - start), 0, -1):
                    owners = lexicon.entries.get(tuple(stems[start : start + size]))
                    if owners:
                        found.update((owner, None) for owner, _ in owners)
                        break
                else:
                    size = 0
            start += max(size, 1)
        for entity_id in list(found):  # a wijk is about its gemeente too
            entity = self.registry.get(entity_id)
            gemeente = entity.attributes.get("gemeente") if entity else None
            if isinstance(gemeente, str) and gemeente in self.registry:
                found.setdefault(gemeente, None)
        return list(found)

    # ------------------------------------------------------------------ thema's
    def classify(self, text: str) -> dict[str, list[str]]:
        """The thema's of ``text``, best first: thema id → the words that indicate it."""
        hits = self._thema_hits(text)
        ranked = sorted(hits.items(), key=lambda item: (-item[1].score, item[0]))
        return {thema: found.surfaces() for thema, found in ranked}

    def _thema_hits(self, text: str) -> dict[str, _Hits]:
        hits: dict[str, _Hits] = {}
        self.themas.scan(_tokens(text), hits)
        for match in self.thesaurus.find(text):
            if _question_frame(match):  # "Komen er …": a question's verb, not "ontmoeten"
                continue
            for expansion, weight in match.expansions:
                for thema_id, base in self.themas.lookup(expansion):
                    key = " ".join(_stems(match.text))
                    hits.setdefault(thema_id, _Hits()).add(key, match.text, base * weight)
        return hits

    # ------------------------------------------------------------------ routing
    def route(self, text: str) -> RoutingDecision:
        """Where ``text`` goes, with a Dutch reason naming the thema and the words."""
        themas = self._thema_hits(text)
        own: dict[str, _Hits] = {}
        self.centre_words.scan(_tokens(text), own)
        ordered = tuple(t for t, _ in sorted(themas.items(), key=lambda i: (-i[1].score, i[0])))
        scores = {c.code: self._score(c, themas, own.get(c.code)) for c in self.table.centres}
        ranked = sorted(scores.items(), key=lambda item: -item[1])
        if not ranked or ranked[0][1] <= 0:
            return RoutingDecision(None, UNCLEAR, ordered)
        best, top = ranked[0]
        tied = [code for code, score in ranked if abs(score - top) < _TIE]
        if len(tied) > 1:
            reason = (
                f"{UNCLEAR}: {self._explain(themas, own, tied)} → gelijk voor {', '.join(tied)}"
            )
            return RoutingDecision(None, reason, ordered)
        return RoutingDecision(best, f"{self._explain(themas, own, [best])} → {best}", ordered)

    @staticmethod
    def _score(centre: CentreInfo, themas: dict[str, _Hits], own: _Hits | None) -> float:
        score = sum(hits.score * centre.thema_weight(t) for t, hits in themas.items())
        return score + (own.score if own else 0.0)

    def _explain(
        self, themas: dict[str, _Hits], own: dict[str, _Hits], codes: Iterable[str]
    ) -> str:
        parts = []
        for code in codes:
            centre = self.table.get(code)
            assert centre is not None
            for thema_id, hits in themas.items():
                if centre.thema_weight(thema_id) > 0:
                    name = self.thema_names.get(thema_id, thema_id)
                    parts.append(f"thema {name} (woorden: {', '.join(hits.surfaces())})")
            if code in own:
                parts.append(f"eigen woorden van {code} ({', '.join(own[code].surfaces())})")
        return "; ".join(dict.fromkeys(parts))


@lru_cache(maxsize=1)
def default_router() -> Router:
    """The router over the shipped routing table, registry and thesaurus (built once)."""
    return Router()


def route(text: str) -> RoutingDecision:
    """Route ``text`` with :func:`default_router`."""
    return default_router().route(text)


__all__ = ["UNCLEAR", "Router", "RoutingDecision", "default_router", "route"]
