"""The SQLite entity graph: writing, look-up by id/name/alias, suggestions, entity cards."""

from __future__ import annotations

from pathlib import Path

import pytest

from kennisbank import graph
from kennisbank.model import Commitment, Document, Link, Mention, Passage
from kennisbank.store import Store

ENTITIES = [
    {
        "id": "gemeente/utrecht",
        "type": "gemeente",
        "name": "Utrecht",
        "aliases": [],
        "attributes": {"groepen": ["G4"]},
        "sources": [{"fact": "name", "source": "BWBR0004418"}],
    },
    {
        "id": "wijk/utrecht-kanaleneiland",
        "type": "wijk",
        "name": "Kanaleneiland",
        "aliases": [{"text": "Utrecht Kanaleneiland", "kind": "official"}],
        "attributes": {"gemeente": "gemeente/utrecht", "status": "aandachtswijk"},
        "sources": [{"fact": "name", "source": "BWBR0004418"}],
    },
]


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    st = Store(tmp_path / "kb.sqlite", create=True)
    passage = Passage(
        id="p1",
        document_id="d",
        seq=0,
        kind="paragraph",
        section_path=["Wonen"],
        text="In Kanaleneiland (Utrecht) komt een brede school.",
        start=0,
        end=49,
    )
    st.put_document(
        Document(
            id="d",
            path="d.txt",
            title="Doc",
            doctype="overig",
            format="text",
            checksum="x",
            text=passage.text,
            passages=[passage],
        ),
        [],
    )
    graph.write_entities(st.conn, ENTITIES)
    graph.write_mentions(
        st.conn,
        [
            Mention("wijk/utrecht-kanaleneiland", "p1", "d", 3, 16, "Kanaleneiland", "exact"),
            Mention("gemeente/utrecht", "p1", "d", 18, 25, "Utrecht", "exact"),
        ],
    )
    graph.write_links(
        st.conn,
        [
            Link(
                "ligt_in",
                "wijk/utrecht-kanaleneiland",
                "gemeente/utrecht",
                ["p1"],
                "In Kanaleneiland (Utrecht)",
                "registry",
            ),
            Link("ligt_in", "wijk/utrecht-kanaleneiland", "gemeente/utrecht", ["p2"], "", "text"),
        ],
    )
    graph.write_commitments(
        st.conn,
        [
            Commitment(
                "c1",
                "p1",
                "d",
                "Ik zal u informeren over Kanaleneiland.",
                0,
                39,
                "Ik zal",
                refs=["kst-30995-78"],
                entities=["wijk/utrecht-kanaleneiland"],
            ),
        ],
    )
    yield st
    st.close()


def test_list_entities_counts_mentions_and_documents(store: Store) -> None:
    rows = {r["id"]: r for r in graph.list_entities(store.conn)}
    assert rows["wijk/utrecht-kanaleneiland"]["mentions"] == 1
    assert rows["wijk/utrecht-kanaleneiland"]["documents"] == 1
    assert [r["id"] for r in graph.list_entities(store.conn, "gemeente")] == ["gemeente/utrecht"]


@pytest.mark.parametrize(
    "query",
    [
        "wijk/utrecht-kanaleneiland",
        "Kanaleneiland",
        "kanaleneiland",
        "Utrecht Kanaleneiland",
        "utrecht-kanaleneiland",
    ],
)
def test_find_entity_by_id_name_or_alias(store: Store, query: str) -> None:
    assert graph.find_entity(store.conn, query)["id"] == "wijk/utrecht-kanaleneiland"


def test_unknown_name_suggests_the_closest(store: Store) -> None:
    with pytest.raises(graph.EntityNotFound) as info:
        graph.find_entity(store.conn, "Kanaleneilnad")
    assert info.value.suggestions[0]["id"] == "wijk/utrecht-kanaleneiland"
    assert "Bedoelde u: Kanaleneiland?" in str(info.value)


def test_duplicate_links_merge_their_evidence(store: Store) -> None:
    card = graph.entity_card(store.conn, "Kanaleneiland")
    [link] = card["links"]["ligt in"]
    assert link["id"] == "gemeente/utrecht" and link["evidence"] == ["p1", "p2"]
    assert link["quote"] == "In Kanaleneiland (Utrecht)" and link["origin"] == "registry"
    incoming = graph.entity_card(store.conn, "gemeente/utrecht")["links"]["wijken"]
    assert [item["id"] for item in incoming] == ["wijk/utrecht-kanaleneiland"]


def test_entity_card_has_facts_passages_and_commitments(store: Store) -> None:
    card = graph.entity_card(store.conn, "wijk/utrecht-kanaleneiland")
    assert card["attributes"]["status"] == "aandachtswijk"
    assert card["sources"][0]["source"] == "BWBR0004418"
    assert [p["id"] for p in card["passages"]] == ["p1"]
    assert card["passages"][0]["section_path"] == ["Wonen"]
    assert [c["id"] for c in card["commitments"]] == ["c1"]
    assert graph.commitments_for(store.conn, identifier="kst-30995-78")[0]["id"] == "c1"
    assert graph.commitments_for(store.conn, identifier="kst-1-1") == []


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("'s-Gravenhage", "'s gravenhage"),
        ("Wielwijk/Crabbehof", "wielwijk crabbehof"),
        ("Geïnformeerd  Café", "geinformeerd cafe"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert graph.fold(text) == folded
