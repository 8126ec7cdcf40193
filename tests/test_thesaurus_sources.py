"""The thesaurus files beyond thesaurus.json: everyday words and general Dutch lexicons.

``thesaurus_everyday.json`` (curated: everyday words → the reports' policy words) and
``thesaurus_lexicon.json`` (made by ``benchmarks/build_thesaurus.py`` from Open Dutch
WordNet and Wiktionary): sources, weights, one-way everyday words, the polysemy filter
and the builder's determinism.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from benchmarks import build_thesaurus
from kennisbank.search.language import DATA_DIR
from kennisbank.search.thesaurus import Thesaurus, ThesaurusGroup, term_key, thesaurus_files

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
EVERYDAY = DATA_DIR / "thesaurus_everyday.json"
LEXICON = DATA_DIR / "thesaurus_lexicon.json"
GENERAL = {"domain term", "algemeen Nederlands"}


@pytest.fixture(scope="module")
def th() -> Thesaurus:
    return Thesaurus.load(with_registry=False)


def expanded(th: Thesaurus, word: str) -> dict[str, float]:
    return {term_key(t): w for t, w in th.expand(word)}


def test_the_extra_files_are_read_after_thesaurus_json() -> None:
    names = [p.name for p in thesaurus_files()]
    assert names[0] == "thesaurus.json"
    assert {"thesaurus_everyday.json", "thesaurus_lexicon.json"} <= set(names)


@pytest.mark.parametrize("path", [EVERYDAY, LEXICON], ids=lambda p: p.name)
def test_every_group_has_a_source_and_weights_in_range(path: Path) -> None:
    payload = json.loads(path.read_text(encoding="utf-8"))
    assert payload["entities"] == []  # kennisbank.registry reads every data/*.json
    docs = {p.stem: p.read_text(encoding="utf-8").split("\n") for p in CORPUS.glob("*.txt")}
    for group in payload["groups"]:
        assert group["sources"], group["terms"]
        assert 0 < group["weight"] < 1
        assert 0 < group.get("term_weight", group["weight"]) <= group["weight"]
        for source in group["sources"]:
            if isinstance(source, str):
                assert source in GENERAL
            elif "document" in source:
                lines = docs[source["document"]]
                start = source["line"] - 1
                window = re.sub(r"\s+", " ", " ".join(lines[start : start + 4]))
                assert source["quote"] in window, source
                assert source["quote"].split()[0] in lines[start], source
            else:
                assert source["synset"] and "CC BY-SA" in source["licence"], source


def test_everyday_groups_cite_the_reports_and_general_usage() -> None:
    payload = json.loads(EVERYDAY.read_text(encoding="utf-8"))
    assert len(payload["groups"]) >= 150
    for group in payload["groups"]:
        assert group["everyday"], group["terms"]
        assert "algemeen Nederlands" in group["sources"]
        assert any(isinstance(s, dict) and "document" in s for s in group["sources"])


@pytest.mark.parametrize(
    ("everyday", "policy"),
    [
        ("buurtagent", "wijkagent"),
        ("buurtagenten", "wijkagent"),
        ("woningbouwverenigingen", "woningcorporatie"),
        ("huizen", "woningen"),
        ("zonder werk", "werkloosheid"),
        ("hangjongeren", "overlastgevende jongeren"),
        ("wiet", "hennepteelt"),
        ("wijkzuster", "wijkverpleegkundige"),
        ("schooluitvallers", "voortijdig schoolverlaten"),
        ("obesitas", "overgewicht"),
    ],
)
def test_everyday_words_reach_the_policy_words(th: Thesaurus, everyday: str, policy: str) -> None:
    assert expanded(th, everyday).get(term_key(policy)) == 0.8


def test_everyday_words_are_never_expansions(th: Thesaurus) -> None:
    # the reports do not say buurtagent: searching for it would only cost time
    assert "buurtagent" not in expanded(th, "wijkagent")
    assert "woningbouwvereniging" not in expanded(th, "corporaties")


def test_policy_words_expand_to_each_other_with_the_lower_weight(th: Thesaurus) -> None:
    assert expanded(th, "vouchers")["bewonersbudgetten"] == 0.4
    assert expanded(th, "buurtgeld")["bewonersbudgetten"] == 0.8


def test_term_weight_unit() -> None:
    group = ThesaurusGroup(("wijkagent", "politie"), weight=0.8, everyday=("buurtagent",))
    own = Thesaurus([ThesaurusGroup(**{**group.__dict__, "term_weight": 0.3})])
    assert own.expand("buurtagent") == [("wijkagent", 0.8), ("politie", 0.8)]
    assert own.expand("wijkagent") == [("politie", 0.3)]
    assert Thesaurus([group]).expand("wijkagent") == [("politie", 0.8)]


def test_lexicon_groups_expand_with_a_low_weight(th: Thesaurus) -> None:
    assert expanded(th, "schutting").get("hekwerk") == 0.25
    assert expanded(th, "participatie").get("deelname") == 0.25


def test_polysemous_lexicon_members_are_filtered_out(th: Thesaurus) -> None:
    # huis shares a synset with familie (a house = a family line): too many senses
    assert "familie" not in expanded(th, "huis")
    assert "familie" not in expanded(th, "huizen")
    lexicon = json.loads(LEXICON.read_text(encoding="utf-8"))
    members = {term_key(t) for g in lexicon["groups"] for t in g["terms"]}
    assert not {"huis", "huizen", "familie"} & members


@pytest.mark.skipif(not build_thesaurus.LEXICONS.is_dir(), reason="lexicons not available")
def test_builder_output_equals_the_committed_file() -> None:
    payload = build_thesaurus.build(build_thesaurus.LEXICONS, CORPUS)
    assert build_thesaurus.dumps(payload) == LEXICON.read_text(encoding="utf-8")
    assert build_thesaurus.build(build_thesaurus.LEXICONS, CORPUS) == payload


def test_corpus_source_finds_inflected_forms() -> None:
    source = build_thesaurus.corpus_source("wijkagent", CORPUS)
    assert source is not None and "Wijkagenten" in source["quote"]
    assert build_thesaurus.corpus_source("buurtagent", CORPUS) is None
