"""What kind of document a passage belongs to, for reading toezeggingen.

A toezegging is a promise of the government to parliament.  ``Ik zal``, ``zal ik``,
``wordt u geïnformeerd`` and ``toezegging`` mean one in a Kamerstuk, a Kamerbrief or a
voortgangsrapportage, and something else in a statute (an oath: ``Ik zweer dat ik
getrouw zal zijn``), a regulation (the minister's decision: ``zal ik voor deze leraren
de hierna volgende maatregelen treffen``), a circulaire (a notice to its addressees:
``Bij wijziging zal ik u informeren``) or a bestemmingsplan (``de gemeente heeft
medewerking toegezegd``); ``toezegging`` is also a legal term (pension promises, promises
to witnesses).  :func:`genre` sorts a document by its :class:`DocumentProfile` into

``parlementair``
    a document type given by the document's metadata (sidecar, official XML) that speaks
    to or in parliament: ``kamerstuk``, ``brief``, ``handelingen``, ``voortgangsrapportage``,
    ``charter`` or ``bijlage`` (of a Kamerstuk); or a document whose title does not make it
    a regulation or plan and whose type guessed from the title is one of these (not
    ``bijlage``), or whose text addresses the Kamer (``uw Kamer``; a line that opens with
    ``Aan de Voorzitter van de Tweede Kamer``);
``regelgeving``
    a document typed ``regeling``, or whose title makes it a statute, regulation or
    circulaire (``Wet van …``, ``Besluit …``, ``Regeling …``, ``Beleidsregel(s) …``,
    ``Circulaire …``, ``Aanwijzing …``, ``Verordening …``, ``Handleiding …`` …), whatever
    type was guessed from its title (``Wet van … handelingen …`` is no Handelingen);
``plan``
    a ``wijkactieplan`` or a document whose title names a bestemmingsplan, its toelichting
    or another spatial plan;
``overig``
    everything else.

In a ``parlementair`` document every cue of :mod:`indexer.knowledge.commitments` counts.
Elsewhere only a sentence that states the toezegging to parliament itself does
(:func:`states_parliamentary_commitment`): the word ``toegezegd``/``toezegging`` together
with the Kamer as its addressee (``toezegging aan de Tweede Kamer``, ``met uw Kamer``) or
with a first-person speaker and a parliamentary occasion (``Bij de parlementaire
behandeling heb ik toegezegd …``, ``mijn toezegging in antwoord op vragen van de Tweede
Kamerleden``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

PARLIAMENTARY_TYPES = frozenset(
    {"kamerstuk", "brief", "handelingen", "voortgangsrapportage", "charter", "bijlage"}
)
#: Types that say nothing about the genre when guessed from a title (``Bijlage bij besluit
#: van 12 juni 2008``): only metadata makes a ``bijlage`` one of a Kamerstuk.
GUESSED_NOT = frozenset({"bijlage"})
REGULATION_TYPES = frozenset({"regeling"})
PLAN_TYPES = frozenset({"wijkactieplan"})
GENRES = ("parlementair", "regelgeving", "plan", "overig")

_REGULATION_TITLE = re.compile(
    r"^\W*(?:\d+\s+)?(?:(?:de|het)\s+)?(?:wet|rijkswet|besluit|kaderbesluit|verzamelbesluit"
    r"|regeling|uitvoeringsregeling|beleidsregels?|circulaire|aanwijzing|aanwijzingen"
    r"|verordening|reglement|richtlijn|instructie|handleiding|leidraad|mededeling|protocol"
    r"|bekendmaking|beschikking|(?:wijziging|intrekking|vaststelling)\s+van\s+(?:de|het)"
    r"\s+(?:wet|besluit|regeling|beleidsregels?))\b",
    re.IGNORECASE,
)
_PLAN_TITLE = re.compile(
    r"\b(?:bestemmingsplan|wijzigingsplan|uitwerkingsplan|inpassingsplan|omgevingsplan"
    r"|structuurvisie|beheersverordening|toelichting|herstelbestemmingsplan)\b",
    re.IGNORECASE,
)
_ADDRESSES_PARLIAMENT = re.compile(
    r"\buw\s+kamer\b|^\W*aan\s+de\s+voorzitter\s+van\s+de\s+(?:tweede|eerste)\s+kamer\b",
    re.IGNORECASE | re.MULTILINE,
)
_TO_PARLIAMENT = re.compile(
    r"\b(?:aan|met|in)\s+(?:de\s+(?:tweede\s+|eerste\s+)?|uw\s+)kamer\b"
    r"|\b(?:tweede|eerste)\s+kamer(?:leden)?\b",
    re.IGNORECASE,
)
_FIRST_PERSON = re.compile(r"\b(?:ik|mijn|wij|we|ons|onze|ambtsvoorganger)\b", re.IGNORECASE)
_PARLIAMENTARY_OCCASION = re.compile(
    r"\b(?:kamer\w*|parlement\w*|kamerstukken|handelingen|algemeen\s+overleg|ao"
    r"|wetgevingsoverleg|notaoverleg|debat|motie|kamervragen|nota\s+naar\s+aanleiding)\b",
    re.IGNORECASE,
)
_THE_WORD = re.compile(r"\btoegezegd\b|\btoezegging(?:en)?\b|\bzeg\w*\s+\w+\s+toe\b", re.I)


@dataclass(frozen=True)
class DocumentProfile:
    """What :func:`genre` reads about a document.

    ``doctype`` is the document's type; ``explicit`` says it came from metadata (a
    sidecar, an official publication) rather than from words of the title;
    ``addresses_parliament`` that its text speaks to the Kamer (:func:`addresses_parliament`).
    """

    doctype: str = "overig"
    explicit: bool = False
    title: str = ""
    addresses_parliament: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form (the precision sample stores it)."""
        return {
            "doctype": self.doctype,
            "explicit": self.explicit,
            "title": self.title,
            "addresses_parliament": self.addresses_parliament,
        }


#: The profile of a document about which nothing is known: read as a parliamentary text
#: (what :func:`~indexer.knowledge.commitments.find_commitments` did before profiles).
PARLIAMENTARY = DocumentProfile(doctype="kamerstuk", explicit=True)


def addresses_parliament(texts: Iterable[str]) -> bool:
    """True when one of ``texts`` speaks to the Kamer: ``uw Kamer``, ``Aan de Voorzitter
    van de Tweede Kamer``."""
    return any(_ADDRESSES_PARLIAMENT.search(text) for text in texts)


def genre(profile: DocumentProfile) -> str:
    """The genre of a document: ``parlementair``, ``regelgeving``, ``plan`` or ``overig``
    (see the module docstring)."""
    if profile.explicit and profile.doctype in PARLIAMENTARY_TYPES:
        return "parlementair"
    if profile.doctype in REGULATION_TYPES:
        return "regelgeving"
    if profile.doctype in PLAN_TYPES:
        return "plan"
    title = " ".join(profile.title.split())
    if _REGULATION_TITLE.search(title):
        return "regelgeving"
    if _PLAN_TITLE.search(title):
        return "plan"
    guessed = profile.doctype in PARLIAMENTARY_TYPES and profile.doctype not in GUESSED_NOT
    if guessed or profile.addresses_parliament:
        return "parlementair"
    return "overig"


def states_parliamentary_commitment(sentence: str) -> bool:
    """True when ``sentence`` names a toezegging and parliament as the one it was made to
    (see the module docstring)."""
    if not _THE_WORD.search(sentence):
        return False
    if _TO_PARLIAMENT.search(sentence):
        return True
    return bool(_FIRST_PERSON.search(sentence) and _PARLIAMENTARY_OCCASION.search(sentence))


def profile_from_row(row: Mapping[str, Any], texts: Iterable[str]) -> DocumentProfile:
    """The profile of a stored document (``doctype``, ``title``, ``metadata`` as JSON text
    or dict, ``identifier``) whose passages have the texts ``texts``."""
    metadata = row.get("metadata") or {}
    if isinstance(metadata, str):
        metadata = json.loads(metadata or "{}")
    identifier = str(row.get("identifier") or "").lower()
    explicit = bool(
        metadata.get("type") or metadata.get("doctype") or identifier.startswith(("kst-", "h-"))
    )
    return DocumentProfile(
        doctype=str(row.get("doctype") or "overig"),
        explicit=explicit,
        title=str(row.get("title") or ""),
        addresses_parliament=addresses_parliament(texts),
    )


__all__ = [
    "GENRES",
    "PARLIAMENTARY",
    "PARLIAMENTARY_TYPES",
    "DocumentProfile",
    "addresses_parliament",
    "genre",
    "profile_from_row",
    "states_parliamentary_commitment",
]
