"""The query AST of our own: what :func:`kennisbank.search.query.parse_query` returns.

Nodes are frozen dataclasses whose ``str()`` is the canonical query text shown to users
(``NIET``/``EN``/``OF`` in Dutch).  :class:`ParsedQuery` bundles the free-text tree with
filters, Kamerstuk references, years and the Dutch notes of the parser.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from kennisbank.refs import KamerstukRef

# -- nodes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Word:
    """A word to search for; ``prefix`` for ``woord*``."""

    text: str
    prefix: bool = False

    def __str__(self) -> str:
        return self.text + ("*" if self.prefix else "")


@dataclass(frozen=True)
class Phrase:
    """Words that must occur in this order."""

    text: str

    def __str__(self) -> str:
        return f'"{self.text}"'


@dataclass(frozen=True)
class Not:
    """Passages matching ``child`` are excluded."""

    child: Node

    def __str__(self) -> str:
        return f"NIET {_wrap(self.child)}"


@dataclass(frozen=True)
class And:
    """Every child must match."""

    children: tuple[Node, ...]

    def __str__(self) -> str:
        return " EN ".join(_wrap(c) for c in self.children)


@dataclass(frozen=True)
class Or:
    """Any child may match (explicit ``OF``)."""

    children: tuple[Node, ...]

    def __str__(self) -> str:
        return " OF ".join(_wrap(c) for c in self.children)


@dataclass(frozen=True)
class Group:
    """Adjacent items: any may match, a passage matching more of them ranks higher."""

    children: tuple[Node, ...]

    def __str__(self) -> str:
        return " ".join(_wrap(c) for c in self.children)


#: Any node of the free-text tree.
Node = Word | Phrase | Not | And | Or | Group


def _wrap(node: Node) -> str:
    return f"({node})" if isinstance(node, (And, Or, Group)) else str(node)


@dataclass(frozen=True)
class FieldFilter:
    """``field:value`` as typed; ``field`` is the index field (see :data:`FIELD_ALIASES`)."""

    field: str
    value: str
    negated: bool = False

    def __str__(self) -> str:
        value = f'"{self.value}"' if " " in self.value else self.value
        return f"{'-' if self.negated else ''}{self.field}:{value}"


@dataclass(frozen=True)
class ParsedQuery:
    """The parsed query: free-text tree, filters, Kamerstuk references and notes.

    ``text`` is the sanitised input; ``root`` is ``None`` when no free text is left;
    ``refs`` holds canonical :class:`~kennisbank.refs.KamerstukRef` objects; ``dossiers``
    bare dossier numbers typed as such (``30 995``); ``year_from``/``year_to`` come from
    ``jaar:``; ``notes`` are Dutch messages about repairs.  For a ``question``, ``removed``
    are the words dropped because they only make it a question and ``answer_type`` the
    kind of answer asked for (``amount``, ``who``, ``when``, ``where`` or ``None``);
    ``respelled`` describes informal spellings that were rewritten (``"babys → baby's"``).
    ``typed_words`` are the top-level words as typed, before a question was reduced: the
    thesaurus matches phrases of several words on them (``de goede kant op`` in "gaat het
    de goede kant op?" although ``de`` and ``op`` are not searched).
    """

    text: str
    root: Node | None = None
    filters: tuple[FieldFilter, ...] = ()
    refs: tuple[KamerstukRef, ...] = ()
    dossiers: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    question: bool = False
    notes: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    respelled: tuple[str, ...] = ()
    answer_type: str | None = None
    typed_words: tuple[str, ...] = ()

    def __str__(self) -> str:
        parts = [str(self.root)] if self.root is not None else []
        parts += [r.identifier for r in self.refs]
        parts += [f"dossier~{d}" for d in self.dossiers]
        parts += [str(f) for f in self.filters]
        if self.year_from is not None or self.year_to is not None:
            low, high = self.year_from or "", self.year_to or ""
            parts.append(f"jaar:{low}" if low == high else f"jaar:{low}-{high}")
        return " ".join(parts)

    def words(self) -> list[Word]:
        """The positive plain words (not prefixes, not inside ``NIET``), in order."""
        found: list[Word] = []

        def walk(node: Node | None) -> None:
            if isinstance(node, Word) and not node.prefix:
                found.append(node)
            elif isinstance(node, (And, Or, Group)):
                for child in node.children:
                    walk(child)

        walk(self.root)
        return found

    def with_words(self, words: list[str]) -> ParsedQuery:
        """A copy with extra plain words added to the top-level group."""
        items = [self.root] if self.root is not None else []
        return replace(self, root=combine(Group, [*items, *(Word(w) for w in words)]))


def combine(cls: type, items: list[Node]) -> Node | None:
    """``items`` joined under ``cls`` (flattening nested ``cls`` nodes); one item stays itself."""
    flat: list[Node] = []
    for item in items:
        flat.extend(item.children if isinstance(item, cls) else [item])  # type: ignore[attr-defined]
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else cls(tuple(flat))
