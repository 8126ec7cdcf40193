"""The Vraagbaak for staff on the web (issue 14): login, authorisation, CSRF, rate limit,
the queue, one question, answering with citations, publishing, escaping, open redirects."""

from __future__ import annotations

import html as htmllib
import re
import sqlite3
from typing import Any

from flask.testing import FlaskClient

from kennisbank.config import Settings
from kennisbank.vraagbaak import Vraagbaak, VraagbaakDB, add_user, block_user
from tests import test_vraagbaak_web as visitor_tests
from tests.test_vraagbaak_web import (
    CONTACT,
    IMG,
    QUESTION,
    SCRIPT,
    _app,
    _csrf,
    _submit,
    _vraag_id,
)
from tests.test_web import assert_accessible_and_safe
from web.beheer import LOGIN_FAILED

#: The fixtures of the visitor tests: a fresh data folder, and one with the built index.
vb_settings = visitor_tests.vb_settings
indexed_settings = visitor_tests.indexed_settings

PASSWORD = "een lang genoeg wachtwoord"
#: Routed to the general queue (no thema found).
GENERAL = "Wat is de bedoeling hiervan precies, kunt u dat uitleggen?"
LOGIN = "/beheer/inloggen"


def _db(settings: Settings) -> VraagbaakDB:
    return VraagbaakDB.in_data_dir(settings.data_dir)


def _accounts(settings: Settings) -> None:
    db = _db(settings)
    add_user(db, "ccv.medewerker", "CCV", "medewerker", PASSWORD)
    add_user(db, "kei.medewerker", "KEI", "medewerker", PASSWORD)
    add_user(db, "beheerder", None, "beheerder", PASSWORD)


def _question(settings: Settings, text: str = QUESTION) -> int:
    return Vraagbaak(_db(settings)).submit_question(text, **CONTACT).id


def _state(settings: Settings) -> list[Any]:
    """Everything a staff action may change (logins write audit rows too: left out)."""
    with sqlite3.connect(settings.data_dir / "vraagbaak.sqlite") as conn:
        return [
            conn.execute("SELECT * FROM vragen ORDER BY id").fetchall(),
            conn.execute("SELECT * FROM antwoorden ORDER BY id").fetchall(),
            conn.execute("SELECT * FROM citaten ORDER BY id").fetchall(),
            conn.execute(
                "SELECT * FROM audit WHERE actie NOT IN ('ingelogd', 'inloggen_mislukt') "
                "ORDER BY id"
            ).fetchall(),
            conn.execute("SELECT id, naam, centrum, rol, geblokkeerd FROM gebruikers").fetchall(),
            conn.execute("SELECT * FROM centra ORDER BY code").fetchall(),
        ]


def _login(client: FlaskClient, naam: str, password: str = PASSWORD, **extra: str) -> Any:
    token = _csrf(client, LOGIN)
    data = {"csrf_token": token, "naam": naam, "wachtwoord": password, **extra}
    return client.post(LOGIN, data=data)


def _logged_in(settings: Settings, naam: str) -> FlaskClient:
    client = _app(settings).test_client()
    response = _login(client, naam)
    assert response.status_code == 303 and response.headers["Location"] == "/beheer"
    return client


def _token(client: FlaskClient, vraag_id: int) -> str:
    page = client.get(f"/beheer/vraag/{vraag_id}").get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found
    return found.group(1)


def _actions(vraag_id: int) -> dict[str, dict[str, str]]:
    base = f"/beheer/vraag/{vraag_id}"
    return {
        f"{base}/oppakken": {},
        f"{base}/doorsturen": {"centrum": "KEI", "reden": "past beter bij KEI"},
        f"{base}/antwoorden": {"tekst": "Een antwoord."},
        f"{base}/bewerken": {"tekst": "Een ander antwoord."},
        f"{base}/publiceren": {},
        f"{base}/intrekken": {"reden": "verouderd"},
        **ADMIN_ACTIONS,
    }


#: The beheerders' own POSTs (accounts and centres).
ADMIN_ACTIONS: dict[str, dict[str, str]] = {
    "/beheer/gebruikers": {
        "naam": "nieuw.account",
        "rol": "medewerker",
        "centrum": "CCV",
        "wachtwoord": PASSWORD,
        "herhaling": PASSWORD,
    },
    "/beheer/gebruikers/ccv.medewerker/blokkeren": {},
    "/beheer/gebruikers/ccv.medewerker/deblokkeren": {},
    "/beheer/centra/CCV/actief": {"actief": "nee"},
}
#: The beheerders' own pages.
ADMIN_PAGES = ("/beheer/gebruikers", "/beheer/centra")


# -- authorisation ------------------------------------------------------------------------


def test_staff_pages_need_a_login_and_the_routed_centre(vb_settings: Settings) -> None:
    _accounts(vb_settings)
    vraag_id = _question(vb_settings)  # → CCV
    general_id = _question(vb_settings, GENERAL)
    before = _state(vb_settings)

    anonymous = _app(vb_settings).test_client()
    token = _csrf(anonymous, LOGIN)
    for url in ("/beheer", f"/beheer/vraag/{vraag_id}", "/beheer?volgorde=nieuwste", *ADMIN_PAGES):
        response = anonymous.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith(f"{LOGIN}?volgende=/beheer"), url
    for url, data in _actions(vraag_id).items():
        response = anonymous.post(url, data={"csrf_token": token, **data})
        assert response.status_code == 302, url
        assert response.headers["Location"] == f"{LOGIN}?volgende={url}", url
    assert _state(vb_settings) == before

    other = _logged_in(vb_settings, "kei.medewerker")
    queue = other.get("/beheer").get_data(as_text=True)
    assert "Er wachten geen vragen." in queue and "Uitloggen" in queue
    page = other.get(f"/beheer/vraag/{vraag_id}")
    assert page.status_code == 403
    assert "hoort niet bij uw kenniscentrum" in page.get_data(as_text=True)
    assert CONTACT["email"] not in page.get_data(as_text=True)
    assert other.get(f"/beheer/vraag/{general_id}").status_code == 403
    token = _csrf(other, "/beheer")
    for url, data in _actions(vraag_id).items():
        assert other.post(url, data={"csrf_token": token, **data}).status_code == 403, url
    assert other.get("/beheer/vraag/9999").status_code == 404
    for url in ADMIN_PAGES:
        assert other.get(url).status_code == 403, url
    assert 'href="/beheer/gebruikers"' not in queue
    assert _state(vb_settings) == before

    own = _logged_in(vb_settings, "ccv.medewerker")
    queue_page = own.get("/beheer")
    html = queue_page.get_data(as_text=True)
    assert queue_page.status_code == 200 and "VB-" in html
    assert f'href="/beheer/vraag/{vraag_id}"' in html
    assert f'href="/beheer/vraag/{general_id}"' not in html
    assert "veiligheid" in html  # the routing reason
    assert queue_page.headers["Cache-Control"] == "no-store"
    assert_accessible_and_safe(html)
    page = own.get(f"/beheer/vraag/{vraag_id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    for value in CONTACT.values():
        assert value in text, value
    assert_accessible_and_safe(text)
    taken = own.post(
        f"/beheer/vraag/{vraag_id}/oppakken", data={"csrf_token": _token(own, vraag_id)}
    )
    assert taken.status_code == 303 and taken.headers["Location"] == f"/beheer/vraag/{vraag_id}"
    assert "ccv.medewerker" in own.get(f"/beheer/vraag/{vraag_id}").get_data(as_text=True)
    publish_early = own.post(
        f"/beheer/vraag/{vraag_id}/publiceren", data={"csrf_token": _token(own, vraag_id)}
    )
    assert publish_early.status_code == 400  # not answered yet

    beheerder = _logged_in(vb_settings, "beheerder")
    everything = beheerder.get("/beheer").get_data(as_text=True)
    assert f'href="/beheer/vraag/{general_id}"' in everything
    assert f'href="/beheer/vraag/{vraag_id}"' in everything
    assert "algemene wachtrij" in everything
    newest = beheerder.get("/beheer?volgorde=nieuwste").get_data(as_text=True)
    assert newest.index(f"/beheer/vraag/{general_id}") < newest.index(f"/beheer/vraag/{vraag_id}")
    assert everything.index(f"/beheer/vraag/{vraag_id}") < everything.index(
        f"/beheer/vraag/{general_id}"
    )
    assert beheerder.get(f"/beheer/vraag/{general_id}").status_code == 200


def test_every_staff_post_needs_the_csrf_token(vb_settings: Settings) -> None:
    _accounts(vb_settings)
    vraag_id = _question(vb_settings)
    client = _logged_in(vb_settings, "beheerder")
    before = _state(vb_settings)
    for url, data in {**_actions(vraag_id), "/beheer/uitloggen": {}}.items():
        for token in (None, "vals"):
            sent = data if token is None else {"csrf_token": token, **data}
            response = client.post(url, data=sent)
            assert response.status_code == 400, url
            assert "beveiligingscode" in response.get_data(as_text=True), url
    assert _state(vb_settings) == before
    assert client.get("/beheer").status_code == 200  # still logged in
    no_token = (
        _app(vb_settings)
        .test_client()
        .post(LOGIN, data={"naam": "beheerder", "wachtwoord": PASSWORD})
    )
    assert no_token.status_code == 400


# -- login --------------------------------------------------------------------------------


def test_login_failures_look_alike_and_blocking_ends_sessions(vb_settings: Settings) -> None:
    _accounts(vb_settings)
    client = _app(vb_settings).test_client()
    wrong = _login(client, "ccv.medewerker", "niet het goede wachtwoord")
    unknown = _login(client, "niemand.bekend", "niet het goede wachtwoord")
    assert wrong.status_code == unknown.status_code == 400
    for response in (wrong, unknown):
        assert LOGIN_FAILED in response.get_data(as_text=True)
    strip = re.compile(r'value="[^"]*"')
    assert strip.sub("", wrong.get_data(as_text=True)).replace("ccv.medewerker", "X") == strip.sub(
        "", unknown.get_data(as_text=True)
    ).replace("niemand.bekend", "X")
    assert client.get("/beheer").status_code == 302

    ok = _login(client, "ccv.medewerker")
    assert ok.status_code == 303 and ok.headers["Location"] == "/beheer"
    cookie = ok.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/beheer").status_code == 200

    block_user(_db(vb_settings), "ccv.medewerker")
    after = client.get("/beheer")
    assert after.status_code == 302 and after.headers["Location"].startswith(LOGIN)
    blocked = _login(client, "ccv.medewerker")
    assert blocked.status_code == 400 and LOGIN_FAILED in blocked.get_data(as_text=True)

    other = _logged_in(vb_settings, "beheerder")
    out = other.post("/beheer/uitloggen", data={"csrf_token": _csrf(other, "/beheer")})
    assert out.status_code == 303
    assert other.get("/beheer").status_code == 302


def test_the_eleventh_login_within_a_minute_is_429(vb_settings: Settings) -> None:
    _accounts(vb_settings)
    client = _app(vb_settings).test_client()
    token = _csrf(client, LOGIN)
    data = {"csrf_token": token, "naam": "beheerder", "wachtwoord": "fout fout fout"}
    for _ in range(10):
        assert client.post(LOGIN, data=data).status_code == 400
    eleventh = client.post(LOGIN, data={**data, "wachtwoord": PASSWORD})
    assert eleventh.status_code == 429
    assert "inlogpogingen" in eleventh.get_data(as_text=True)
    assert eleventh.headers["Retry-After"] == "60"
    assert client.get(LOGIN).status_code == 200


def test_volgende_is_only_followed_inside_beheer(vb_settings: Settings) -> None:
    _accounts(vb_settings)
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"):
        client = _app(vb_settings).test_client()
        page = client.get(f"{LOGIN}?volgende={evil}").get_data(as_text=True)
        assert "evil.example" not in page and "javascript:" not in page
        response = _login(client, "beheerder", volgende=evil)
        assert response.status_code == 303 and response.headers["Location"] == "/beheer", evil
    client = _app(vb_settings).test_client()
    followed = _login(client, "beheerder", volgende="/beheer?volgorde=nieuwste")
    assert followed.headers["Location"] == "/beheer?volgorde=nieuwste"


# -- the whole flow over HTTP -------------------------------------------------------------


def test_visitor_question_to_published_answer_with_two_citations(
    indexed_settings: Settings,
) -> None:
    settings = indexed_settings
    add_user(_db(settings), "ccv.medewerker", "CCV", "medewerker", PASSWORD)
    visitor = _app(settings).test_client()
    submitted = _submit(visitor, _csrf(visitor), **CONTACT)
    assert submitted.status_code == 303
    vraag_id = _vraag_id(settings, submitted.headers["Location"])

    staff = _logged_in(settings, "ccv.medewerker")
    assert f'href="/beheer/vraag/{vraag_id}"' in staff.get("/beheer").get_data(as_text=True)
    url = f"/beheer/vraag/{vraag_id}"
    assert (
        staff.post(f"{url}/oppakken", data={"csrf_token": _token(staff, vraag_id)}).status_code
        == 303
    )

    search = staff.get(f"{url}?zoek=overlast+hangjongeren")
    page = search.get_data(as_text=True)
    assert search.status_code == 200
    assert_accessible_and_safe(page)
    values = [htmllib.unescape(v) for v in re.findall(r'name="citaat" value="([^"]+)"', page)]
    assert 2 <= len(values) <= 10
    picked = values[:2]
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]

    before = _state(settings)
    doc_id = picked[0].split("|")[0]
    for bad in (f"{doc_id}|bestaat-niet", "onbekend-document|p1", "zonder-streep"):
        refused = staff.post(
            f"{url}/antwoorden", data={"csrf_token": token, "tekst": "Antwoord", "citaat": bad}
        )
        assert refused.status_code == 400, bad
        assert "bestaande passage" in refused.get_data(as_text=True)
    assert _state(settings) == before

    answer = "Kijk naar de aanpak van overlast in de voortgangsrapportage."
    answered = staff.post(
        f"{url}/antwoorden", data={"csrf_token": token, "tekst": answer, "citaat": picked}
    )
    assert answered.status_code == 303
    published = staff.post(f"{url}/publiceren", data={"csrf_token": token})
    assert published.status_code == 303

    public = visitor.get(f"/vraagbaak/{vraag_id}").get_data(as_text=True)
    assert answer in public
    links = re.findall(r'<a href="(/document/[^"#]+#p-[^"]+)"', public)
    expected = [f"/document/{v.split('|')[0]}#p-{v.split('|', 1)[1]}" for v in picked]
    assert [htmllib.unescape(link) for link in links] == expected
    data = visitor.get(f"/api/vragen/{vraag_id}").get_json()
    assert [(c["document_id"], c["passage_id"]) for c in data["citaten"]] == [
        tuple(v.split("|", 1)) for v in picked
    ]
    assert all(c["citaat"] for c in data["citaten"])
    for value in CONTACT.values():
        assert value not in public, value

    staff_page = staff.get(url).get_data(as_text=True)
    history = staff_page[staff_page.index("Geschiedenis") :]
    rows = re.findall(r"<tr><td>[^<]*</td><td>([^<]*)</td><td>([^<]*)</td>", history)
    acties = [actie for actie, _ in rows]
    for step in ("ingediend", "opgepakt", "beantwoord", "gepubliceerd"):
        assert step in acties, step
    assert all(
        who == "ccv.medewerker"
        for actie, who in rows
        if actie != "ingediend" and actie != "gerouteerd"
    )
    assert acties.index("ingediend") < acties.index("opgepakt") < acties.index("beantwoord")
    assert acties.index("beantwoord") < acties.index("gepubliceerd")
    assert_accessible_and_safe(staff_page)


# -- escaping -----------------------------------------------------------------------------


def test_payloads_are_escaped_on_staff_and_public_pages(vb_settings: Settings) -> None:
    add_user(_db(vb_settings), "ccv.medewerker", "CCV", "medewerker", PASSWORD)
    visitor = _app(vb_settings).test_client()
    submitted = _submit(visitor, _csrf(visitor), vraag=SCRIPT, naam=IMG)
    assert submitted.status_code == 303
    vraag_id = _vraag_id(vb_settings, submitted.headers["Location"])

    staff = _logged_in(vb_settings, "ccv.medewerker")
    url = f"/beheer/vraag/{vraag_id}"
    pages = {"queue": staff.get("/beheer").get_data(as_text=True)}
    pages["question"] = staff.get(url).get_data(as_text=True)
    payload = "<script>alert(2)</script><img src=x onerror=alert(3)>"
    token = _token(staff, vraag_id)
    assert (
        staff.post(f"{url}/antwoorden", data={"csrf_token": token, "tekst": payload}).status_code
        == 303
    )
    assert staff.post(f"{url}/publiceren", data={"csrf_token": token}).status_code == 303
    pages["answered"] = staff.get(url).get_data(as_text=True)
    pages["public"] = visitor.get(f"/vraagbaak/{vraag_id}").get_data(as_text=True)
    for name, html in pages.items():
        assert "<script>alert" not in html, name
        assert "<img src=x" not in html, name
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages["queue"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages["question"]
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in pages["question"]  # the name
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in pages["public"]
    assert "&lt;img src=x onerror=alert(3)&gt;" in pages["public"]


def test_only_a_beheerder_edits_or_withdraws_a_published_answer(vb_settings: Settings) -> None:
    _accounts(vb_settings)
    vraag_id = _question(vb_settings)
    url = f"/beheer/vraag/{vraag_id}"
    staff = _logged_in(vb_settings, "ccv.medewerker")
    token = _token(staff, vraag_id)
    first = {"csrf_token": token, "tekst": "Eerste versie."}
    assert staff.post(f"{url}/antwoorden", data=first).status_code == 303
    assert staff.post(f"{url}/publiceren", data={"csrf_token": token}).status_code == 303
    page = staff.get(url).get_data(as_text=True)
    assert "Intrekken" not in page and "Nieuwe versie opslaan" not in page
    before = _state(vb_settings)
    edit = {"csrf_token": token, "tekst": "Tweede versie."}
    assert staff.post(f"{url}/bewerken", data=edit).status_code == 403
    withdraw = {"csrf_token": token, "reden": "verouderd"}
    assert staff.post(f"{url}/intrekken", data=withdraw).status_code == 403
    assert _state(vb_settings) == before

    beheerder = _logged_in(vb_settings, "beheerder")
    page = beheerder.get(url).get_data(as_text=True)
    assert "Intrekken" in page and "Nieuwe versie opslaan" in page
    assert_accessible_and_safe(page)
    token = _token(beheerder, vraag_id)
    empty = beheerder.post(f"{url}/intrekken", data={"csrf_token": token, "reden": " "})
    assert empty.status_code == 400 and "Geef een reden" in empty.get_data(as_text=True)
    edited = beheerder.post(
        f"{url}/bewerken", data={"csrf_token": token, "tekst": "Tweede versie."}
    )
    assert edited.status_code == 303
    public = beheerder.get(f"/vraagbaak/{vraag_id}").get_data(as_text=True)
    assert "Tweede versie." in public
    withdrawn = beheerder.post(f"{url}/intrekken", data={"csrf_token": token, "reden": "verouderd"})
    assert withdrawn.status_code == 303
    assert beheerder.get(f"/vraagbaak/{vraag_id}").status_code == 404
    history = beheerder.get(url).get_data(as_text=True)
    assert "Eerste versie." in history and "Tweede versie." in history  # every version kept
    assert "ingetrokken" in history and "verouderd" in history


# -- accounts and centres -----------------------------------------------------------------


def _admin_token(client: FlaskClient, url: str = "/beheer/gebruikers") -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True))
    assert found
    return found.group(1)


def test_a_beheerder_manages_accounts_on_the_web(vb_settings: Settings) -> None:
    _accounts(vb_settings)
    admin = _logged_in(vb_settings, "beheerder")
    page = admin.get("/beheer/gebruikers").get_data(as_text=True)
    assert "ccv.medewerker" in page and "kei.medewerker" in page and "wachtwoord_hash" not in page
    token = _admin_token(admin)
    fields = dict(ADMIN_ACTIONS["/beheer/gebruikers"])
    mismatch = admin.post(
        "/beheer/gebruikers", data={**fields, "herhaling": "x" * 20, "csrf_token": token}
    )
    assert mismatch.status_code == 400 and "verschillen" in mismatch.get_data(as_text=True)
    short = admin.post(
        "/beheer/gebruikers",
        data={**fields, "wachtwoord": "kort", "herhaling": "kort", "csrf_token": token},
    )
    assert short.status_code == 400
    added = admin.post("/beheer/gebruikers", data={**fields, "csrf_token": token})
    assert added.status_code == 303
    assert admin.post("/beheer/gebruikers", data={**fields, "csrf_token": token}).status_code == 400
    newcomer = _logged_in(vb_settings, "nieuw.account")
    assert newcomer.get("/beheer").status_code == 200
    assert newcomer.get("/beheer/gebruikers").status_code == 403

    blocked = admin.post("/beheer/gebruikers/nieuw.account/blokkeren", data={"csrf_token": token})
    assert blocked.status_code == 303
    assert newcomer.get("/beheer").status_code == 302  # its session ended
    assert _login(_app(vb_settings).test_client(), "nieuw.account").status_code == 400
    own = admin.post("/beheer/gebruikers/beheerder/blokkeren", data={"csrf_token": token})
    assert own.status_code == 400  # not yourself
    unknown = admin.post("/beheer/gebruikers/niemand/blokkeren", data={"csrf_token": token})
    assert unknown.status_code == 404
    admin.post("/beheer/gebruikers/nieuw.account/deblokkeren", data={"csrf_token": token})
    assert _login(_app(vb_settings).test_client(), "nieuw.account").status_code == 303
    with sqlite3.connect(vb_settings.data_dir / "vraagbaak.sqlite") as conn:
        rows = conn.execute(
            "SELECT a.actie, g.naam FROM audit a JOIN gebruikers g ON g.id = a.gebruiker "
            "WHERE a.actie LIKE 'account_%' ORDER BY a.id"
        ).fetchall()
    assert rows == [
        ("account_aangemaakt", "beheerder"),
        ("account_geblokkeerd", "beheerder"),
        ("account_gedeblokkeerd", "beheerder"),
    ]


def test_a_centre_switched_off_gets_no_new_questions(vb_settings: Settings) -> None:
    _accounts(vb_settings)
    admin = _logged_in(vb_settings, "beheerder")
    page = admin.get("/beheer/centra").get_data(as_text=True)
    assert "Centrum voor Criminaliteitspreventie en Veiligheid" in page or "CCV" in page
    assert "Bron:" in page
    token = _admin_token(admin, "/beheer/centra")
    off = admin.post("/beheer/centra/CCV/actief", data={"csrf_token": token, "actief": "nee"})
    assert off.status_code == 303
    vb = Vraagbaak(_db(vb_settings))
    submitted = vb.submit_question(QUESTION)  # would go to CCV
    assert submitted.routing.centrum is None
    assert "CCV is niet actief" in submitted.routing.reden
    kei = _logged_in(vb_settings, "kei.medewerker")
    vraag_id = _question(vb_settings, GENERAL)
    admin_q = admin.get(f"/beheer/vraag/{vraag_id}")
    assert admin_q.status_code == 200
    moved = admin.post(
        f"/beheer/vraag/{vraag_id}/doorsturen",
        data={"csrf_token": token, "centrum": "CCV", "reden": "veiligheid"},
    )
    assert moved.status_code == 400 and "niet actief" in moved.get_data(as_text=True)
    bad = admin.post("/beheer/centra/CCV/actief", data={"csrf_token": token, "actief": "misschien"})
    assert bad.status_code == 400
    assert (
        admin.post(
            "/beheer/centra/XYZ/actief", data={"csrf_token": token, "actief": "ja"}
        ).status_code
        == 400
    )
    admin.post("/beheer/centra/CCV/actief", data={"csrf_token": token, "actief": "ja"})
    assert vb.submit_question(QUESTION).routing.centrum == "CCV"
    assert kei.get("/beheer/centra").status_code == 403
