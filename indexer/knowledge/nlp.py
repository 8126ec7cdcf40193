"""The spaCy pipeline that recognises registry entities in passages.

:func:`build_nlp` assembles, on ``spacy.blank("nl")`` (no model download):

1. the Dutch tokenizer, changed so that hyphens and slashes between word
   characters are tokens of their own (``Woensel-West`` → ``Woensel - West``,
   ``VROM/WWI`` → ``VROM / WWI``): a registry name and its ``-``/``/``/space variants
   then differ only in one token, and ``Rotterdam-Zuid`` exposes its gemeente;
2. a sentencizer (the lemma table of ``spacy-lookups-data`` is loaded once by
   :func:`lemma_lookups` for the thema vocabulary; no component reads
   ``token.lemma_``, so there is no lemmatizer in the pipeline);
3. ``kb_registry_ruler``: spaCy's span ruler with one phrase pattern per registry
   name, alias and spelling variant (:func:`registry_patterns`), matched on
   ``LOWER``; every pattern carries ``"id": entity_id``.  It keeps *all* matches,
   also overlapping and ambiguous ones (``Hatert`` is a wijk and a buurt), in
   ``doc.spans["kb_registry"]``;
4. the components of :mod:`indexer.knowledge.rules` (which registry matches are valid) with
   :mod:`indexer.knowledge.places` (the context rules ``wijk X``, ``X in Y``, ``Y X`` ...),
   :mod:`indexer.knowledge.persons`
   (ministers and other people named with a title) and :mod:`indexer.knowledge.resolver`
   (fuzzy matching of unmatched names, the optional statistical model, and the
   final choice: longest match wins).  They are registered below, in one place.

The result is in ``doc.ents`` (label = entity type, ``kb_id_`` = entity id) and,
with method, score and rule, in ``doc._.kb_mentions``.
"""

from __future__ import annotations

import importlib.util
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.lookups import Lookups, load_lookups
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

from indexer.knowledge.candidates import cased_words
from indexer.knowledge.persons import PersonRules
from indexer.knowledge.resolver import FuzzyMatcher, Resolver, StatisticalNER
from indexer.knowledge.rules import COMPASS_WORDS, SPANS_KEY, ContextRules
from indexer.knowledge.settings import RecognitionSettings
from kennisbank.registry import GENERIC_WORDS, Registry, normalise

#: Entity types that the pipeline recognises by name (thema's are recognised per
#: passage, see :meth:`indexer.knowledge.extract.EntityExtractor.thema_mentions`).
NAMED_TYPES: tuple[str, ...] = (
    "gemeente",
    "wijk",
    "buurt",
    "experiment",
    "partner",
    "organisatie",
)

_APOSTROPHES = ("'", "’", "´", "‘")
_HYPHEN_OR_SLASH = ("-", "/")


# --------------------------------------------------------------------------- patterns
def _fold_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def name_variants(text: str) -> list[str]:
    """Spelling variants of a registry name that the text may use.

    The name itself; accents folded; every apostrophe form (``'s-``, ``’s-``,
    ``´s-``); hyphens and slashes between words swapped for each other and for a
    space (``Woensel-West``, ``Woensel West``, ``Woensel/West``); ``&`` and ``en``
    swapped.  Case does not matter (the patterns match on lowercase).
    """
    variants = {text, _fold_accents(text)}
    for apostrophe in _APOSTROPHES:
        for base in list(variants):
            if any(a in base for a in _APOSTROPHES):
                swapped = base
                for other in _APOSTROPHES:
                    swapped = swapped.replace(other, apostrophe)
                variants.add(swapped)
    for base in list(variants):
        for sep in (*_HYPHEN_OR_SLASH, " "):
            swapped = "".join(
                sep
                if ch in _HYPHEN_OR_SLASH and 0 < i < len(base) - 1 and _between_words(base, i)
                else ch
                for i, ch in enumerate(base)
            )
            variants.add(swapped)
    for base in list(variants):
        if " & " in base:
            variants.add(base.replace(" & ", " en "))
        if " en " in base:
            variants.add(base.replace(" en ", " & "))
    return sorted(v for v in variants if v.strip())


def _between_words(text: str, i: int) -> bool:
    return text[i - 1].isalnum() and text[i + 1].isalnum()


def registry_patterns(registry: Registry) -> list[dict[str, str]]:
    """Span-ruler patterns for every name, alias and variant of the named entity types.

    Each pattern is ``{"label": <type>, "pattern": <text>, "id": <entity id>}``;
    generic words (:data:`~kennisbank.registry.GENERIC_WORDS`) are never patterns.
    Compass names (``Oost``) are patterns too: the context rules decide when they
    name a wijk.
    """
    patterns: list[dict[str, str]] = []
    for entity in registry.all():
        if entity.type not in NAMED_TYPES:
            continue
        seen: set[str] = set()
        for name in entity.names:
            if normalise(name) in GENERIC_WORDS:
                continue
            for variant in name_variants(name):
                if variant.lower() not in seen:
                    seen.add(variant.lower())
                    patterns.append({"label": entity.type, "pattern": variant, "id": entity.id})
    return patterns


def registry_table(registry: Registry) -> dict[str, Any]:
    """The facts about named entities the pipeline components need, as plain JSON data.

    ``{"entities": {id: {"type", "gemeente", "origin", "name", "keys"}}}`` where
    ``keys`` maps each normalised name of the entity to flags: ``acronym`` (every
    form with this key is written in capitals: ``TAS``, ``CWI``), ``lower`` (the
    registry has an all-lowercase form), ``compass`` (the key consists of compass
    words only: ``oost``, ``zuid west``), ``adjective`` (``Haagse``) and ``caps`` (the
    positions after the first of the words that every form with this key capitalises:
    ``[1]`` for ``De Hoogte``, so that ``De hoogte van de uitkering`` is no name).
    """
    entities: dict[str, Any] = {}
    for entity in registry.all():
        if entity.type not in NAMED_TYPES:
            continue
        kinds = {alias.text: alias.kind for alias in entity.aliases}
        keys: dict[str, dict[str, Any]] = {}
        for text in entity.names:
            key = normalise(text)
            if not key or key in GENERIC_WORDS:
                continue
            flags = keys.setdefault(
                key,
                {
                    "acronym": True,
                    "lower": False,
                    "compass": all(word in COMPASS_WORDS for word in key.split()),
                    "adjective": False,
                    "caps": None,
                },
            )
            capitalised = [
                i for i, word in enumerate(cased_words(text)) if i > 0 and word[:1].isupper()
            ]
            caps = flags["caps"]
            flags["caps"] = capitalised if caps is None else [i for i in caps if i in capitalised]
            flags["acronym"] = flags["acronym"] and not any(c.islower() for c in text)
            flags["lower"] = flags["lower"] or not any(c.isupper() for c in text)
            flags["adjective"] = flags["adjective"] or kinds.get(text) == "adjective"
        gemeente = entity.attributes.get("gemeente")
        entities[entity.id] = {
            "type": entity.type,
            "gemeente": gemeente if isinstance(gemeente, str) else None,
            "origin": entity.origin,
            "name": normalise(entity.name),
            "keys": keys,
        }
    return {"entities": entities}


# --------------------------------------------------------------------------- tokenizer
TOKENIZER_NAME = "kennisbank.dutch_tokenizer.v1"


def make_tokenizer(nlp: Language) -> Tokenizer:
    """The Dutch tokenizer, also splitting hyphens and slashes between word characters.

    ``Wielwijk/Crabbehof`` → ``Wielwijk / Crabbehof``, ``'s-Gravenhage`` →
    ``'s - Gravenhage``, ``Noord/`` → ``Noord /``.  Line-end hyphens followed by a
    space (``leer- werkplekken``) stay attached.
    """
    defaults = nlp.Defaults
    infixes = [*defaults.infixes, r"(?<=[\w.'’´])[-/](?=[\w'’´])", r"(?<=\w)&(?=\w)"]
    suffixes = [*defaults.suffixes, r"(?<=\w)/"]
    return Tokenizer(
        nlp.vocab,
        rules=defaults.tokenizer_exceptions,
        prefix_search=compile_prefix_regex(defaults.prefixes).search,
        suffix_search=compile_suffix_regex(suffixes).search,
        infix_finditer=compile_infix_regex(infixes).finditer,
        token_match=defaults.token_match,
        url_match=defaults.url_match,
    )


@spacy.registry.tokenizers(TOKENIZER_NAME)
def _tokenizer_factory() -> Callable[[Language], Tokenizer]:
    return make_tokenizer


# --------------------------------------------------------------------------- lemmas
@lru_cache(maxsize=1)
def lemma_lookups() -> Lookups:
    """The Dutch lookup-lemmatizer table from ``spacy-lookups-data``, loaded once."""
    return load_lookups("nl", ["lemma_lookup"])


# --------------------------------------------------------------------------- model
def statistical_model_available(name: str | None) -> bool:
    """True when ``name`` is an installed spaCy pipeline package or a saved pipeline folder."""
    if not name:
        return False
    path = Path(name)
    if path.is_dir() and (path / "config.cfg").is_file():
        return True
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


# --------------------------------------------------------------------------- factories
# All custom components are registered here, in one place.  Each is a class
# ``(nlp, name, *, options)`` whose ``__call__`` finds and annotates.
Language.factory("kb_context_rules", default_config={"options": {}}, func=ContextRules)
Language.factory("kb_person_rules", default_config={"options": {}}, func=PersonRules)
Language.factory("kb_fuzzy_matcher", default_config={"options": {}}, func=FuzzyMatcher)
Language.factory("kb_statistical_ner", default_config={"options": {}}, func=StatisticalNER)
Language.factory("kb_resolver", default_config={"options": {}}, func=Resolver)

for _extension in ("kb_candidates", "kb_mentions", "kb_prefer"):
    if not Doc.has_extension(_extension):
        Doc.set_extension(_extension, default=None)


def build_nlp(registry: Registry, *, settings: RecognitionSettings | None = None) -> Language:
    """Build the recognition pipeline for ``registry`` (see the module docstring).

    Runs offline: ``spacy.blank("nl")`` plus lookup tables; a statistical model is
    added only when ``settings.use_statistical_model`` names one that is available.
    """
    settings = settings or RecognitionSettings()
    nlp = spacy.blank("nl", config={"nlp": {"tokenizer": {"@tokenizers": TOKENIZER_NAME}}})
    nlp.add_pipe("sentencizer")
    ruler = nlp.add_pipe(
        "span_ruler",
        name="kb_registry_ruler",
        config={
            "spans_key": SPANS_KEY,
            "phrase_matcher_attr": "LOWER",
            "spans_filter": None,
            "annotate_ents": False,
            "overwrite": True,
            "validate": False,
        },
    )
    ruler.add_patterns(registry_patterns(registry))
    table = registry_table(registry)
    nlp.add_pipe("kb_context_rules", config={"options": {"table": table}})
    nlp.add_pipe("kb_person_rules", config={"options": {}})
    nlp.add_pipe(
        "kb_fuzzy_matcher",
        config={
            "options": {
                "table": table,
                "threshold": float(settings.fuzzy_threshold),
                "min_length": int(settings.min_fuzzy_length),
            }
        },
    )
    if statistical_model_available(settings.use_statistical_model):
        nlp.add_pipe(
            "kb_statistical_ner",
            config={"options": {"model": str(settings.use_statistical_model), "table": table}},
        )
    nlp.add_pipe("kb_resolver", config={"options": {}})
    return nlp


__all__ = [
    "NAMED_TYPES",
    "build_nlp",
    "make_tokenizer",
    "lemma_lookups",
    "name_variants",
    "registry_patterns",
    "registry_table",
    "statistical_model_available",
]
