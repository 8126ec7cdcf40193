"""The register of commitments (issue 15): ``kennisbank.toezeggingen`` on the bundled
corpus and on made-up rows, and ``/toezeggingen``, ``/api/toezeggingen`` and the CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask.testing import FlaskClient

from kennisbank.toezeggingen import decide, speaker, subject, venue

#: The 2008 report's list "Met deze voortgangsrapportage kom ik tegemoet aan de volgende
#: toezeggingen …": each item's opening words and the date and Kamerstukken it names.
LIST_2008 = {
    "Jaarlijkse voortgangsrapportages": ("2008-07-01", ["kst-30995-50"]),
    "U via deze voortgangsrapportage te informeren over de betrokkenheid": (
        "2008-03-19",
        ["kst-30995-43"],
    ),
    "U van meer informatie te voorzien over de experimenten": ("2008-03-19", []),
    "U nader te informeren over het vouchersysteem": ("2008-05-14", []),
    "U nader te informeren over de in gang gezette activiteiten": ("2008-05-14", []),
    "U te informeren over groen en sportvoorziening": ("2008-05-20", []),
    "U een overzicht geven van de maatregelen": ("2008-06-20", ["kst-30995-49", "kst-30995-45"]),
    "U nader te informeren over de kwaliteitskaart": ("2008-05-09", ["kst-30995-45"]),
    "Een reactie te geven op het SP-rapport": (None, []),
}


def _register(client: FlaskClient, query: str = "") -> dict[str, Any]:
    response = client.get(f"/api/toezeggingen{query}")
    assert response.status_code == 200
    data: dict[str, Any] = response.get_json()
    return data


def test_the_2008_list_is_in_the_register_as_kept_with_evidence(client: FlaskClient) -> None:
    items = _register(client)["toezeggingen"]
    for opening, (date, refs) in LIST_2008.items():
        found = [t for t in items if " ".join(t["text"].split()).startswith(opening)]
        assert len(found) == 1, opening
        item = found[0]
        assert item["date"] == date, opening
        assert [r["identifier"] for r in item["refs"]] == refs, opening
        assert item["status"] == "nagekomen", opening
        assert "kom ik tegemoet aan de volgende toezeggingen" in item["evidence"]["quote"]
        assert item["evidence"]["url"].startswith(
            "/document/voortgangsrapportage-wijkenaanpak-2008#p-"
        )
    sp = next(t for t in items if "SP-rapport" in t["text"])
    assert sp["speaker"] == "de minister-president"
    assert sp["venue"] == "Algemene Politieke Beschouwingen"


def test_the_2010_report_fulfils_the_debate_commitments(client: FlaskClient) -> None:
    items = _register(client)["toezeggingen"]
    fulfils = next(t for t in items if "wordt voldaan aan een aantal toezeggingen" in t["text"])
    assert fulfils["status"] == "nagekomen" and fulfils["venue"] == "debat"
    assert [r["citation"] for r in fulfils["refs"]] == ["Kamerstukken II 2009/10, 30 995, nr. 78"]
    assert fulfils["evidence"]["quote"] == fulfils["text"]


def test_open_and_unknown_promises_say_why(client: FlaskClient) -> None:
    items = {" ".join(t["text"].split())[:60]: t for t in _register(client)["toezeggingen"]}
    report_2009 = next(
        t for k, t in items.items() if k.startswith("In de voortgangsrapportage 2009")
    )
    assert report_2009["status"] == "open" and "geleverd" in report_2009["evidence"]["reason"]
    effort = next(t for k, t in items.items() if k.startswith("In de uitvoeringsfase"))
    assert effort["status"] == "onbekend" and effort["speaker"] == "het rijk"
    data = _register(client)
    assert data["all"] == 32 and sum(data["statuses"].values()) == 32
    assert data["statuses"]["nagekomen"] >= 11


def test_facets_filter_and_the_csv_follows(client: FlaskClient) -> None:
    data = _register(client, "?f.dossier=30995")
    assert data["total"] >= 6
    assert all(
        any(r["identifier"].startswith("kst-30995-") for r in t["refs"])
        for t in data["toezeggingen"]
    )
    dossier = next(f for f in data["facets"] if f["name"] == "dossier")
    chosen = next(v for v in dossier["values"] if v["value"] == "30995")
    assert chosen["selected"] and chosen["label"] == "30 995"
    both = _register(client, "?f.dossier=30995&f.status=open")
    assert 0 < both["total"] < data["total"]
    assert all(t["status"] == "open" for t in both["toezeggingen"])
    assert _register(client, "?f.status=bestaat-niet")["total"] == 0
    assert client.get("/api/toezeggingen?f.status=" + "x" * 300).status_code == 400
    text = client.get("/api/toezeggingen.csv?f.dossier=30995").get_data().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert len(rows) == data["total"] and all("30 995" in r["kamerstukken"] for r in rows)
    page = client.get("/toezeggingen?f.dossier=30995").get_data(as_text=True)
    assert page.count('class="toezegging ') == data["total"] and "Bewijs" in page


def test_speaker_venue_subject() -> None:
    text = "U nader te informeren over het vouchersysteem, zoals toegezegd tijdens het AO."
    assert subject(text) == "Informeren over het vouchersysteem"
    assert venue(text) == "Algemeen Overleg" and speaker(text) is None
    assert speaker("De minister van VWS zal de Kamer informeren") == "minister van VWS"
    assert speaker("Staatssecretaris Bussemaker en ik") == "Staatssecretaris Bussemaker"
    assert (
        subject("Zoals u toegezegd treft u hierbij een overzicht aan.")
        == "Treft u hierbij een overzicht aan"
    )


def test_a_later_document_that_delivers_the_promise_keeps_it() -> None:
    row = {
        "text": "Met de Leefbaarometer zal ik een onderzoek naar waterbedeffecten starten.",
        "document_id": "vr2008",
        "passage_id": "p1",
    }
    later = [
        {
            "id": "q9",
            "document_id": "vr2010",
            "text": "Zoals toegezegd is het onderzoek naar waterbedeffecten gedaan.",
        }
    ]
    status, evidence = decide(row, {}, [], later)
    assert (
        status == "nagekomen" and evidence.document_id == "vr2010" and evidence.passage_id == "q9"
    )
    assert decide(row, {}, [], [])[0] == "open"
    unrelated = [{**later[0], "text": "Zoals toegezegd is de sporthal geopend."}]
    assert decide(row, {}, [], unrelated)[0] == "open"
