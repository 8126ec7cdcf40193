"""Build ``kennisbank/data/thesaurus_lexicon.json`` from general Dutch lexicons.

The input is the folder ``../shared/data/lexicons`` (Open Multilingual Wordnet tab
files: ``wn-data-nld.tab``, Open Dutch WordNet, CC BY-SA 4.0; ``wn-wikt-nld.tab``,
Dutch Wiktionary lemmas on the same synsets, CC BY-SA 3.0).  Words sharing a synset
id are (near-)synonyms in one sense, but the resources are broad and polysemous
(``huis`` shares a synset with ``familie``), so a synset becomes a thesaurus group
only when, after filtering its members,

* it is a noun or verb synset (``-n``/``-v``);
* no member is a word of the name of a gemeente, wijk or buurt in the registry
  (``haag`` of ``Den Haag`` is not ``heg``);
* every member is a word of 1–3 tokens of letters, not a stopword, whose stems
  (``huizen`` and ``huis`` alike) are in at most :data:`MAX_SENSES` synsets of the
  two resources together (polysemy), with a
  wordfreq Zipf frequency of at most :data:`MAX_ZIPF` (very frequent words are the
  ambiguous ones); a member that is not in the reports needs a Zipf frequency of
  at least :data:`MIN_ZIPF` (a word people type, not ``abbreviëren``);
* at most :data:`MAX_MEMBERS` distinct members are left (small synsets are precise);
* at least one member occurs in the reports (its analysed stems are in the stems of
  ``corpus/*.txt``) and another member analyses to different stems.

Each group gets the resource(s) and synset id as its source and the weight
:data:`WEIGHT` (a general-language synonym counts for little next to the typed
word).  The output is deterministic: groups sorted by synset id, terms corpus
words first, then alphabetically.  ``tests/test_thesaurus_sources.py`` re-runs
:func:`build` and compares it with the committed file.

Usage::

    python -m benchmarks.build_thesaurus [--lexicons DIR] [--corpus DIR] [--out FILE]
    python -m benchmarks.build_thesaurus --cite kennisbank/data/thesaurus_everyday.json

``--cite`` is for the curated everyday file: every group without sources gets, for
each of its ``terms`` (the reports' words), the first corpus line that uses it
(document, line, quote), ``"algemeen Nederlands"`` for its ``everyday`` words, and
the synset of a lexicon that holds one of its terms and one of its everyday words.
A term the reports do not use is printed (and the group left without sources).
"""

from __future__ import annotations

import argparse
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from wordfreq import zipf_frequency

from kennisbank.registry import Registry
from kennisbank.search.language import DATA_DIR, is_stopword, query_terms
from kennisbank.search.thesaurus import term_key

ROOT = Path(__file__).resolve().parent.parent
LEXICONS = ROOT.parent / "shared" / "data" / "lexicons"
CORPUS = ROOT / "corpus"
OUT = DATA_DIR / "thesaurus_lexicon.json"

#: The resources: file name → (name in the sources, licence).
RESOURCES: dict[str, tuple[str, str]] = {
    "wn-data-nld.tab": ("Open Dutch WordNet (VU Amsterdam, via OMW)", "CC BY-SA 4.0"),
    "wn-wikt-nld.tab": ("Wiktionary (Bond & Foster 2013, via OMW)", "CC BY-SA 3.0"),
}
#: Weight of an expansion from these groups.
WEIGHT = 0.25
#: Filters (see the module docstring).
MAX_SENSES, MAX_ZIPF, MIN_ZIPF, MAX_MEMBERS, MAX_WORDS = 2, 5.0, 2.5, 5, 3
POS = ("n", "v")

_LEMMA = re.compile(r"^[a-zà-ÿ][a-zà-ÿ' -]*[a-zà-ÿ]$")


def read_lexicons(folder: Path) -> dict[str, dict[str, set[str]]]:
    """``synset id → lemma → resource files`` over every known tab file in ``folder``."""
    synsets: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for name in sorted(RESOURCES):
        path = folder / name
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 3 or not parts[1].endswith(":lemma"):
                continue
            synset, lemma = parts[0], parts[2].strip().lower().replace("_", " ")
            synsets[synset][lemma].add(name)
    return synsets


def corpus_stems(folder: Path) -> set[str]:
    """The analysed (stemmed) words of ``folder/*.txt``."""
    stems: set[str] = set()
    for path in sorted(folder.glob("*.txt")):
        stems.update(query_terms(path.read_text(encoding="utf-8")))
    return stems


#: Registry types whose names a lexicon member may not contain.
PLACE_TYPES = ("gemeente", "wijk", "buurt")


def registry_words(registry: Registry | None = None) -> frozenset[str]:
    """Every word of the names and aliases of gemeenten, wijken and buurten (``haag`` …)."""
    registry = registry if registry is not None else Registry.load()
    return frozenset(
        w
        for kind in PLACE_TYPES
        for e in registry.by_type(kind)
        for n in e.names
        for w in term_key(n).split()
    )


def _usable(lemma: str, senses: int, names: frozenset[str] = frozenset()) -> bool:
    """A member worth keeping: plain words, few senses, not very frequent, no name."""
    words = lemma.split()
    if not _LEMMA.match(lemma) or len(words) > MAX_WORDS or len(lemma) < 3:
        return False
    if any(w in names for w in term_key(lemma).split()):
        return False
    if all(is_stopword(w) for w in words) or senses > MAX_SENSES:
        return False
    return zipf_frequency(lemma, "nl") <= MAX_ZIPF


def _group(
    synset: str,
    members: dict[str, set[str]],
    senses: dict[tuple[str, ...], int],
    stems: set[str],
    names: frozenset[str] = frozenset(),
) -> dict[str, Any] | None:
    """The thesaurus group of one synset, or ``None`` when it does not pass the filters."""
    kept: dict[tuple[str, ...], str] = {}
    for lemma in sorted(members):
        key = tuple(query_terms(lemma))
        if key and key not in kept and _usable(lemma, senses[key], names):
            kept[key] = lemma
    if not 2 <= len(kept) <= MAX_MEMBERS:
        return None
    in_corpus = sorted(lemma for key, lemma in kept.items() if set(key) <= stems)
    others = sorted(
        lemma
        for lemma in kept.values()
        if lemma not in in_corpus and zipf_frequency(lemma, "nl") >= MIN_ZIPF
    )
    if not in_corpus or len(in_corpus) + len(others) < 2:
        return None
    files = sorted({f for lemma in kept.values() for f in members[lemma]})
    return {
        "kind": "lexicon",
        "weight": WEIGHT,
        "terms": in_corpus + others,
        "sources": [
            {"resource": RESOURCES[f][0], "licence": RESOURCES[f][1], "synset": synset}
            for f in files
        ],
    }


def build(lexicons: Path = LEXICONS, corpus: Path = CORPUS) -> dict[str, Any]:
    """The content of ``thesaurus_lexicon.json`` (see the module docstring)."""
    synsets = read_lexicons(lexicons)
    senses: dict[tuple[str, ...], int] = defaultdict(int)
    for members in synsets.values():
        for key in {tuple(query_terms(lemma)) for lemma in members}:
            senses[key] += 1
    stems = corpus_stems(corpus)
    names = registry_words()
    groups = [
        group
        for synset in sorted(synsets)
        if synset.rsplit("-", 1)[-1] in POS
        if (group := _group(synset, synsets[synset], senses, stems, names)) is not None
    ]
    return {
        "description": (
            "Algemeen-Nederlandse synoniemen uit Open Dutch WordNet en Wiktionary (via de "
            "Open Multilingual Wordnet), beperkt tot synsets met een woord uit de rapporten; "
            "gemaakt door benchmarks/build_thesaurus.py. Zie SOURCES.md."
        ),
        "attribution": [
            f"{name}: {licence}; afgeleide data, gedeeld onder dezelfde licentie"
            for name, licence in (RESOURCES[f] for f in sorted(RESOURCES))
        ],
        "settings": {
            "weight": WEIGHT,
            "max_senses": MAX_SENSES,
            "max_zipf": MAX_ZIPF,
            "min_zipf": MIN_ZIPF,
            "max_members": MAX_MEMBERS,
            "pos": list(POS),
        },
        "entities": [],
        "groups": groups,
    }


def _line_quote(words: list[str], stems: list[str]) -> str | None:
    """The words of one line around the first place its stems contain ``stems``."""
    analysed = [query_terms(w) for w in words]
    for i in range(len(words)):
        found: list[str] = []
        j = i
        while j < len(words) and len(found) < len(stems):
            found += analysed[j]
            j += 1
            if found != stems[: len(found)]:
                break
        if found == stems and analysed[i]:
            return " ".join(words[max(0, i - 3) : j + 6])
    return None


def corpus_source(term: str, corpus: Path = CORPUS) -> dict[str, Any] | None:
    """The first line of ``corpus/*.txt`` using ``term`` (on its stems), as a source."""
    stems = query_terms(term)
    if not stems:
        return None
    for path in sorted(corpus.glob("*.txt")):
        for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
            quote = _line_quote(line.split(), stems)
            if quote:
                return {"document": path.stem, "line": number, "quote": quote}
    return None


def lexicon_sources(
    terms: Iterable[str], everyday: Iterable[str], synsets: dict[str, dict[str, set[str]]]
) -> list[dict[str, Any]]:
    """The lexicon synsets that hold one of ``terms`` and one of ``everyday``."""
    ours = {tuple(query_terms(t)) for t in terms}
    theirs = {tuple(query_terms(t)) for t in everyday}
    found = []
    for synset in sorted(synsets):
        keys = {tuple(query_terms(lemma)): lemma for lemma in synsets[synset]}
        if ours & keys.keys() and theirs & keys.keys():
            files = sorted({f for members in synsets[synset].values() for f in members})
            found += [
                {"resource": RESOURCES[f][0], "licence": RESOURCES[f][1], "synset": synset}
                for f in files
            ]
    return found


def cite(path: Path, lexicons: Path = LEXICONS, corpus: Path = CORPUS) -> list[str]:
    """Add sources to the groups of ``path`` that have none; return the problems."""
    payload = json.loads(path.read_text(encoding="utf-8"))
    synsets = read_lexicons(lexicons) if lexicons.is_dir() else {}
    problems = []
    for group in payload["groups"]:
        if group.get("sources"):
            continue
        sources: list[Any] = []
        missing = [t for t in group["terms"] if corpus_source(t, corpus) is None]
        problems += [f"niet in het corpus: {term!r}" for term in missing]
        for term in group["terms"]:
            source = corpus_source(term, corpus)
            if source is not None and source not in sources:
                sources.append(source)
        if not missing:
            sources.append("algemeen Nederlands")
            sources += lexicon_sources(group["terms"], group.get("everyday", ()), synsets)
            group["sources"] = sources
    path.write_text(dumps(payload), encoding="utf-8")
    return problems


def dumps(payload: dict[str, Any]) -> str:
    """The file text: stable JSON, one space indent, a final newline."""
    return json.dumps(payload, ensure_ascii=False, indent=1) + "\n"


def main(argv: Iterable[str] | None = None) -> int:
    """Write the lexicon thesaurus file; print the number of groups."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lexicons", type=Path, default=LEXICONS)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--cite", type=Path, help="add sources to a curated thesaurus file")
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.cite:
        problems = cite(args.cite, args.lexicons, args.corpus)
        print("\n".join(problems) or "alle termen gevonden")
        return 1 if problems else 0
    payload = build(args.lexicons, args.corpus)
    args.out.write_text(dumps(payload), encoding="utf-8")
    print(f"{len(payload['groups'])} groepen → {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
