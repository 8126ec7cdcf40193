"""What a user types into the search box, parsed into a small query AST of our own.

:func:`parse_query` never raises.  It understands:

* plain words — all are searched, passages with more of them rank higher;
* ``"phrases"`` (also with curly quotes);
* operators in capitals, Dutch or English: ``EN``/``AND``, ``OF``/``OR``, ``NIET``/``NOT``,
  and ``-woord``; lower-case ``en``/``of``/``niet`` are ordinary words;
* a prefix ``woord*`` (at least :data:`MIN_PREFIX_CHARS` letters before the ``*``);
* brackets ``( … )``;
* field filters ``gemeente:Utrecht``, ``wijk:Overvecht``, ``jaar:2010``, ``jaar:2008-2010``,
  ``type:voortgangsrapportage``, ``thema:wonen``, ``dossier:30995``, ``kst:kst-30995-78``
  (see :data:`FIELD_ALIASES`, declared with the facets in :mod:`kennisbank.search.fields`);
  a value with spaces goes in quotes (``gemeente:"Den Haag"``).
  Filters always apply to the whole query (``-gemeente:X`` / ``NIET gemeente:X`` excludes);
  an unknown field (``foo:bar``) is read as words;
* Kamerstuk references in any notation :mod:`kennisbank.refs` knows (``30 995 nr. 50``,
  ``kst-31311-20``, ``TK 2007-2008 31 430 nr. 2``, ``28684-276``), kept as canonical refs;
* natural questions ("Welke gemeenten doen mee aan …?", "Klopt het dat …"): the words that
  only make it a question are dropped (:mod:`kennisbank.search.questions`, listed in
  :attr:`ParsedQuery.removed`) and the kind of answer asked for is kept
  (:attr:`ParsedQuery.answer_type`); informal spelling (``babys``, ``m'n``, ``er naast``)
  is respelled in any query (:attr:`ParsedQuery.respelled`).

Input longer than :data:`MAX_QUERY_CHARS` is cut.  Precedence, loosest first: the
implicit group of adjacent items, ``OF``, ``EN``, ``NIET``.
Malformed input is repaired and explained in :attr:`ParsedQuery.notes` (Dutch).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from kennisbank.refs import KamerstukRef, find_refs, parse_ref
from kennisbank.search.fields import FIELD_ALIASES, MAX_QUERY_CHARS
from kennisbank.search.querytree import (
    And,
    FieldFilter,
    Group,
    Node,
    Not,
    Or,
    ParsedQuery,
    Phrase,
    Word,
    combine,
)
from kennisbank.search.questions import (
    answer_type,
    is_question,
    query_words,
    reduce_question,
    respell,
)

#: The parser's entry points, and the AST nodes re-exported from :mod:`kennisbank.search.querytree`.
__all__ = [
    "FIELD_ALIASES",
    "MAX_QUERY_CHARS",
    "And",
    "FieldFilter",
    "Group",
    "Node",
    "Not",
    "Or",
    "ParsedQuery",
    "Phrase",
    "Word",
    "parse_query",
    "sanitize",
]

#: A prefix search needs at least this many characters before the ``*``.
MIN_PREFIX_CHARS = 2
#: Brackets nested deeper than this are ignored.
MAX_DEPTH = 8

_OPERATORS = {"EN": "AND", "AND": "AND", "OF": "OR", "OR": "OR", "NIET": "NOT", "NOT": "NOT"}
_QUOTES = '"\u201c\u201d\u201e\u201f\u00ab\u00bb'
_WORD_RE = re.compile(r"\w+(?:['\u2019\-.&/]\w+)*\*?")
_FIELD_RE = re.compile(r"([^\W\d_]+):(.*)", re.DOTALL)
_FIELD_SPAN_RE = re.compile(r"(?<![\w:])[-+]?([^\W\d_]+):(?:\"[^\"]*\"?|\S*)")
_YEAR_RANGE_RE = re.compile(r"((?:19|20)\d\d)?\s*(?:-|\u2013|\.\.|/|t/m)?\s*((?:19|20)\d\d)?")
_DOSSIER_RE = re.compile(r"(?<![\d\w])([1-9]\d{0,2} \d{3}|[1-9]\d{4,5})(?![\d\w])")

# -- sanitising and lexing ---------------------------------------------------------------------


def sanitize(text: object) -> tuple[str, list[str]]:
    """Make raw input safe to parse: a string, NFC, no control characters, at most
    :data:`MAX_QUERY_CHARS` characters.  Returns the text and Dutch notes."""
    notes: list[str] = []
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    if len(text) > MAX_QUERY_CHARS * 4:
        text = text[: MAX_QUERY_CHARS * 4]
    text = unicodedata.normalize("NFC", text)
    text = "".join(
        " " if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") else c
        for c in text
    )
    text = " ".join(text.split())
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS].rstrip()
        notes.append(f"De zoekvraag is ingekort tot {MAX_QUERY_CHARS} tekens.")
    return text, notes


@dataclass
class _Tok:
    kind: str  # WORD PHRASE FILTER AND OR NOT LPAREN RPAREN
    text: str = ""
    prefix: bool = False
    field: str = ""


@dataclass
class _State:
    tokens: list[_Tok]
    notes: list[str] = field(default_factory=list)
    filters: list[FieldFilter] = field(default_factory=list)
    pos: int = 0

    def peek(self) -> _Tok | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> _Tok:
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok


def _words(chunk: str, notes: list[str]) -> list[_Tok]:
    """The word tokens in a chunk of text without spaces, quotes or brackets."""
    toks = []
    for match in _WORD_RE.finditer(chunk):
        word = match.group()
        prefix = word.endswith("*")
        word = word.rstrip("*")
        if prefix and len(word) < MIN_PREFIX_CHARS:
            notes.append(
                f"Voor '*' zijn minstens {MIN_PREFIX_CHARS} tekens nodig; "
                f"'{word}' is als gewoon woord gezocht."
            )
            prefix = False
        toks.append(_Tok("WORD", word, prefix=prefix))
    if not toks and "*" in chunk:
        notes.append("Een losse '*' is genegeerd.")
    return toks


def _lex(text: str, notes: list[str]) -> list[_Tok]:
    toks: list[_Tok] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c in _QUOTES:
            end = next((j for j in range(i + 1, n) if text[j] in _QUOTES), -1)
            if end < 0:
                notes.append("Een aanhalingsteken zonder tegenhanger is genegeerd.")
                i += 1
                continue
            phrase = " ".join(m.group().rstrip("*") for m in _WORD_RE.finditer(text[i + 1 : end]))
            if phrase:
                toks.append(_Tok("PHRASE", phrase))
            i = end + 1
        elif c in "()[]{}":
            toks.append(_Tok("LPAREN" if c in "([{" else "RPAREN"))
            i += 1
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in _QUOTES + "()[]{}":
                j += 1
            i = _chunk(text, i, j, toks, notes)
    return _balance(toks, notes)


def _balance(toks: list[_Tok], notes: list[str]) -> list[_Tok]:
    """Drop brackets without a partner and pairs nested deeper than :data:`MAX_DEPTH`."""
    drop: set[int] = set()
    stack: list[int] = []
    for i, tok in enumerate(toks):
        if tok.kind == "LPAREN":
            stack.append(i)
            if len(stack) > MAX_DEPTH:
                drop.add(i)
        elif tok.kind == "RPAREN":
            if not stack:
                drop.add(i)
                notes.append("Een sluithaakje zonder openingshaakje is genegeerd.")
            elif stack.pop() in drop:
                drop.add(i)
    if stack:
        drop.update(stack)
        notes.append("Een openingshaakje zonder sluithaakje is genegeerd.")
    if any(toks[i].kind == "LPAREN" for i in drop if i not in stack):
        notes.append(f"Haakjes dieper dan {MAX_DEPTH} niveaus zijn genegeerd.")
    return [tok for i, tok in enumerate(toks) if i not in drop]


def _chunk(text: str, i: int, j: int, toks: list[_Tok], notes: list[str]) -> int:
    """Lex one chunk ``text[i:j]``; returns where lexing goes on."""
    chunk = text[i:j]
    if chunk in _OPERATORS:
        toks.append(_Tok(_OPERATORS[chunk], chunk))
        return j
    if chunk[:1] == "-" and len(chunk) > 1 and chunk[1] not in "- ":
        toks.append(_Tok("NOT", "-"))
        chunk = chunk[1:]
    elif chunk[:1] == "+":
        chunk = chunk.lstrip("+")
    m = _FIELD_RE.fullmatch(chunk)
    if m and m.group(1).lower() in FIELD_ALIASES:
        name = FIELD_ALIASES[m.group(1).lower()]
        value = m.group(2)
        if not value and j < len(text) and text[j] in _QUOTES:
            end = next((k for k in range(j + 1, len(text)) if text[k] in _QUOTES), len(text))
            value, j = text[j + 1 : end], end + 1
        value = " ".join(value.split()).strip(",;")
        if value:
            toks.append(_Tok("FILTER", value, field=name))
        else:
            notes.append(f"Het filter '{m.group(1)}:' zonder waarde is genegeerd.")
        return j
    toks.extend(_words(chunk, notes))
    return j


# -- parsing -----------------------------------------------------------------------------------


def _parse_seq(st: _State, depth: int) -> Node | None:
    items: list[Node] = []
    while (tok := st.peek()) is not None:
        if tok.kind == "RPAREN":  # cannot be unmatched after _balance()
            if depth > 0:
                break
            st.take()
            continue
        item = _parse_or(st, depth)
        if item is not None:
            items.append(item)
    return combine(Group, items)


def _parse_or(st: _State, depth: int) -> Node | None:
    return _parse_infix(st, depth, "OR", Or, _parse_and)


def _parse_and(st: _State, depth: int) -> Node | None:
    return _parse_infix(st, depth, "AND", And, _parse_unary)


def _parse_infix(
    st: _State, depth: int, kind: str, cls: type, operand: Callable[[_State, int], Node | None]
) -> Node | None:
    """``operand (KIND operand)*``; an operator without a right-hand side is dropped."""
    items = [operand(st, depth)]
    while (tok := st.peek()) is not None and tok.kind == kind:
        st.take()
        nxt = st.peek()
        if nxt is None or nxt.kind in ("RPAREN", "AND", "OR"):
            st.notes.append(f"De operator '{tok.text}' zonder zoekterm erna is genegeerd.")
        else:
            items.append(operand(st, depth))
    return combine(cls, [i for i in items if i is not None])


def _parse_unary(st: _State, depth: int) -> Node | None:
    negate = False
    while (tok := st.peek()) is not None and tok.kind == "NOT":
        st.take()
        negate = not negate
        nxt = st.peek()
        if nxt is None or nxt.kind in ("RPAREN", "AND", "OR"):
            st.notes.append(f"De operator '{tok.text}' zonder zoekterm erna is genegeerd.")
            return None
    tok = st.peek()
    if tok is not None and tok.kind == "FILTER":
        st.take()
        st.filters.append(FieldFilter(tok.field, tok.text, negated=negate))
        return None
    node = _parse_atom(st, depth)
    if node is None or not negate:
        return node
    return node.child if isinstance(node, Not) else Not(node)


def _parse_atom(st: _State, depth: int) -> Node | None:
    tok = st.peek()
    if tok is None or tok.kind == "RPAREN":
        return None
    st.take()
    if tok.kind == "WORD":
        return Word(tok.text, tok.prefix)
    if tok.kind == "PHRASE":
        return Phrase(tok.text)
    if tok.kind == "FILTER":
        st.filters.append(FieldFilter(tok.field, tok.text))
        return None
    if tok.kind == "LPAREN":  # matched and at most MAX_DEPTH deep after _balance()
        node = _parse_seq(st, depth + 1)
        if st.peek() is not None:
            st.take()
        return node
    st.notes.append(f"De operator '{tok.text}' zonder zoekterm ervoor is genegeerd.")
    return None


# -- the entry point ---------------------------------------------------------------------------


def parse_query(text: object) -> ParsedQuery:
    """Parse what a user typed; never raises (problems become notes)."""
    try:
        return _parse(text)
    except Exception:  # noqa: BLE001 - a search box must never crash the page
        clean, notes = sanitize(text) if isinstance(text, str) else ("", [])
        words = tuple(Word(w) for w in re.findall(r"\w+", clean)[:50])
        notes.append(
            "De zoekvraag kon niet volledig worden gelezen; er is op de losse woorden gezocht."
        )
        return ParsedQuery(clean, combine(Group, list(words)), notes=tuple(notes))


def _parse(text: object) -> ParsedQuery:
    clean, notes = sanitize(text)
    refs, rest = _extract_refs(clean)
    dossiers = tuple(
        dict.fromkeys(
            m.group(1).replace(" ", "")
            for m in _DOSSIER_RE.finditer(_FIELD_SPAN_RE.sub(" ", rest))
            if not _year_like(m.group(1))
        )
    )
    st = _State(_lex(rest, notes), notes=notes)
    root = _parse_seq(st, 0)
    filters, year_from, year_to = _split_years(st.filters, st.notes)
    words = query_words(rest)
    question = is_question(clean, words)
    root, respelled = respell(root)
    typed_words = _top_words(root)
    removed: tuple[str, ...] = ()
    if question:
        root, removed = reduce_question(root)
    return ParsedQuery(
        text=clean,
        root=root,
        filters=tuple(filters),
        refs=tuple(refs),
        dossiers=dossiers,
        year_from=year_from,
        year_to=year_to,
        question=question,
        notes=tuple(dict.fromkeys(st.notes)),
        removed=removed,
        respelled=respelled,
        answer_type=answer_type(words) if question else None,
        typed_words=typed_words,
    )


def _top_words(root: Node | None) -> tuple[str, ...]:
    """The plain words of a top-level group (or a lone word), in typed order."""
    children = root.children if isinstance(root, Group) else [root] if root else []
    return tuple(c.text for c in children if isinstance(c, Word) and not c.prefix)


def _year_like(text: str) -> bool:
    return len(text) == 4 and 1900 <= int(text) <= 2099


def _extract_refs(text: str) -> tuple[list[KamerstukRef], str]:
    """Kamerstuk references in the text (outside field filters) and the text without them."""
    masked = _FIELD_SPAN_RE.sub(lambda m: " " * len(m.group()), text)
    try:
        refs = find_refs(masked)
        if not refs:
            one = parse_ref(masked)
            refs = [one] if one is not None else []
    except Exception:  # noqa: BLE001 - a reference we cannot read is just text
        return [], text
    rest = text
    for ref in sorted(refs, key=lambda r: r.start, reverse=True):
        rest = rest[: ref.start] + " " * (ref.end - ref.start) + rest[ref.end :]
    unique = list({r.identifier: r for r in refs}.values())
    return unique, " ".join(rest.split())


def _split_years(
    filters: list[FieldFilter], notes: list[str]
) -> tuple[list[FieldFilter], int | None, int | None]:
    """Take ``jaar:`` filters out: ``jaar:2010``, ``jaar:2008-2010``, ``jaar:2008-``."""
    low: int | None = None
    high: int | None = None
    kept = []
    for flt in filters:
        if flt.field != "year":
            kept.append(flt)
            continue
        m = _YEAR_RANGE_RE.fullmatch(flt.value.strip())
        if m is None or not (m.group(1) or m.group(2)) or flt.negated:
            notes.append(
                f"Het jaarfilter 'jaar:{flt.value}' is niet begrepen en genegeerd "
                "(gebruik bijvoorbeeld jaar:2010 of jaar:2008-2010)."
            )
            continue
        a = int(m.group(1)) if m.group(1) else None
        b = int(m.group(2)) if m.group(2) else None
        ranged = bool(re.search(r"\d\s*(?:-|\u2013|\.\.|/|t/m)", flt.value))
        if a is not None and b is None and not ranged:
            b = a
        if a is not None and b is not None and a > b:
            a, b = b, a
        low = a if low is None or (a is not None and a > low) else low
        high = b if high is None or (b is not None and b < high) else high
    return kept, low, high
