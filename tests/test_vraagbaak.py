"""The Vraagbaak core (issue 14): database, routing, authorisation, the answer flow,
accounts, durability, export/import and backup.  Real SQLite files, no mocks.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
from dataclasses import fields
from pathlib import Path

import pytest

from kennisbank.errors import Forbidden, InvalidInput
from kennisbank.registry import Registry
from kennisbank.vraagbaak import (
    SCHEMA_VERSION,
    Citation,
    DatabaseNotEmpty,
    PublishedQA,
    QuestionNotFound,
    QuestionStatus,
    User,
    Vraagbaak,
    VraagbaakDB,
    add_user,
    authenticate,
    backup,
    block_user,
    export_json,
    import_json,
    list_users,
    route,
)
from kennisbank.vraagbaak.centra import ROUTING_FILE, load_table
from kennisbank.vraagbaak.db import ACTIONS, MIGRATIONS
from kennisbank.vraagbaak.errors import InvalidState
from tests.conftest import CORPUS_DIR, REPO_ROOT

HANGJONGEREN = "Wat kunnen we als buurt doen tegen overlast van hangjongeren bij het winkelcentrum?"
CONTACT = {"naam": "Fatima de Vries", "organisatie": "Bewonersraad", "plaats": "Kanaleneiland"}
EMAIL = "fatima@example.nl"
PASSWORD = "een-lang-genoeg-wachtwoord"
CONTACT_FIELDS = {"naam", "organisatie", "plaats", "email", "contact", "token"}


@pytest.fixture()
def db(tmp_path: Path) -> VraagbaakDB:
    return VraagbaakDB.in_data_dir(tmp_path / "data")


@pytest.fixture()
def vb(db: VraagbaakDB) -> Vraagbaak:
    return Vraagbaak(db)


@pytest.fixture()
def staff(db: VraagbaakDB) -> dict[str, User]:
    """A medewerker of CCV, one of RIVM and a beheerder."""
    return {
        "ccv": add_user(db, "ccv-anna", "CCV", "medewerker", PASSWORD),
        "rivm": add_user(db, "rivm-bert", "RIVM", "medewerker", PASSWORD),
        "beheer": add_user(db, "beheer-carla", None, "beheerder", PASSWORD),
    }


def _audit_actions(db: VraagbaakDB, vraag_id: int) -> list[str]:
    with db.read() as conn:
        sql = "SELECT actie FROM audit WHERE vraag = ? ORDER BY id"
        return [r[0] for r in conn.execute(sql, (vraag_id,))]


def _two_citations() -> list[Citation]:
    vr08, vr10 = "voortgangsrapportage-wijkenaanpak-2008", "voortgangsrapportage-wijkenaanpak-2010"
    return [
        Citation(f"{vr08}#p120", vr08, "VR2008, p. 12"),
        Citation(f"{vr10}#p40", vr10, "VR2010, p. 8"),
    ]


# ---------------------------------------------------------------------- schema
def test_database_lives_in_the_data_folder_outside_generations(db: VraagbaakDB) -> None:
    assert db.path.name == "vraagbaak.sqlite"
    assert not any(part.startswith("gen-") for part in db.path.parts)


def test_schema_wal_foreign_keys_and_version(db: VraagbaakDB) -> None:
    with db.read() as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 1
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute(
                "INSERT INTO vragen (token, referentie, tekst, centrum, aangemaakt, bijgewerkt) "
                "VALUES ('t', 'r', 'tekst', 'GEEN-CENTRUM', 'x', 'x')"
            )
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute(
                "INSERT INTO vragen (token, referentie, tekst, status, aangemaakt, bijgewerkt) "
                "VALUES ('t', 'r', 'tekst', 'verzonnen', 'x', 'x')"
            )
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("INSERT INTO audit (tijd, actie) VALUES ('x', 'verzonnen')")
    # Opening again migrates nothing and keeps the data.
    assert VraagbaakDB(db.path).schema_version() == SCHEMA_VERSION


def test_a_version_1_file_is_migrated_with_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "oud.sqlite"
    with sqlite3.connect(path) as conn:
        for statement in MIGRATIONS[0]:
            conn.execute(statement)
        conn.execute("INSERT INTO centra (code, naam) VALUES ('CCV', 'CCV')")
        conn.execute("INSERT INTO audit (tijd, actie, detail) VALUES ('t', 'ingelogd', '{}')")
        conn.execute("PRAGMA user_version = 1")
        with pytest.raises(sqlite3.IntegrityError):  # version 1 does not know it yet
            conn.execute("INSERT INTO audit (tijd, actie) VALUES ('t', 'centrum_gewijzigd')")
    db = VraagbaakDB(path)
    assert db.schema_version() == SCHEMA_VERSION == 2
    with db.read() as conn:
        assert conn.execute("SELECT actie FROM audit").fetchall()[0][0] == "ingelogd"
        assert conn.execute("SELECT actief FROM centra WHERE code = 'CCV'").fetchone()[0] == 1
        conn.execute("INSERT INTO audit (tijd, actie) VALUES ('t', 'centrum_gewijzigd')")


def test_a_newer_schema_is_refused(db: VraagbaakDB) -> None:
    with db.read() as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(Exception, match="schemaversie"):
        VraagbaakDB(db.path)


# ---------------------------------------------------------------------- routing data
def test_routing_table_has_the_consortium_and_every_quote_is_in_the_corpus() -> None:
    table = load_table()
    codes = [c.code for c in table.centres]
    assert codes == [
        "KEI", "SEV", "SEV-Realisatie", "Nicis", "NIROV", "Movisie", "CCV",
        "RIVM", "NISB", "RWI", "FORUM", "NJI", "Alterra",
    ]  # fmt: skip
    themas = {e.id for e in Registry.load().by_type("thema")}
    for centre in table.centres:
        assert {t.value for t in centre.themas} <= themas, centre.code
        for item in (*centre.themas, *centre.woorden):
            assert item.status in {"bevestigd", "gedeeld", "onbevestigd"}
            assert (
                item.weight == {"bevestigd": 1.0, "gedeeld": 0.7, "onbevestigd": 0.4}[item.status]
            )
    payload = json.loads(ROUTING_FILE.read_text(encoding="utf-8"))
    quotes = _quotes(payload)
    assert len(quotes) > 20
    for quote in quotes:
        lines = (CORPUS_DIR / f"{quote['document']}.txt").read_text(encoding="utf-8").split("\n")
        assert quote["quote"] in lines[quote["line"] - 1], quote
    for centre in payload["centra"]:
        for item in (*centre["themas"], *centre["woorden"]):
            if item["status"] == "onbevestigd":
                assert "niet in de bronnen van de kennisbank bevestigd" in item["bron"]
            else:
                assert _quotes(item["bron"]), item


def _quotes(value: object) -> list[dict[str, object]]:
    if isinstance(value, dict):
        if "quote" in value:
            return [value]
        return [q for v in value.values() for q in _quotes(v)]
    if isinstance(value, list):
        return [q for v in value for q in _quotes(v)]
    return []


@pytest.mark.parametrize(
    ("text", "centre"),
    [
        (HANGJONGEREN, "CCV"),
        ("Hoe verbeteren we de gezondheid van bewoners en de eerstelijnszorg?", "RIVM"),
        ("Hoe krijgen we meer kinderen aan het sporten en bewegen?", "NISB"),
        ("Hoe helpen we werklozen in de wijk aan een baan?", "RWI"),
        ("Hoe verbeteren we de inburgering van migranten in de buurt?", "FORUM"),
        ("Hoe versterken we het welzijnswerk in de buurt?", "Movisie"),
        ("Wat doen startende ondernemers voor de wijkeconomie?", "Nicis"),
    ],
)
def test_route_picks_the_centre_of_the_theme(text: str, centre: str) -> None:
    assert route(text).centrum == centre


def test_route_reason_names_the_theme_and_its_words() -> None:
    decision = route(HANGJONGEREN)
    assert decision.centrum == "CCV"
    assert decision.reden == "thema veiligheid (woorden: overlast, hangjongeren) → CCV"
    assert decision.themas[0] == "thema/veiligheid"


def test_vague_question_and_tie_go_to_the_general_queue() -> None:
    vague = route("Ik heb een vraag over iets dat ik niet goed snap.")
    assert (vague.centrum, vague.reden, vague.themas) == (None, "geen duidelijk thema", ())
    tie = route("Hoe pakken we de sloop en nieuwbouw van huurwoningen aan?")
    assert tie.centrum is None
    assert tie.reden.startswith("geen duidelijk thema: thema wonen")
    assert "KEI" in tie.reden and "SEV" in tie.reden


# ---------------------------------------------------------------------- submitting
def test_submit_routes_stores_and_gives_reference_and_token(vb: Vraagbaak, db: VraagbaakDB) -> None:
    sub = vb.submit_question(HANGJONGEREN, email=EMAIL, **CONTACT)
    assert re.fullmatch(r"VB-\d{4}-\d{6}", sub.referentie)
    assert sub.referentie.endswith(f"{sub.id:06d}")
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", sub.token)  # token_urlsafe(24): 192 bits
    assert sub.routing.centrum == "CCV" and "veiligheid" in sub.routing.reden
    status = vb.question_by_token(sub.token)
    assert isinstance(status, QuestionStatus)
    assert (status.status, status.referentie) == ("nieuw", sub.referentie)
    assert not CONTACT_FIELDS & {f.name for f in fields(QuestionStatus)}
    assert _audit_actions(db, sub.id) == ["ingediend", "gerouteerd"]
    other = vb.submit_question("Ik heb een vraag over iets dat ik niet goed snap.")
    assert other.routing.centrum is None and other.token != sub.token
    with pytest.raises(QuestionNotFound):
        vb.question_by_token("niet-bestaand")


def test_topics_of_a_question_are_its_themes_and_the_places_it_names(
    vb: Vraagbaak, staff: dict[str, User]
) -> None:
    sub = vb.submit_question(HANGJONGEREN, **CONTACT)
    topics = {(t.soort, t.waarde) for t in vb.question(staff["ccv"], sub.id).onderwerpen}
    assert ("thema", "thema/veiligheid") in topics
    # the visitor's own place is a contact detail, never a (public) topic
    assert not any("kanaleneiland" in value for _, value in topics)
    named = vb.submit_question("Hoe pakt Kanaleneiland in Utrecht de overlast aan?")
    topics = {(t.soort, t.waarde) for t in vb.question(staff["ccv"], named.id).onderwerpen}
    assert ("entiteit", "wijk/utrecht-kanaleneiland") in topics
    assert ("entiteit", "gemeente/utrecht") in topics


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"text": "te kort"}, "minstens 10 tekens"),
        ({"text": "x" * 5001}, "hoogstens 5000 tekens"),
        ({"text": HANGJONGEREN, "naam": "n" * 201}, "De naam mag hoogstens 200 tekens"),
        ({"text": HANGJONGEREN, "organisatie": "o" * 201}, "De organisatie mag hoogstens"),
        ({"text": HANGJONGEREN, "plaats": "p" * 201}, "De wijk of gemeente mag hoogstens"),
        ({"text": HANGJONGEREN, "email": "geen-adres"}, "geen geldig e-mailadres"),
        ({"text": HANGJONGEREN, "email": "a@b"}, "geen geldig e-mailadres"),
    ],
)
def test_invalid_submissions_are_refused_in_dutch(
    vb: Vraagbaak, kwargs: dict[str, str], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        vb.submit_question(**kwargs)
    with vb.db.read() as conn:
        assert conn.execute("SELECT COUNT(*) FROM vragen").fetchone()[0] == 0


# ---------------------------------------------------------------------- authorisation
def test_another_centre_cannot_see_take_answer_or_publish(
    vb: Vraagbaak, staff: dict[str, User]
) -> None:
    sub = vb.submit_question(HANGJONGEREN, email=EMAIL, **CONTACT)
    rivm = staff["rivm"]
    assert vb.queue(rivm) == []
    for step in (
        lambda: vb.question(rivm, sub.id),
        lambda: vb.history(rivm, sub.id),
        lambda: vb.take(rivm, sub.id),
        lambda: vb.answer(rivm, sub.id, "Mijn antwoord", _two_citations()),
        lambda: vb.reroute(rivm, sub.id, "RIVM", "wil ik zelf doen"),
    ):
        with pytest.raises(Forbidden):
            step()
    vb.answer(staff["ccv"], sub.id, "Antwoord van CCV", _two_citations())
    with pytest.raises(Forbidden):
        vb.publish(rivm, sub.id)
    # The beheerder sees everything, with contact details.
    seen = vb.question(staff["beheer"], sub.id)
    assert seen.contact.email == EMAIL and seen.contact.naam == CONTACT["naam"]
    assert [q.id for q in vb.queue(staff["beheer"])] == [sub.id]
    vb.publish(staff["beheer"], sub.id)


def test_general_queue_is_for_beheerders_who_reroute_it(
    vb: Vraagbaak, staff: dict[str, User], db: VraagbaakDB
) -> None:
    sub = vb.submit_question("Ik heb een vraag over iets dat ik niet goed snap.")
    assert vb.queue(staff["ccv"]) == [] and vb.queue(staff["rivm"]) == []
    with pytest.raises(Forbidden):
        vb.take(staff["ccv"], sub.id)
    moved = vb.reroute(staff["beheer"], sub.id, "RIVM", "gaat over gezondheid")
    assert moved.centrum == "RIVM" and "gaat over gezondheid" in moved.routering_reden
    assert [q.id for q in vb.queue(staff["rivm"])] == [sub.id]
    # RIVM sends it on to CCV: it leaves RIVM's queue and appears in CCV's.
    vb.reroute(staff["rivm"], sub.id, "CCV", "eerder veiligheid")
    assert vb.queue(staff["rivm"]) == [] and [q.id for q in vb.queue(staff["ccv"])] == [sub.id]
    with pytest.raises(InvalidInput, match="reden"):
        vb.reroute(staff["ccv"], sub.id, "RIVM", "  ")
    with pytest.raises(InvalidInput, match="Onbekend kenniscentrum"):
        vb.reroute(staff["ccv"], sub.id, "XYZ", "bestaat niet")
    assert _audit_actions(db, sub.id).count("doorgestuurd") == 2


def test_blocked_account_loses_access_in_open_sessions(
    vb: Vraagbaak, staff: dict[str, User], db: VraagbaakDB
) -> None:
    sub = vb.submit_question(HANGJONGEREN)
    block_user(db, staff["ccv"].naam)
    with pytest.raises(Forbidden):
        vb.queue(staff["ccv"])
    with pytest.raises(Forbidden):
        vb.take(staff["ccv"], sub.id)


def test_queue_order_oldest_waiting_first_or_newest_first(
    vb: Vraagbaak, staff: dict[str, User]
) -> None:
    ids = [vb.submit_question(f"{HANGJONGEREN} ({n})").id for n in range(3)]
    assert [q.id for q in vb.queue(staff["ccv"])] == ids
    assert [q.id for q in vb.queue(staff["ccv"], newest_first=True)] == ids[::-1]


def test_public_records_have_no_contact_details(vb: Vraagbaak, staff: dict[str, User]) -> None:
    assert not CONTACT_FIELDS & {f.name for f in fields(PublishedQA)}
    sub = vb.submit_question(HANGJONGEREN, email=EMAIL, **CONTACT)
    vb.answer(staff["ccv"], sub.id, "Zet jongerenwerkers in.", _two_citations())
    vb.publish(staff["ccv"], sub.id)
    listed = vb.published()
    assert [qa.id for qa in listed] == [sub.id]
    for qa in (*listed, vb.published_by_id(sub.id)):
        text = json.dumps(qa.__dict__, default=str)
        for secret in (EMAIL, CONTACT["naam"], CONTACT["organisatie"], sub.token):
            assert secret not in text


# ---------------------------------------------------------------------- the full flow
def test_full_flow_take_answer_publish_edit_unpublish(
    vb: Vraagbaak, staff: dict[str, User], db: VraagbaakDB
) -> None:
    ccv, beheer = staff["ccv"], staff["beheer"]
    sub = vb.submit_question(HANGJONGEREN, email=EMAIL, **CONTACT)
    with pytest.raises(InvalidState):
        vb.publish(ccv, sub.id)  # nothing to publish yet
    taken = vb.take(ccv, sub.id)
    assert (taken.status, taken.behandelaar) == ("in_behandeling", ccv.naam)
    answered = vb.answer(ccv, sub.id, "Zet jongerenwerkers en straatcoaches in.", _two_citations())
    assert answered.status == "beantwoord"
    assert answered.antwoord is not None and len(answered.antwoord.citaten) == 2
    published = vb.publish(ccv, sub.id)
    assert (published.versie, published.centrum) == (1, "CCV")
    assert [c.citaat for c in published.citaten] == ["VR2008, p. 12", "VR2010, p. 8"]
    assert vb.question_by_token(sub.token).gepubliceerd_id == sub.id
    with pytest.raises(Forbidden):  # once published, only a beheerder edits
        vb.edit_answer(ccv, sub.id, "Stilletjes aangepast.", [])
    vb.edit_answer(beheer, sub.id, "Zet jongerenwerkers in; zie ook VR2010.", _two_citations()[:1])
    assert vb.published_by_id(sub.id).antwoord.endswith("zie ook VR2010.")
    history = vb.history(ccv, sub.id)
    assert [v.versie for v in history.versies] == [1, 2]
    assert history.versies[0].tekst == "Zet jongerenwerkers en straatcoaches in."
    assert [len(v.citaten) for v in history.versies] == [2, 1]
    with pytest.raises(Forbidden):
        vb.unpublish(ccv, sub.id, "mag niet")
    withdrawn = vb.unpublish(beheer, sub.id, "verouderd")
    assert withdrawn.status == "ingetrokken"
    assert vb.published() == []
    with pytest.raises(QuestionNotFound):
        vb.published_by_id(sub.id)
    actions = _audit_actions(db, sub.id)
    assert actions == [
        "ingediend", "gerouteerd", "opgepakt", "beantwoord", "gepubliceerd", "bewerkt",
        "ingetrokken",
    ]  # fmt: skip
    assert [e.gebruiker for e in history.audit][2:] == [ccv.naam] * 3 + [beheer.naam]
    assert set(actions) <= set(ACTIONS)


def test_a_failed_step_writes_neither_change_nor_audit(
    vb: Vraagbaak, staff: dict[str, User], db: VraagbaakDB
) -> None:
    sub = vb.submit_question(HANGJONGEREN)
    bad = [Citation("", "doc", "citaat")]
    with pytest.raises(InvalidInput):
        vb.answer(staff["ccv"], sub.id, "Antwoord", bad)
    assert vb.question(staff["ccv"], sub.id).status == "nieuw"
    assert _audit_actions(db, sub.id) == ["ingediend", "gerouteerd"]


# ---------------------------------------------------------------------- accounts
def test_accounts_argon2_and_authentication(db: VraagbaakDB) -> None:
    user = add_user(db, "anna", "CCV", "medewerker", PASSWORD)
    with db.read() as conn:
        stored = conn.execute("SELECT wachtwoord_hash FROM gebruikers").fetchone()[0]
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert authenticate(db, "anna", PASSWORD) == user
    assert authenticate(db, "anna", PASSWORD + "x") is None
    assert authenticate(db, "onbekend", PASSWORD) is None
    block_user(db, "anna")
    assert authenticate(db, "anna", PASSWORD) is None
    assert [u.geblokkeerd for u in list_users(db)] == [True]
    with db.read() as conn:
        actions = [r[0] for r in conn.execute("SELECT actie FROM audit ORDER BY id")]
    assert actions == [
        "account_aangemaakt", "ingelogd", "inloggen_mislukt", "inloggen_mislukt",
        "account_geblokkeerd", "inloggen_mislukt",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("naam", "centrum", "rol", "password", "message"),
    [
        ("anna", "CCV", "medewerker", "kort-11-tek", "minstens 12 tekens"),
        ("anna", "XYZ", "medewerker", PASSWORD, "Onbekend kenniscentrum 'XYZ'"),
        ("anna", None, "medewerker", PASSWORD, "hoort bij een kenniscentrum"),
        ("anna", "CCV", "baas", PASSWORD, "Onbekende rol"),
        ("a b", "CCV", "medewerker", PASSWORD, "gebruikersnaam"),
    ],
)
def test_bad_accounts_are_refused(
    db: VraagbaakDB, naam: str, centrum: str | None, rol: str, password: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        add_user(db, naam, centrum, rol, password)
    assert list_users(db) == []


def test_duplicate_account_is_refused(db: VraagbaakDB) -> None:
    add_user(db, "anna", "CCV", "medewerker", PASSWORD)
    with pytest.raises(InvalidInput, match="al een gebruiker"):
        add_user(db, "anna", "RIVM", "medewerker", PASSWORD)


def test_old_hash_parameters_are_rehashed_at_login(db: VraagbaakDB) -> None:
    from argon2 import PasswordHasher

    add_user(db, "anna", "CCV", "medewerker", PASSWORD)
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    with db.write() as conn:
        conn.execute("UPDATE gebruikers SET wachtwoord_hash = ?", (weak,))
    assert authenticate(db, "anna", PASSWORD) is not None
    with db.read() as conn:
        assert conn.execute("SELECT wachtwoord_hash FROM gebruikers").fetchone()[0] != weak


# ---------------------------------------------------------------------- durability
_CHILD = """
import sys, time
from kennisbank.vraagbaak import Vraagbaak, VraagbaakDB
vb = Vraagbaak(VraagbaakDB(sys.argv[1]))
sub = vb.submit_question("Wat doen we tegen overlast van hangjongeren in de wijk?")
print(sub.id, sub.referentie, flush=True)
time.sleep(60)
"""


def test_acknowledged_question_survives_sigkill(db: VraagbaakDB) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(db.path)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline().split()
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    vraag_id, referentie = int(line[0]), line[1]
    reopened = VraagbaakDB(db.path)
    with reopened.read() as conn:
        row = conn.execute("SELECT referentie FROM vragen WHERE id = ?", (vraag_id,)).fetchone()
        actions = [
            r[0] for r in conn.execute("SELECT actie FROM audit WHERE vraag = ?", (vraag_id,))
        ]
    assert row[0] == referentie
    assert actions == ["ingediend", "gerouteerd"]


# ---------------------------------------------------------------------- export, import, backup
def _fill(vb: Vraagbaak, staff: dict[str, User]) -> int:
    sub = vb.submit_question(HANGJONGEREN, email=EMAIL, **CONTACT)
    vb.answer(staff["ccv"], sub.id, "Antwoord.", _two_citations())
    vb.publish(staff["ccv"], sub.id)
    vb.edit_answer(staff["beheer"], sub.id, "Beter antwoord.", _two_citations()[:1])
    vb.submit_question("Ik heb een vraag over iets dat ik niet goed snap.")
    return sub.id


def test_export_import_round_trips_everything(
    vb: Vraagbaak, staff: dict[str, User], db: VraagbaakDB, tmp_path: Path
) -> None:
    vraag_id = _fill(vb, staff)
    target = tmp_path / "export.json"
    counts = export_json(db, target)
    assert counts["vragen"] == 2 and counts["antwoorden"] == 2 and counts["citaten"] == 3
    assert target.stat().st_mode & 0o777 == 0o600
    payload = json.loads(target.read_text(encoding="utf-8"))
    assert (payload["formaat"], payload["versie"]) == ("kennisbank-vraagbaak", 1)
    assert all(u["wachtwoord_hash"].startswith("$argon2id$") for u in payload["gebruikers"])

    fresh = VraagbaakDB(tmp_path / "nieuw" / "vraagbaak.sqlite")
    assert import_json(fresh, target) == counts
    assert _dump(fresh) == _dump(db)
    copy = Vraagbaak(fresh)
    assert copy.published_by_id(vraag_id) == vb.published_by_id(vraag_id)
    assert authenticate(fresh, "ccv-anna", PASSWORD) is not None
    with pytest.raises(DatabaseNotEmpty, match="niet leeg"):
        import_json(fresh, target)


def _dump(db: VraagbaakDB) -> dict[str, list[tuple[object, ...]]]:
    tables = ("centra", "gebruikers", "vragen", "antwoorden", "citaten", "onderwerpen", "audit")
    with db.read() as conn:
        return {
            t: [tuple(r) for r in conn.execute(f"SELECT * FROM {t} ORDER BY rowid")]
            for t in tables
            if t != "audit"
        } | {
            "audit": [
                tuple(r) for r in conn.execute("SELECT * FROM audit WHERE actie != 'ingelogd'")
            ]
        }


def test_import_refuses_a_file_that_is_no_export(db: VraagbaakDB, tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text('{"iets": 1}', encoding="utf-8")
    with pytest.raises(InvalidInput, match="geen export van de Vraagbaak"):
        import_json(db, bad)


def test_backup_is_consistent_while_another_connection_writes(
    vb: Vraagbaak, staff: dict[str, User], db: VraagbaakDB, tmp_path: Path
) -> None:
    _fill(vb, staff)
    stop = threading.Event()
    written: list[int] = []

    def writer() -> None:
        while not stop.is_set():
            written.append(vb.submit_question(f"{HANGJONGEREN} nummer {len(written)}").id)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 5:
            threading.Event().wait(0.01)
        target = backup(db, tmp_path / "kopie")
    finally:
        stop.set()
        thread.join(timeout=30)
    assert target.parent == tmp_path / "kopie" and target.suffix == ".sqlite"
    conn = sqlite3.connect(target)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        count = conn.execute("SELECT COUNT(*) FROM vragen").fetchone()[0]
        audited = conn.execute("SELECT COUNT(*) FROM audit WHERE actie = 'ingediend'").fetchone()
    finally:
        conn.close()
    assert 2 + 5 <= count <= 2 + len(written)
    assert audited[0] == count  # every copied question has its audit row: one snapshot
    assert VraagbaakDB(target).schema_version() == SCHEMA_VERSION


def test_restore_as_the_readme_says(vb: Vraagbaak, db: VraagbaakDB, tmp_path: Path) -> None:
    """Stop, delete -wal/-shm, copy the backup over: the backed-up state is back."""
    kept = vb.submit_question(HANGJONGEREN)
    target = backup(db, tmp_path / "kopie")
    lost = vb.submit_question(f"{HANGJONGEREN} (na de back-up)")
    for suffix in ("-wal", "-shm"):
        Path(f"{db.path}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(target, db.path)
    restored = Vraagbaak(VraagbaakDB(db.path))
    assert restored.question_by_token(kept.token).referentie == kept.referentie
    with pytest.raises(QuestionNotFound):
        restored.question_by_token(lost.token)


def test_index_housekeeping_never_touches_the_vraagbaak(vb: Vraagbaak, db: VraagbaakDB) -> None:
    from kennisbank import generations

    sub = vb.submit_question(HANGJONGEREN)
    data_dir = db.path.parent
    old = generations.new_generation_dir(data_dir)
    generations.prune(data_dir, keep=set())
    generations.cleanup(data_dir)
    generations.remove_legacy(data_dir)
    assert not old.exists()
    assert vb.question_by_token(sub.token).referentie == sub.referentie


def test_the_database_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    # It holds password hashes and visitors' contact details.
    db = VraagbaakDB(tmp_path / "vraagbaak.sqlite")
    assert stat.S_IMODE(db.path.stat().st_mode) == 0o600
