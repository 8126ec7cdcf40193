"""The Vraagbaak for visitors (issue 14): ask a question, follow it, read published answers.

Pages (Dutch, server-rendered, no JavaScript needed):

``GET  /vraagbaak``                  the form; with ``?q=…`` first what the kennisbank
                                     already has (published answers, top passages)
``POST /vraagbaak``                  submit (CSRF token, rate limit, see :mod:`web`);
                                     303 to the status page
``GET  /vraagbaak/vraag/<token>``    the visitor's status page (no contact details)
``GET  /vraagbaak/<id>``             a published question and answer

and the read-only JSON API ``/api/vragen`` and ``/api/vragen/<id>`` (published only).
Everything goes through :class:`kennisbank.vraagbaak.Vraagbaak`, which checks who may
see what; the public records it returns have no contact fields at all.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.datastructures import MultiDict

from kennisbank.config import Settings
from kennisbank.errors import InvalidInput, KennisbankError
from kennisbank.graph import entity_names
from kennisbank.vraagbaak import PublishedQA, QuestionNotFound
from kennisbank.vraagbaak.service import MAX_FIELD, MAX_QUESTION, MIN_QUESTION
from web.context import open_store, published_index, vraagbaak_service
from web.markup import entity_url
from web.params import MAX_OFFSET, MAX_QUERY_CHARS, BadParameter, search_params
from web.searching import SearchUnavailable, search_context

bp = Blueprint("vraagbaak", __name__)

#: Rate limit of ``POST /vraagbaak`` per client address (Flask-Limiter syntax): the
#: setting ``KENNISBANK_VRAAGBAAK_LIMIT`` (:class:`kennisbank.config.Settings`).
SUBMIT_LIMIT = Settings.vraagbaak_limit
#: Published answers and passages shown after "Zoek eerst".
MAX_SUGGESTIONS = 5
#: Published answers shown on the form page.
RECENT = 10
#: Default and largest page of ``/api/vragen``.
API_LIMIT, MAX_API_LIMIT = 20, 100
#: Largest question number there can be (SQLite's INTEGER); a larger one names no question.
MAX_VRAAG_ID = 2**63 - 1
#: A status token is ``secrets.token_urlsafe(24)``; anything much longer is no token.
MAX_TOKEN = 100
#: The visitor's words for the statuses of a question.
STATUS_LABELS = {
    "nieuw": "ontvangen",
    "in_behandeling": "in behandeling",
    "beantwoord": "beantwoord",
    "gepubliceerd": "gepubliceerd",
    "ingetrokken": "beantwoord (niet meer gepubliceerd)",
}
#: The form's fields (name → label, maximum length).
FIELDS = {
    "vraag": ("Uw vraag", MAX_QUESTION),
    "naam": ("Naam (optioneel)", MAX_FIELD),
    "organisatie": ("Organisatie (optioneel)", MAX_FIELD),
    "plaats": ("Wijk of gemeente (optioneel)", MAX_FIELD),
    "email": ("E-mailadres (optioneel, voor het antwoord)", MAX_FIELD),
}

#: The app's Vraagbaak (kept in :mod:`web.context`, which the search uses too).
service = vraagbaak_service


# -- public data ---------------------------------------------------------------------------


def public_qa(qa: PublishedQA) -> dict[str, Any]:
    """A published question and answer as plain data (no contact field, no place topics)."""
    return {
        "id": qa.id,
        "referentie": qa.referentie,
        "vraag": qa.vraag,
        "antwoord": qa.antwoord,
        "centrum": qa.centrum_naam,
        "centrum_code": qa.centrum,
        "gepubliceerd": qa.gepubliceerd,
        "bijgewerkt": qa.bijgewerkt,
        "versie": qa.versie,
        "themas": [t.waarde for t in qa.onderwerpen if t.soort == "thema"],
        "onderwerpen": _topics(qa),
        "citaten": [
            {
                "passage_id": c.passage_id,
                "document_id": c.document_id,
                "citaat": c.citaat,
                "url": url_for("views.document", doc_id=c.document_id) + f"#p-{c.passage_id}",
            }
            for c in qa.citaten
        ],
        "url": url_for("vraagbaak.published", vraag_id=qa.id),
    }


def _topics(qa: PublishedQA) -> list[dict[str, Any]]:
    """The thema's and entities an answer is linked to, named, with their card URL."""
    try:
        with open_store() as store:
            names = entity_names(store.conn)
    except KennisbankError:  # no index yet: the ids as names
        names = {}
    found = []
    for topic in qa.onderwerpen:
        known = names.get(topic.waarde, {})
        found.append(
            {
                "id": topic.waarde,
                "name": known.get("label") or known.get("name") or topic.waarde.partition("/")[2],
                "type": known.get("type") or topic.waarde.partition("/")[0],
                "url": entity_url(topic.waarde),
            }
        )
    return found


def matching_answers(q: str, limit: int = MAX_SUGGESTIONS) -> list[dict[str, Any]]:
    """The published answers the search finds for ``q`` (:mod:`kennisbank.vraagbaak.search`)."""
    return [public_qa(hit.qa) for hit in published_index().search(q)[:limit]]


def matching_passages(q: str) -> tuple[list[dict[str, Any]], str | None]:
    """The top passages of the search for ``q``, or none and a Dutch reason."""
    query = " ".join(q.split())
    if len(query) > MAX_QUERY_CHARS:  # a long question: its first words
        query = query[:MAX_QUERY_CHARS].rsplit(" ", 1)[0]
    params = search_params(MultiDict([("q", query)]), default_limit=MAX_SUGGESTIONS)
    try:
        hits = search_context(params).get("hits", [])
    except SearchUnavailable as exc:
        return [], str(exc)
    return [h for h in hits if h.get("soort") == "passage"][:MAX_SUGGESTIONS], None


# -- pages ---------------------------------------------------------------------------------


def _form_page(values: dict[str, str], error: str | None = None, status: int = 200) -> Any:
    q = " ".join((request.args.get("q") or "").split())[:MAX_QUESTION]
    context: dict[str, Any] = {
        "q": q,
        "values": {name: values.get(name, "") for name in FIELDS},
        "fields": FIELDS,
        "min_question": MIN_QUESTION,
        "error": error,
        "answers": [],
        "passages": [],
        "passages_note": None,
        "recent": [public_qa(qa) for qa in service().published(limit=RECENT)],
    }
    if q and not error:
        context["answers"] = matching_answers(q)
        context["passages"], context["passages_note"] = matching_passages(q)
        if not context["values"]["vraag"]:
            context["values"]["vraag"] = q
    session.permanent = True  # the CSRF token's session ends after the idle timeout
    return make_response(render_template("vraagbaak.html", **context), status)


@bp.get("/vraagbaak")
def form() -> Any:
    """The form "Stel uw vraag"; with ``?q=`` first what the kennisbank already has."""
    return _form_page({})


@bp.post("/vraagbaak")
def submit() -> Any:
    """Store the question (the service validates); 303 to its status page."""
    values = {name: request.form.get(name, "")[: limit + 1] for name, (_, limit) in FIELDS.items()}
    try:
        submission = service().submit_question(
            values["vraag"],
            naam=values["naam"],
            organisatie=values["organisatie"],
            plaats=values["plaats"],
            email=values["email"],
        )
    except InvalidInput as exc:
        return _form_page(values, str(exc), 400)
    return redirect(url_for("vraagbaak.status", token=submission.token), code=303)


@bp.get("/vraagbaak/vraag/<token>")
def status(token: str) -> Any:
    """The visitor's status page: reference, question, status, centre; never contact details."""
    if len(token) > MAX_TOKEN:
        raise QuestionNotFound()
    question = service().question_by_token(token)
    page = render_template(
        "vraagbaak_status.html",
        question=question,
        status_label=STATUS_LABELS.get(question.status, question.status),
    )
    response = make_response(page)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/vraagbaak/<int:vraag_id>")
def published(vraag_id: int) -> Any:
    """A published question and answer with its citations."""
    qa = public_qa(_published_by_id(vraag_id))
    return render_template("vraagbaak_vraag.html", qa=qa)


# -- JSON ----------------------------------------------------------------------------------


def _int_arg(name: str, default: int, lowest: int, highest: int) -> int:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(name, f"'{name}' moet een geheel getal zijn.") from None
    if not lowest <= value <= highest:
        raise BadParameter(name, f"'{name}' ligt tussen {lowest} en {highest}.")
    return value


@bp.get("/api/vragen")
def api_list() -> Any:
    """Published questions and answers, most recently published first."""
    limit = _int_arg("limit", API_LIMIT, 1, MAX_API_LIMIT)
    offset = _int_arg("offset", 0, 0, MAX_OFFSET)
    vb = service()
    return jsonify(
        {
            "vragen": [public_qa(qa) for qa in vb.published(limit=limit, offset=offset)],
            "total": vb.published_count(),
            "limit": limit,
            "offset": offset,
        }
    )


@bp.get("/api/vragen/<int:vraag_id>")
def api_one(vraag_id: int) -> Any:
    """One published question and answer."""
    return jsonify(public_qa(_published_by_id(vraag_id)))


def _published_by_id(vraag_id: int) -> PublishedQA:
    """The published question ``vraag_id``; a number beyond :data:`MAX_VRAAG_ID` is unknown
    (a 404, not SQLite's OverflowError)."""
    if not 1 <= vraag_id <= MAX_VRAAG_ID:
        raise QuestionNotFound()
    return service().published_by_id(vraag_id)


@bp.errorhandler(QuestionNotFound)
def not_found(exc: QuestionNotFound) -> Any:
    """Unknown, unpublished or withdrawn: 404 (Dutch page or Dutch JSON)."""
    message = str(exc)
    if request.path.startswith("/api/"):
        return make_response(jsonify({"fout": message, "status": 404}), 404)
    return make_response(render_template("error.html", status=404, message=message), 404)


__all__ = ["SUBMIT_LIMIT", "bp", "public_qa", "service"]
