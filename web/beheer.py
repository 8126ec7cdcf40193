"""The Vraagbaak for staff (issue 14): log in, the queue, one question, answer, publish.

Pages (Dutch, server-rendered, every form works without JavaScript):

``GET/POST /beheer/inloggen``               log in (CSRF, rate limit per address, see
                                            :mod:`web`); 303 to ``/beheer``
``POST     /beheer/uitloggen``              log out (clears the session)
``GET      /beheer``                        the queue (``?volgorde=nieuwste``)
``GET      /beheer/vraag/<id>``             one question: contact, routing, history,
                                            answer versions, the forms; ``?zoek=…``
                                            searches passages to cite
``POST     /beheer/vraag/<id>/oppakken``    take        (``Vraagbaak.take``)
``POST     /beheer/vraag/<id>/doorsturen``  reroute     (``Vraagbaak.reroute``)
``POST     /beheer/vraag/<id>/antwoorden``  answer      (``Vraagbaak.answer``)
``POST     /beheer/vraag/<id>/bewerken``    new version (``Vraagbaak.edit_answer``)
``POST     /beheer/vraag/<id>/publiceren``  publish     (``Vraagbaak.publish``)
``POST     /beheer/vraag/<id>/intrekken``   unpublish   (``Vraagbaak.unpublish``)
``GET/POST /beheer/gebruikers``             accounts: the list and "account toevoegen"
                                            (beheerder only)
``POST     /beheer/gebruikers/<naam>/(de)blokkeren``  block or unblock an account
``GET      /beheer/centra``                 the centres: description, source, accounts,
                                            open questions (beheerder only)
``POST     /beheer/centra/<code>/actief``   switch a centre on or off (routing skips a
                                            centre that is off)

Every page but the login page needs a session; the account is re-read from the
database on each request, so a blocked account is logged out at once.  Who may do
what is decided by the service (:class:`kennisbank.errors.Forbidden` → 403).  A
citation is built here from the live store only: an unknown document or passage is
refused (400), so a citation never points to a passage that does not exist.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.datastructures import MultiDict

from kennisbank.errors import DocumentNotFound, Forbidden, IndexMissing, InvalidInput
from kennisbank.vraagbaak import Citation, InvalidState, QuestionNotFound, User, UserNotFound
from kennisbank.vraagbaak.accounts import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    add_user,
    authenticate,
    block_user,
    get_user,
    list_users,
    unblock_user,
)
from kennisbank.vraagbaak.db import ROLES
from kennisbank.vraagbaak.service import MAX_ANSWER, MAX_CITATIONS, MAX_REASON
from web.context import document_citation, open_store
from web.params import MAX_QUERY_CHARS, search_params
from web.searching import SearchUnavailable, search_context
from web.vraagbaak import STATUS_LABELS, service

bp = Blueprint("beheer", __name__)

#: Rate limit of ``POST /beheer/inloggen`` per client address (Flask-Limiter syntax).
LOGIN_LIMIT = "10 per minute;50 per hour"
#: The one message for every failed login (never says whether the name exists).
LOGIN_FAILED = "Naam of wachtwoord onjuist."
#: Passages shown by the search inside the answer form.
MAX_PASSAGES = 10
#: Characters of a question shown in the queue.
PREVIEW = 120
#: Session keys.
USER_KEY, LOGIN_TIME_KEY = "beheer_gebruiker", "beheer_ingelogd"
#: Staff labels of the statuses.
STAFF_STATUS = {
    "nieuw": "nieuw",
    "in_behandeling": "in behandeling",
    "beantwoord": "beantwoord (nog niet gepubliceerd)",
    "gepubliceerd": "gepubliceerd",
    "ingetrokken": "ingetrokken",
}
#: Staff labels of the audit actions.
ACTIONS = {
    "ingediend": "ingediend",
    "gerouteerd": "gerouteerd",
    "opgepakt": "opgepakt",
    "doorgestuurd": "doorgestuurd",
    "beantwoord": "beantwoord",
    "bewerkt": "antwoord bewerkt",
    "gepubliceerd": "gepubliceerd",
    "ingetrokken": "ingetrokken",
}


# -- sessions --------------------------------------------------------------------------


def safe_next(value: str | None) -> str:
    """``value`` when it is a relative path inside ``/beheer``, else ``/beheer``."""
    default = url_for("beheer.queue")
    if not value or len(value) > 500 or "\\" in value or any(ord(c) < 32 for c in value):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/beheer") or value.startswith("//"):
        return default
    return value


def current_user() -> User:
    """The logged-in account (set by :func:`login_required`)."""
    user: User = g.beheer_user
    return user


@bp.before_request
def login_required() -> Any:
    """Every ``/beheer`` page but the login page needs a logged-in, unblocked account."""
    if request.endpoint in ("beheer.login", "beheer.login_form"):
        return None
    naam = session.get(USER_KEY)
    user = get_user(service().db, naam) if isinstance(naam, str) else None
    if user is None or user.geblokkeerd:
        if naam is not None:
            session.clear()  # a blocked or removed account: its session ends here
        target = request.full_path if request.method == "GET" else request.path
        target = target.rstrip("?")
        return redirect(url_for("beheer.login_form", volgende=target), code=302)
    g.beheer_user = user
    session.permanent = True
    return None


@bp.after_request
def no_store(response: Any) -> Any:
    """Staff pages hold contact details: never cached, never sent as a referrer."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _login_page(error: str | None = None, status: int = 200, naam: str = "") -> Any:
    session.permanent = True
    page = render_template(
        "beheer_inloggen.html",
        error=error,
        naam=naam,
        volgende=safe_next(request.args.get("volgende")),
    )
    return make_response(page, status)


@bp.get("/beheer/inloggen")
def login_form() -> Any:
    """The login form."""
    return _login_page()


@bp.post("/beheer/inloggen")
def login() -> Any:
    """Check name and password; one message for every failure; 303 to the queue."""
    naam = (request.form.get("naam") or "").strip()[:100]
    password = (request.form.get("wachtwoord") or "")[:MAX_PASSWORD_LENGTH]
    user = authenticate(service().db, naam, password) if naam and password else None
    if user is None:
        return _login_page(LOGIN_FAILED, 400, naam)
    session.clear()
    session[USER_KEY] = user.naam
    session[LOGIN_TIME_KEY] = int(time.time())
    session.permanent = True
    return redirect(safe_next(request.form.get("volgende")), code=303)


@bp.post("/beheer/uitloggen")
def logout() -> Any:
    """End the session."""
    session.clear()
    return redirect(url_for("beheer.login_form"), code=303)


# -- the queue and one question --------------------------------------------------------


def _waiting(since: str) -> str:
    """How long a question waits, in Dutch ("3 dagen", "5 uur", "12 minuten")."""
    try:
        start = datetime.fromisoformat(since.replace("Z", "+00:00"))
    except ValueError:
        return "?"
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    seconds = max(0, int((datetime.now(UTC) - start).total_seconds()))
    if seconds >= 2 * 86400:
        return f"{seconds // 86400} dagen"
    if seconds >= 2 * 3600:
        return f"{seconds // 3600} uur"
    return f"{seconds // 60} minuten"


def _centres() -> dict[str, str]:
    with service().db.read() as conn:
        rows = conn.execute("SELECT code, naam FROM centra ORDER BY naam").fetchall()
    return {row["code"]: row["naam"] for row in rows}


@bp.get("/beheer")
def queue() -> Any:
    """The queue of the logged-in account (a beheerder: everything, also the general queue)."""
    newest = request.args.get("volgorde") == "nieuwste"
    user = current_user()
    questions = service().queue(user, newest_first=newest)
    centres = _centres()
    rows = [
        {
            "id": q.id,
            "referentie": q.referentie,
            "tekst": q.tekst if len(q.tekst) <= PREVIEW else q.tekst[:PREVIEW] + "…",
            "status": STAFF_STATUS.get(q.status, q.status),
            "centrum": centres.get(q.centrum, q.centrum) if q.centrum else "algemene wachtrij",
            "reden": q.routering_reden,
            "wacht": _waiting(q.aangemaakt),
        }
        for q in questions
    ]
    return render_template("beheer.html", user=user, rows=rows, newest=newest)


def _passages(zoek: str) -> tuple[list[dict[str, Any]], str | None]:
    query = " ".join(zoek.split())[:MAX_QUERY_CHARS]
    if not query:
        return [], None
    params = search_params(MultiDict([("q", query)]), default_limit=MAX_PASSAGES)
    try:
        hits = search_context(params).get("hits", [])
    except SearchUnavailable as exc:
        return [], str(exc)
    return [h for h in hits if h.get("soort") == "passage"][:MAX_PASSAGES], None


@bp.get("/beheer/vraag/<int:vraag_id>")
def question(vraag_id: int) -> Any:
    """One question with contact details, routing, history, answers and the forms."""
    user = current_user()
    vb = service()
    vraag = vb.question(user, vraag_id)
    history = vb.history(user, vraag_id)
    zoek = " ".join((request.args.get("zoek") or "").split())[:MAX_QUERY_CHARS]
    passages, note = _passages(zoek)
    centres = _centres()
    chosen = {
        f"{c.document_id}|{c.passage_id}"
        for c in (vraag.antwoord.citaten if vraag.antwoord else ())
    }
    return render_template(
        "beheer_vraag.html",
        user=user,
        vraag=vraag,
        history=history,
        status_label=STAFF_STATUS.get(vraag.status, vraag.status),
        public_label=STATUS_LABELS.get(vraag.status, vraag.status),
        centrum_naam=centres.get(vraag.centrum, vraag.centrum) if vraag.centrum else None,
        centres=centres,
        actions=ACTIONS,
        zoek=zoek,
        passages=passages,
        passages_note=note,
        chosen=chosen,
        max_answer=MAX_ANSWER,
        max_reason=MAX_REASON,
        can_answer=vraag.status in ("nieuw", "in_behandeling"),
        can_edit=vraag.status == "beantwoord"
        or (user.is_beheerder and vraag.status in ("gepubliceerd", "ingetrokken")),
        can_publish=vraag.status == "beantwoord"
        or (user.is_beheerder and vraag.status == "ingetrokken"),
    )


# -- the actions -----------------------------------------------------------------------


def _back(vraag_id: int) -> Any:
    return redirect(url_for("beheer.question", vraag_id=vraag_id), code=303)


def citations_from_form(values: list[str]) -> list[Citation]:
    """Each ``document_id|passage_id`` picked, looked up in the live store (else 400)."""
    picked = list(dict.fromkeys(v.strip() for v in values if v.strip()))
    if len(picked) > MAX_CITATIONS:
        raise InvalidInput(f"Een antwoord heeft hoogstens {MAX_CITATIONS} citaten.")
    if not picked:
        return []
    citations = []
    try:
        with open_store() as store:
            for value in picked:
                doc_id, sep, passage_id = value.partition("|")
                unknown = InvalidInput(
                    f"Het citaat '{value[:200]}' verwijst niet naar een bestaande passage."
                )
                if not sep or not doc_id or not passage_id:
                    raise unknown
                try:
                    doc = store.document(doc_id)
                except DocumentNotFound:
                    raise unknown from None
                if passage_id not in {p["id"] for p in store.passages(doc_id)}:
                    raise unknown
                citations.append(Citation(passage_id, doc_id, document_citation(doc)["text"]))
    except IndexMissing:
        raise InvalidInput("Citeren kan nog niet: de zoekindex is nog niet gebouwd.") from None
    return citations


@bp.post("/beheer/vraag/<int:vraag_id>/oppakken")
def take(vraag_id: int) -> Any:
    """Take the question."""
    service().take(current_user(), vraag_id)
    return _back(vraag_id)


@bp.post("/beheer/vraag/<int:vraag_id>/doorsturen")
def reroute(vraag_id: int) -> Any:
    """Send the question to another centre ("algemeen": the general queue), with a reason."""
    code = (request.form.get("centrum") or "").strip()
    if not code:
        raise InvalidInput("Kies een kenniscentrum of de algemene wachtrij.")
    reden = (request.form.get("reden") or "")[: MAX_REASON + 1]
    service().reroute(current_user(), vraag_id, None if code == "algemeen" else code, reden)
    return _back(vraag_id)


@bp.post("/beheer/vraag/<int:vraag_id>/antwoorden")
def answer(vraag_id: int) -> Any:
    """Answer the question with the picked citations."""
    tekst = (request.form.get("tekst") or "")[: MAX_ANSWER + 1]
    citations = citations_from_form(request.form.getlist("citaat"))
    service().answer(current_user(), vraag_id, tekst, citations)
    return _back(vraag_id)


@bp.post("/beheer/vraag/<int:vraag_id>/bewerken")
def edit(vraag_id: int) -> Any:
    """A new version of the answer (after publishing: a beheerder only)."""
    tekst = (request.form.get("tekst") or "")[: MAX_ANSWER + 1]
    citations = citations_from_form(request.form.getlist("citaat"))
    service().edit_answer(current_user(), vraag_id, tekst, citations)
    return _back(vraag_id)


@bp.post("/beheer/vraag/<int:vraag_id>/publiceren")
def publish(vraag_id: int) -> Any:
    """Publish the answer."""
    service().publish(current_user(), vraag_id)
    return _back(vraag_id)


@bp.post("/beheer/vraag/<int:vraag_id>/intrekken")
def unpublish(vraag_id: int) -> Any:
    """Withdraw a published answer (beheerder), with a reason."""
    reden = (request.form.get("reden") or "")[: MAX_REASON + 1]
    service().unpublish(current_user(), vraag_id, reden)
    return _back(vraag_id)


# -- accounts and centres (beheerders) -------------------------------------------------


def _beheerder() -> User:
    user = current_user()
    if not user.is_beheerder:
        raise Forbidden("Alleen een beheerder beheert accounts en kenniscentra.")
    return user


def _accounts_page(error: str | None = None, status: int = 200, values: Any = None) -> Any:
    user = _beheerder()
    page = render_template(
        "beheer_gebruikers.html",
        user=user,
        users=list_users(service().db),
        centres=_centres(),
        roles=ROLES,
        min_password=MIN_PASSWORD_LENGTH,
        error=error,
        values=values or {},
    )
    return make_response(page, status)


@bp.get("/beheer/gebruikers")
def accounts() -> Any:
    """Every account with its centre, role and state; the form to add one."""
    return _accounts_page()


@bp.post("/beheer/gebruikers")
def add_account() -> Any:
    """Add an account (the two passwords must match); 303 back to the list."""
    user = _beheerder()
    form = {k: (request.form.get(k) or "").strip()[:100] for k in ("naam", "centrum", "rol")}
    password = (request.form.get("wachtwoord") or "")[:MAX_PASSWORD_LENGTH]
    if password != (request.form.get("herhaling") or "")[:MAX_PASSWORD_LENGTH]:
        return _accounts_page("De twee wachtwoorden verschillen.", 400, form)
    try:
        add_user(
            service().db, form["naam"], form["centrum"] or None, form["rol"], password, door=user
        )
    except InvalidInput as exc:
        return _accounts_page(str(exc), 400, form)
    return redirect(url_for("beheer.accounts"), code=303)


@bp.post("/beheer/gebruikers/<naam>/blokkeren")
def block_account(naam: str) -> Any:
    """Block an account (its sessions end at once)."""
    block_user(service().db, naam[:100], door=_beheerder())
    return redirect(url_for("beheer.accounts"), code=303)


@bp.post("/beheer/gebruikers/<naam>/deblokkeren")
def unblock_account(naam: str) -> Any:
    """Let a blocked account log in again."""
    unblock_user(service().db, naam[:100], door=_beheerder())
    return redirect(url_for("beheer.accounts"), code=303)


@bp.get("/beheer/centra")
def centres() -> Any:
    """The centres of the routing table: description, source, state, accounts, questions."""
    user = _beheerder()
    return render_template("beheer_centra.html", user=user, centres=service().centres(user))


@bp.post("/beheer/centra/<code>/actief")
def centre_active(code: str) -> Any:
    """Switch a centre on (``actief=ja``) or off (``actief=nee``)."""
    value = (request.form.get("actief") or "").strip()
    if value not in ("ja", "nee"):
        raise InvalidInput("Kies 'ja' of 'nee'.")
    service().set_centre_active(_beheerder(), code[:40], value == "ja")
    return redirect(url_for("beheer.centres"), code=303)


# -- errors ----------------------------------------------------------------------------


def _error(status: int, message: str) -> Any:
    return make_response(render_template("error.html", status=status, message=message), status)


@bp.errorhandler(Forbidden)
def forbidden(exc: Forbidden) -> Any:
    """Another centre's question, or an account that was blocked meanwhile: 403."""
    return _error(403, f"Dit mag u niet doen. {exc}")


@bp.errorhandler(QuestionNotFound)
@bp.errorhandler(UserNotFound)
def not_found(exc: Exception) -> Any:
    """No such question or account: 404."""
    return _error(404, str(exc))


@bp.errorhandler(InvalidState)
@bp.errorhandler(InvalidInput)
def invalid(exc: Exception) -> Any:
    """A step the status does not allow, or unusable input: 400 with the Dutch message."""
    return _error(400, str(exc))


@bp.errorhandler(429)
def too_many(exc: Exception) -> Any:
    """Too many login attempts from this address."""
    response = _error(
        429, "Te veel inlogpogingen in korte tijd. Wacht een paar minuten en probeer het opnieuw."
    )
    response.headers["Retry-After"] = "60"
    return response


__all__ = ["LOGIN_FAILED", "LOGIN_LIMIT", "bp", "citations_from_form", "safe_next"]
