"""Answer boxes: list questions about an entity the knowledge graph knows are answered from
the graph, with a source per fact (``kennisbank.answers``, the search page, ``/api/search``)."""

from __future__ import annotations

import pytest

from kennisbank.answers import answer_box, wanted_type
from kennisbank.config import Settings
from kennisbank.store import Store


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Welke gemeenten doen mee aan Gezonde Wijk?", "gemeente"),
        ("wijken in Rotterdam", "wijk"),
        ("Hoeveel partners zijn actief in Heerlen?", "partner"),
        ("Komen er nou echt meer buurtagenten bij?", None),  # no type word
        ("krachtwijken", None),  # a type word alone is a keyword search, not a list question
    ],
)
def test_wanted_type(query: str, expected: str | None) -> None:
    assert wanted_type(query) == expected


def test_participants_of_an_experiment_with_their_sources(built_settings: Settings) -> None:
    with Store(built_settings.db_path) as store:
        box = answer_box(store.conn, "Welke gemeenten doen mee aan Gezonde Wijk?")
    assert box is not None
    assert box.subject["id"] == "experiment/gezonde-wijk"
    assert box.target_type == "gemeente"
    names = {item.name for item in box.items}
    # VR2008: "Het zijn Amsterdam, Den Haag, Deventer, Heerlen, Leeuwarden, Rotterdam,
    # Utrecht en Zaanstad."
    assert {"Amsterdam", "Den Haag", "Deventer", "Heerlen", "Rotterdam", "Utrecht"} <= names
    assert box.title.startswith("Gemeenten die deelnemen aan Gezonde wijk")
    for item in box.items:
        assert item.id.startswith("gemeente/")
        assert item.sources and all(s.kind in {"passage", "register"} for s in item.sources)
    assert any(s.kind == "passage" and s.passage_id for i in box.items for s in i.sources)


def test_no_box_for_a_question_the_graph_does_not_answer(built_settings: Settings) -> None:
    with Store(built_settings.db_path) as store:
        assert answer_box(store.conn, "Komen er nou echt meer buurtagenten bij?") is None
        assert answer_box(store.conn, "Welke gemeenten hebben de meeste werklozen?") is None


def test_search_page_and_api_show_the_box(client) -> None:  # type: ignore[no-untyped-def]
    q = "Welke gemeenten doen mee aan Gezonde Wijk?"
    data = client.get("/api/search", query_string={"q": q}).get_json()
    box = data["answer_box"]
    assert box["subject"]["url"].endswith("/experiment/gezonde-wijk")
    assert box["count"] == len(box["items"]) >= 6
    amsterdam = next(i for i in box["items"] if i["name"] == "Amsterdam")
    assert amsterdam["url"].endswith("/gemeente/amsterdam")
    assert any(s["url"] and "#p-" in s["url"] for s in amsterdam["sources"])
    page = client.get("/", query_string={"q": q}).get_data(as_text=True)
    assert 'class="answer-box"' in page and "Gemeenten die deelnemen aan Gezonde wijk" in page
    plain = client.get("/api/search", query_string={"q": "buurtagenten"}).get_json()
    assert plain["answer_box"] is None


def test_confidence_of() -> None:
    from kennisbank.search.results import confidence_of

    assert confidence_of(0, None) == "laag"
    assert confidence_of(12, None) == "normaal"
    assert confidence_of(12, (1, 4)) == "laag"
    assert confidence_of(12, (2, 4)) == "normaal"


def test_low_confidence_is_said_with_ways_to_refine(client) -> None:  # type: ignore[no-untyped-def]
    q = "wijkenaanpak kangoeroe trampoline zonnebloem"
    data = client.get("/api/search", query_string={"q": q}).get_json()
    assert data["total"] > 0
    assert data["confidence"] == "laag"
    assert data["coverage"] == [1, 4]
    assert data["refine"]
    for r in data["refine"]:  # each adds one filter of a refine facet to this search
        assert r["facet"] in {"Thema", "Experiment", "Gemeente"} and r["count"] > 0
        assert any(f"f.{n}=" in r["url"] for n in ("thema", "experiment", "gemeente"))
        assert "kangoeroe" in r["url"]
    page = client.get("/", query_string={"q": q}).get_data(as_text=True)
    assert "Geen passage past goed bij uw vraag." in page
    assert data["unknown_words"] == ["kangoeroe", "trampoline", "zonnebloem"]
    assert "Niet in de kennisbank als woord: kangoeroe, trampoline, zonnebloem." in page
    good = client.get("/api/search", query_string={"q": "bewonersparticipatie gemeenten"})
    assert good.get_json()["confidence"] == "normaal"
