"""The Vraagbaak for visitors on the web (issue 14): form, CSRF, rate limit, status page,
published answers (page and JSON), escaping, the secret key and the session cookie."""

from __future__ import annotations

import re
import sqlite3
import stat
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kennisbank import generations
from kennisbank.config import Settings, load_settings
from kennisbank.store import Store
from kennisbank.vraagbaak import Citation, Vraagbaak, VraagbaakDB, add_user
from tests.conftest import CORPUS_DIR
from tests.test_web import DOC_2010, assert_accessible_and_safe
from web import SECRET_KEY_FILE, create_app

QUESTION = "Hoe pakken andere gemeenten overlast van hangjongeren in een aandachtswijk aan?"
CONTACT = {
    "naam": "Jantje Geheimnaam",
    "organisatie": "Stichting Verborgen",
    "plaats": "Utrecht",
    "email": "jantje.geheim@example.nl",
}
SCRIPT = "<script>alert(1)</script> is dit veilig?"
IMG = '"><img src=x onerror=alert(1)>'


def _settings(tmp_path: Path, **env: str) -> Settings:
    return load_settings(corpus_dir=CORPUS_DIR, data_dir=tmp_path / "data", env=env)


def _app(settings: Settings) -> Flask:
    return create_app({"TESTING": True, "KENNISBANK_SETTINGS": settings})


@pytest.fixture()
def vb_settings(tmp_path: Path) -> Settings:
    """A fresh data folder (no index: the Vraagbaak needs none)."""
    return _settings(tmp_path)


@pytest.fixture()
def indexed_settings(built_settings: Settings, tmp_path: Path) -> Settings:
    """A fresh data folder whose live generation is the session's built index (linked)."""
    data = tmp_path / "data"
    data.mkdir()
    live = generations.current_dir(built_settings.data_dir)
    assert live is not None
    (data / live.name).symlink_to(live, target_is_directory=True)
    (data / "CURRENT").write_text(live.name + "\n", encoding="utf-8")
    settings = _settings(tmp_path)
    assert generations.current_dir(settings.data_dir) is not None
    return settings


def _csrf(client: FlaskClient, url: str = "/vraagbaak") -> str:
    page = client.get(url)
    assert page.status_code == 200
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert found, "the form carries a CSRF token"
    return found.group(1)


def _submit(client: FlaskClient, token: str, vraag: str = QUESTION, **fields: str) -> Any:
    return client.post("/vraagbaak", data={"csrf_token": token, "vraag": vraag, **fields})


def _stored(settings: Settings) -> int:
    path = settings.data_dir / "vraagbaak.sqlite"
    if not path.exists():
        return 0
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM vragen").fetchone()[0])


def _strings(node: Any) -> list[str]:
    """Every key and string value in a JSON document, recursively."""
    if isinstance(node, dict):
        return [s for k, v in node.items() for s in [str(k), *_strings(v)]]
    if isinstance(node, list):
        return [s for item in node for s in _strings(item)]
    return [node] if isinstance(node, str) else []


def _assert_no_contact(document: Any) -> None:
    strings = _strings(document)
    for key in ("naam", "email", "e-mail", "organisatie", "plaats", "contact"):
        assert key not in strings, key
    text = " ".join(strings).casefold()
    for value in CONTACT.values():
        assert value.casefold() not in text, value


def _publish(settings: Settings, vraag_id: int, citations: list[Citation]) -> None:
    db = VraagbaakDB.in_data_dir(settings.data_dir)
    beheerder = add_user(db, "beheerder", None, "beheerder", "een lang genoeg wachtwoord")
    service = Vraagbaak(db)
    service.take(beheerder, vraag_id)
    service.answer(
        beheerder,
        vraag_id,
        "Kijk naar de aanpak in de voortgangsrapportage.\n\nZie ook de bronnen.",
        citations,
    )
    service.publish(beheerder, vraag_id)


def _vraag_id(settings: Settings, location: str) -> int:
    token = location.rsplit("/", 1)[1]
    with sqlite3.connect(settings.data_dir / "vraagbaak.sqlite") as conn:
        return int(conn.execute("SELECT id FROM vragen WHERE token = ?", (token,)).fetchone()[0])


# -- the form, CSRF and the status page ---------------------------------------------------


def test_submit_needs_the_csrf_token_and_leads_to_the_status_page(vb_settings: Settings) -> None:
    client = _app(vb_settings).test_client()
    form = client.get("/vraagbaak").get_data(as_text=True)
    assert "Stel uw vraag" in form and "Zoek eerst" in form
    assert "nooit gepubliceerd" in form
    assert 'href="/vraagbaak"' in client.get("/").get_data(as_text=True)  # in the menu

    without = client.post("/vraagbaak", data={"vraag": QUESTION, **CONTACT})
    assert without.status_code == 400
    assert "beveiligingscode" in without.get_data(as_text=True)
    assert _stored(vb_settings) == 0

    response = _submit(client, _csrf(client), **CONTACT)
    assert response.status_code == 303
    location = response.headers["Location"]
    assert re.fullmatch(r"/vraagbaak/vraag/[A-Za-z0-9_-]{20,}", location)
    assert _stored(vb_settings) == 1

    status = client.get(location)
    html = status.get_data(as_text=True)
    assert status.status_code == 200
    assert re.search(r"VB-\d{4}-\d{6}", html)
    assert QUESTION in html and "ontvangen" in html
    for value in CONTACT.values():
        assert value not in html, value
    assert status.headers["Cache-Control"] == "no-store"
    assert status.headers["Referrer-Policy"] == "no-referrer"


def test_unknown_token_is_404_never_500(vb_settings: Settings) -> None:
    client = _app(vb_settings).test_client()
    for token in ("onbekend", "x" * 500, "%27%20OR%201=1--", "..%2F..%2Fetc"):
        assert client.get(f"/vraagbaak/vraag/{token}").status_code == 404, token


def test_invalid_input_is_400_with_the_dutch_message_and_keeps_the_text(
    vb_settings: Settings,
) -> None:
    client = _app(vb_settings).test_client()
    response = _submit(client, _csrf(client), vraag="Te kort", naam="Piet")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Een vraag moet minstens 10 tekens lang zijn." in html
    assert ">Te kort</textarea>" in html and 'value="Piet"' in html
    bad_email = _submit(client, _csrf(client), email="geen-adres")
    assert bad_email.status_code == 400 and "geen geldig e-mailadres" in bad_email.get_data(
        as_text=True
    )
    assert _stored(vb_settings) == 0


def test_the_sixth_submission_within_a_minute_is_429(vb_settings: Settings) -> None:
    client = _app(vb_settings).test_client()
    token = _csrf(client)
    for n in range(5):
        assert _submit(client, token, vraag=f"{QUESTION} ({n})").status_code == 303
    sixth = _submit(client, token, vraag=f"{QUESTION} (6)")
    assert sixth.status_code == 429
    assert "te veel vragen" in sixth.get_data(as_text=True)
    assert _stored(vb_settings) == 5
    assert client.get("/vraagbaak").status_code == 200  # reading stays possible
    other = _app(vb_settings).test_client()  # a new app has its own (in-memory) counts
    assert _submit(other, _csrf(other), vraag=f"{QUESTION} (7)").status_code == 303


def test_the_submission_limit_is_a_setting(tmp_path: Path) -> None:
    settings = _settings(tmp_path, KENNISBANK_VRAAGBAAK_LIMIT="2 per minute")
    client = _app(settings).test_client()
    token = _csrf(client)
    assert [_submit(client, token, vraag=f"{QUESTION} ({n})").status_code for n in range(3)] == [
        303,
        303,
        429,
    ]
    assert _stored(settings) == 2


# -- escaping -----------------------------------------------------------------------------


def test_script_and_markup_are_shown_escaped_everywhere(vb_settings: Settings) -> None:
    client = _app(vb_settings).test_client()
    rejected = _submit(client, _csrf(client), vraag=SCRIPT, naam=IMG, email="geen-adres")
    assert rejected.status_code == 400
    pages = {"form after an error": rejected.get_data(as_text=True)}
    response = _submit(client, _csrf(client), vraag=SCRIPT, naam=IMG)
    assert response.status_code == 303
    pages["status"] = client.get(response.headers["Location"]).get_data(as_text=True)
    vraag_id = _vraag_id(vb_settings, response.headers["Location"])
    _publish(vb_settings, vraag_id, [])
    pages["published"] = client.get(f"/vraagbaak/{vraag_id}").get_data(as_text=True)
    pages["form with its list"] = client.get("/vraagbaak").get_data(as_text=True)
    pages["suggestions"] = client.get("/vraagbaak?q=script+alert+veilig").get_data(as_text=True)
    for name, html in pages.items():
        assert "<script>alert" not in html, name
        assert "<img src=x" not in html, name
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, name
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in pages["form after an error"]
    for name in ("status", "published", "form with its list", "suggestions"):
        assert "onerror" not in pages[name], name  # the name is never shown back
    data = client.get(f"/api/vragen/{vraag_id}").get_json()
    assert data["vraag"] == SCRIPT


# -- published questions and answers ------------------------------------------------------


def test_a_published_answer_is_public_without_contact_details(
    indexed_settings: Settings,
) -> None:
    from openapi_schema_validator import OAS31Validator, validate

    app = _app(indexed_settings)
    client = app.test_client()
    with Store(indexed_settings.db_path) as store:
        passage = store.passages(DOC_2010)[5]
    citation = Citation(passage["id"], DOC_2010, "Voortgangsrapportage Wijkenaanpak 2010")
    token = _csrf(client)
    published = _submit(client, token, **CONTACT)
    unpublished = _submit(client, token, vraag="Welke wijken kregen geld voor sport?", **CONTACT)
    vraag_id = _vraag_id(indexed_settings, published.headers["Location"])
    hidden_id = _vraag_id(indexed_settings, unpublished.headers["Location"])
    _publish(indexed_settings, vraag_id, [citation])

    page = client.get(f"/vraagbaak/{vraag_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert QUESTION in html and "Kijk naar de aanpak" in html
    assert f'href="/document/{DOC_2010}#p-{passage["id"]}"' in html
    assert "Voortgangsrapportage Wijkenaanpak 2010" in html
    for value in CONTACT.values():
        assert value not in html, value

    spec = client.get("/api/openapi.json").get_json()
    listing = client.get("/api/vragen")
    one = client.get(f"/api/vragen/{vraag_id}")
    assert listing.status_code == 200 and one.status_code == 200
    assert [q["id"] for q in listing.get_json()["vragen"]] == [vraag_id]
    assert listing.get_json()["total"] == 1
    assert one.get_json()["citaten"][0]["url"] == f"/document/{DOC_2010}#p-{passage['id']}"
    assert one.get_json()["url"] == f"/vraagbaak/{vraag_id}"
    for response in (listing, one):
        _assert_no_contact(response.get_json())
    query = "q=overlast+hangjongeren+aanpak"
    search = client.get(f"/api/search?{query}")
    hits = search.get_json()["hits"]
    found = [h for h in hits if h.get("vraag_id") == vraag_id]
    assert found and hits[0] is found[0] and hidden_id not in {h.get("vraag_id") for h in hits}
    _assert_no_contact(found[0])
    for url in (f"/?{query}", f"/api/search?{query}", f"/api/search.csv?{query}"):
        text = client.get(url).get_data(as_text=True)
        assert f"/vraagbaak/{vraag_id}" in text, url
        for field in ("naam", "organisatie", "email"):  # the place may be in the reports
            assert CONTACT[field] not in text, (url, field)
    schemas = {"Vragen": listing, "Vraag": one, "Search": search}
    for name, response in schemas.items():
        schema = _inline_refs(spec["components"]["schemas"][name], spec)
        validate(response.get_json(), schema, cls=OAS31Validator)

    suggestions = client.get("/vraagbaak?q=overlast+hangjongeren+aanpak")
    text = suggestions.get_data(as_text=True)
    assert suggestions.status_code == 200
    assert f'href="/vraagbaak/{vraag_id}"' in text
    assert re.search(r'href="/document/[^"#]+#p-[^"]+"', text)  # passages from the search
    assert f"{QUESTION}</textarea>" not in text  # the form is pre-filled with ?q=
    assert ">overlast hangjongeren aanpak</textarea>" in text

    status_page = client.get(published.headers["Location"]).get_data(as_text=True)
    for shown in (text, html, status_page):
        assert_accessible_and_safe(shown)  # one h1, labelled fields, no inline script/style

    for url in (f"/vraagbaak/{hidden_id}", f"/api/vragen/{hidden_id}", "/api/vragen/9999"):
        assert client.get(url).status_code == 404, url
    missing = client.get(f"/api/vragen/{hidden_id}").get_json()
    assert missing["status"] == 404 and "bestaat niet" in missing["fout"]
    assert client.get("/api/vragen?limit=abc").status_code == 400
    assert client.get("/api/vragen?limit=1&offset=1").get_json()["vragen"] == []


def _inline_refs(node: Any, spec: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        if "$ref" in node:
            target: Any = spec
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            return _inline_refs(target, spec)
        return {k: _inline_refs(v, spec) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline_refs(item, spec) for item in node]
    return node


# -- secret key and session cookie --------------------------------------------------------


def test_secret_key_is_generated_once_private_and_overridable(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    first = _app(settings).config["SECRET_KEY"]
    path = settings.data_dir / SECRET_KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) == 64 and path.read_text(encoding="ascii").strip() == first
    assert _app(settings).config["SECRET_KEY"] == first
    assert not [p for p in settings.data_dir.iterdir() if p.name.startswith(".secret_key")]

    own = "k" * 48
    overridden = _app(_settings(tmp_path, KENNISBANK_SECRET_KEY=own))
    assert overridden.config["SECRET_KEY"] == own
    assert own not in repr(load_settings(env={"KENNISBANK_SECRET_KEY": own}))


def test_session_cookie_flags(vb_settings: Settings) -> None:
    app = _app(vb_settings)
    plain = app.test_client().get("/vraagbaak").headers["Set-Cookie"]
    assert "HttpOnly" in plain and "SameSite=Lax" in plain and "Expires=" in plain
    assert "Secure" not in plain
    secure = app.test_client().get("/vraagbaak", base_url="https://localhost")
    assert "; Secure" in secure.headers["Set-Cookie"]
    assert app.permanent_session_lifetime.total_seconds() == 30 * 60
    assert "Set-Cookie" not in app.test_client().get("/api/vragen").headers  # no session
