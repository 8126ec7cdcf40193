"""A citation for every passage (issue 15, :mod:`kennisbank.citations`): in the search
hits, the document JSON, the CSV and the pages, with a permalink to the passage."""

from __future__ import annotations

import csv
import io

from flask.testing import FlaskClient

from kennisbank.citations import document_text, issuer, passage_citation

DOC = {
    "id": "d",
    "title": "Brief over de wijken",
    "year": 2010,
    "date": "2010-07-07",
    "metadata": {},
}


def test_the_issuer_is_only_what_the_document_states() -> None:
    assert issuer(DOC) is None
    stated = {**DOC, "metadata": {"organisatie": "Ministerie van VROM"}}
    assert issuer(stated) == "Ministerie van VROM"
    assert document_text(stated) == "Ministerie van VROM, Brief over de wijken (2010-07-07)"
    assert document_text({**DOC, "date": None}) == "Brief over de wijken (2010)"


def test_a_passage_citation_has_section_permalink_and_kamerstukken_style() -> None:
    cite = passage_citation(
        DOC,
        ["2. Voortgang", "Wonen"],
        "https://kb.example/document/d#p-1",
        "Kamerstukken II 2009/10, 30 995, nr. 78",
    )
    assert cite["text"] == (
        "Brief over de wijken (2010-07-07), Kamerstukken II 2009/10, 30 995, nr. 78, "
        "2. Voortgang › Wonen. Kennisbank Wijkenaanpak, https://kb.example/document/d#p-1"
    )
    assert cite["kamerstukken"] == "Kamerstukken II 2009/10, 30 995, nr. 78, 2. Voortgang › Wonen"
    plain = passage_citation(DOC, [], "https://kb.example/document/d#p-2")
    assert plain["kamerstukken"] is None and plain["section"] is None


def test_every_search_hit_of_the_bundled_corpus_has_a_citation(client: FlaskClient) -> None:
    seen = 0
    page = 1
    while True:
        data = client.get(
            f"/api/search?f.type=voortgangsrapportage&limit=100&pagina={page}"
        ).get_json()
        for hit in data["hits"]:
            assert hit["citation"], hit["passage_id"]
            assert hit["permalink"].endswith(
                f"/document/{hit['document_id']}#p-{hit['passage_id']}"
            )
            assert hit["citation"].endswith(hit["permalink"])
            assert hit["document_title"] in hit["citation"]
            seen += 1
        if not data["pagination"]["next_url"]:
            break
        page += 1
    assert seen == data["total"] > 500


def test_document_json_csv_and_pages_carry_passage_citations(client: FlaskClient) -> None:
    doc = client.get("/api/documents/voortgangsrapportage-wijkenaanpak-2010").get_json()
    for passage in doc["passages"]:
        assert passage["citation"]["text"] and passage["citation"]["permalink"].endswith(
            f"#p-{passage['id']}"
        )
        if passage["section_path"]:
            assert passage["citation"]["section"] == " › ".join(passage["section_path"])
    text = client.get("/api/search.csv?q=wijkagenten").get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    column = rows[0].index("citaat")
    assert all(row[column] for row in rows[1:])
    page = client.get("/document/voortgangsrapportage-wijkenaanpak-2010").get_data(as_text=True)
    assert page.count('class="cite-passage"') >= 100
    search = client.get("/?q=wijkagenten").get_data(as_text=True)
    assert search.count('class="cite-passage"') >= 10 and 'data-copy="cite-1"' in search
