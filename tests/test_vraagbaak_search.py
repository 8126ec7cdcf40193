"""Published Vraagbaak answers as search results (issue 14): the small second index
(:mod:`kennisbank.vraagbaak.search`) and its merge into ``/?q=`` and ``/api/search``."""

from __future__ import annotations

import time
from csv import reader
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from kennisbank.config import Settings
from kennisbank.vraagbaak import Citation, User, Vraagbaak, VraagbaakDB, add_user, list_users
from kennisbank.vraagbaak.search import DOCTYPE, PublishedIndex, highlight
from tests.test_vraagbaak_web import _app, indexed_settings  # noqa: F401 - fixture

PASSWORD = "een lang genoeg wachtwoord"
BUURTAGENTEN = "Komen er nou echt meer buurtagenten bij in Kanaleneiland?"
ANTWOORD = (
    "Ja. Het kabinet heeft extra wijkagenten toegezegd voor de aandachtswijken; in Utrecht "
    "zijn er in Kanaleneiland twee bijgekomen."
)
SPORT = "Welke sportverenigingen in Rotterdam helpen jongeren in de wijk?"
SPORT_ANTWOORD = "Bewegen en sport in de wijk: de NISB begeleidt buurtsportcoaches."
CITE = Citation("p-1", "voortgangsrapportage-wijkenaanpak-2010", "VR 2010")


def _publish(vb: Vraagbaak, user: User, vraag: str, antwoord: str) -> int:
    sub = vb.submit_question(vraag, plaats="Geheimeplaats", email="geheim@example.nl")
    vb.take(user, sub.id)
    vb.answer(user, sub.id, antwoord, [CITE])
    vb.publish(user, sub.id)
    return sub.id


@pytest.fixture()
def vb(tmp_path: Path) -> Vraagbaak:
    return Vraagbaak(VraagbaakDB.in_data_dir(tmp_path / "data"))


@pytest.fixture()
def beheerder(vb: Vraagbaak) -> User:
    return add_user(vb.db, "beheerder", None, "beheerder", PASSWORD)


def test_an_everyday_question_finds_the_published_answer(vb: Vraagbaak, beheerder: User) -> None:
    qa_id = _publish(vb, beheerder, BUURTAGENTEN, ANTWOORD)
    _publish(vb, beheerder, SPORT, SPORT_ANTWOORD)
    index = PublishedIndex(vb)
    # question words (komen, nou, echt) are dropped; the thesaurus leads wijkagent → buurtagent
    for query in ("Komen er meer wijkagenten bij?", "buurtagenten", "wijkagent"):
        hits = index.search(query)
        assert hits and hits[0].qa.id == qa_id, query
    assert [h.qa.vraag for h in index.search("sportverenigingen jongeren")] == [SPORT]
    assert index.search("trampoline") == []
    assert index.search("Hoe komt dat?") == []  # only question words: nothing to match
    assert len(index.search("")) == 2


def test_publish_edit_and_unpublish_are_searchable_at_once(vb: Vraagbaak, beheerder: User) -> None:
    index = PublishedIndex(vb)
    assert index.search("buurtagenten") == []
    qa_id = _publish(vb, beheerder, BUURTAGENTEN, ANTWOORD)
    started = time.perf_counter()
    assert [h.qa.id for h in index.search("wijkagenten")] == [qa_id]
    vb.edit_answer(beheerder, qa_id, "Er kwamen meer stadsmariniers, aldus de gemeente.", [CITE])
    assert index.search("stadsmariniers") and index.search("toegezegd") == []
    vb.unpublish(beheerder, qa_id, "Verouderd")
    assert index.search("stadsmariniers") == []
    elapsed = time.perf_counter() - started
    print(f"\npublish → edit → unpublish, each searched once: {elapsed * 1000:.1f} ms")
    assert elapsed < 5  # "within seconds": no restart, no re-index


def test_answers_are_linked_to_what_they_name_and_filtered_by_it(
    vb: Vraagbaak, beheerder: User
) -> None:
    qa_id = _publish(vb, beheerder, BUURTAGENTEN, ANTWOORD)
    sport = _publish(vb, beheerder, SPORT, SPORT_ANTWOORD)
    topics = {t.waarde for t in vb.published_by_id(qa_id).onderwerpen}
    assert {"thema/veiligheid", "wijk/utrecht-kanaleneiland", "gemeente/utrecht"} <= topics
    assert not any("geheimeplaats" in t for t in topics)  # the visitor's place: contact only
    index = PublishedIndex(vb)
    year = int(vb.published_by_id(qa_id).gepubliceerd[:4])

    def ids(**kwargs: object) -> set[int]:
        return {h.qa.id for h in index.search("", **kwargs)}  # type: ignore[arg-type]

    assert ids(filters={"gemeente": ["gemeente/utrecht"]}) == {qa_id}
    assert ids(filters={"gemeente": ["gemeente/utrecht", "gemeente/rotterdam"]}) == {qa_id, sport}
    assert ids(filters={"thema": ["thema/veiligheid"]}) == {qa_id}
    assert ids(filters={"type": [DOCTYPE]}) == {qa_id, sport}
    assert ids(filters={"type": ["voortgangsrapportage"]}) == set()
    assert ids(filters={"dossier": ["30995"]}) == set()  # a facet answers do not have
    assert ids(filters={"jaar": [str(year)]}) == {qa_id, sport}
    assert ids(year_from=year + 1) == set() and ids(year_to=year) == {qa_id, sport}


def test_reload_reuses_unchanged_answers_and_prints_its_cost(
    vb: Vraagbaak, beheerder: User
) -> None:
    for n in range(60):
        _publish(vb, beheerder, f"Vraag {n} over buurtagenten en overlast in de wijk?", ANTWOORD)
    index = PublishedIndex(vb)
    started = time.perf_counter()
    assert index.refresh() is True
    first = time.perf_counter() - started
    assert index.refresh() is False  # nothing changed: one SELECT, no reload
    _publish(vb, beheerder, SPORT, SPORT_ANTWOORD)
    started = time.perf_counter()
    assert index.refresh() is True
    second = time.perf_counter() - started
    index.search("opwarmen")  # the thesaurus is read once
    started = time.perf_counter()
    hits = index.search("Komen er meer buurtagenten bij?")
    query = time.perf_counter() - started
    print(f"\n61 answers: first load {first * 1000:.1f} ms,", end=" ")
    print(f"reload after one more {second * 1000:.1f} ms, one search {query * 1000:.2f} ms")
    assert len(hits) == 60 and len(index) == 61


def test_highlight_escapes_and_marks() -> None:
    html = highlight('<script>alert("x")</script> Wijkagenten & buurtagenten.', {"wijkagent"})
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp;" in html
    assert "<mark>Wijkagenten</mark>" in html
    long = "woord " * 200 + "wijkagenten " + "woord " * 200
    cut = highlight(long, {"wijkagent"}, chars=120)
    assert cut.startswith("… ") and cut.endswith(" …") and "<mark>wijkagenten</mark>" in cut


# -- the web: one ranked list of answers and passages --------------------------------------


@pytest.fixture()
def web(indexed_settings: Settings) -> tuple[FlaskClient, Vraagbaak, int]:  # noqa: F811
    vb = Vraagbaak(VraagbaakDB.in_data_dir(indexed_settings.data_dir))
    user = add_user(vb.db, "beheerder", None, "beheerder", PASSWORD)
    qa_id = _publish(vb, user, BUURTAGENTEN, ANTWOORD)
    return _app(indexed_settings).test_client(), vb, qa_id


def test_search_shows_the_answer_as_its_own_kind_first(
    web: tuple[FlaskClient, Vraagbaak, int],
) -> None:
    client, _, qa_id = web
    data = client.get("/api/search?q=wijkagenten").get_json()
    first = data["hits"][0]
    assert first["soort"] == "vraag_en_antwoord" and first["vraag_id"] == qa_id
    assert first["url"] == f"/vraagbaak/{qa_id}" and first["document_title"] == BUURTAGENTEN
    assert "<mark>wijkagenten</mark>" in first["snippet_html"]
    assert {"gemeente/utrecht", "thema/veiligheid"} <= {e["id"] for e in first["entities"]}
    assert all(h["soort"] == "passage" for h in data["hits"][1:])
    types = next(f for f in data["facets"] if f["name"] == "type")
    value = next(v for v in types["values"] if v["value"] == DOCTYPE)
    assert value["label"] == "Vraag en antwoord" and value["count"] == 1
    passages = sum(v["count"] for v in types["values"] if v["value"] != DOCTYPE)
    assert data["total"] == passages + 1
    page = client.get("/?q=wijkagenten").get_data(as_text=True)
    assert "Vraag en antwoord" in page and f'href="/vraagbaak/{qa_id}"' in page
    assert "geheim@example.nl" not in page and "Geheimeplaats" not in page


def test_paging_over_answers_and_passages_is_one_list(
    web: tuple[FlaskClient, Vraagbaak, int],
) -> None:
    client, _, _ = web
    whole = client.get("/api/search?q=wijkagenten&limit=100").get_json()
    paged = []
    for page in range(1, 10):
        data = client.get(f"/api/search?q=wijkagenten&limit=3&pagina={page}").get_json()
        assert data["total"] == whole["total"]
        paged += data["hits"]
        if not data["pagination"]["next_url"]:
            break
    key = [(h["soort"], h.get("passage_id"), h.get("vraag_id")) for h in paged]
    assert key == [(h["soort"], h.get("passage_id"), h.get("vraag_id")) for h in whole["hits"]]
    assert len(key) == whole["total"]


def test_the_facet_value_selects_answers_only_and_the_csv_has_them(
    web: tuple[FlaskClient, Vraagbaak, int],
) -> None:
    client, vb, qa_id = web
    data = client.get(f"/api/search?f.type={DOCTYPE}").get_json()
    assert [h["vraag_id"] for h in data["hits"]] == [qa_id] and data["total"] == 1
    assert [f["name"] for f in data["facets"]] == ["type"]
    assert data["notes"] == []  # not "Geen documenttype … gevonden"
    both = client.get(f"/api/search?q=wijkagenten&f.type={DOCTYPE}&f.type=voortgangsrapportage")
    assert both.get_json()["hits"][0]["soort"] == "vraag_en_antwoord"
    assert both.get_json()["total"] > 1
    reports = client.get("/api/search?q=wijkagenten&f.type=voortgangsrapportage").get_json()
    assert all(h["soort"] == "passage" for h in reports["hits"])
    csv = client.get("/api/search.csv?q=wijkagenten").get_data().decode("utf-8-sig")
    row = next(reader([csv.splitlines()[1]], delimiter=";"))
    assert row[:2] == [DOCTYPE, BUURTAGENTEN] and row[6].endswith(f"/vraagbaak/{qa_id}")
    assert row[7].startswith("Vraagbaak Wijkenaanpak, VB-") and row[7].endswith(row[6])
    beheerder = list_users(vb.db)[0]  # unpublished: gone from the next search, no restart
    vb.unpublish(beheerder, qa_id, "Verouderd")
    data = client.get("/api/search?q=wijkagenten").get_json()
    assert all(h["soort"] == "passage" for h in data["hits"])
