"""What one ``kennisbank index`` run did: :class:`IndexReport`, and its Dutch summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kennisbank import manifest
from kennisbank.errors import KennisbankError

__all__ = [
    "TIMED_STAGES",
    "IndexReport",
    "Skipped",
    "VerificationFailed",
    "search_summary",
]

#: Stages whose seconds the report gives (in this order).
TIMED_STAGES = ("scan", "copy", "parse", "knowledge", "search", "verify", "publish")
_STAGE_LABELS = {
    "scan": "scannen",
    "copy": "kopiëren",
    "parse": "ontleden",
    "knowledge": "kennis",
    "search": "zoekindex",
    "verify": "controle",
    "publish": "publiceren",
}


class VerificationFailed(KennisbankError):
    """A new generation did not match its manifest: it was not published."""

    def __init__(self, cause: manifest.ManifestError) -> None:
        self.cause = cause
        super().__init__(
            f"De nieuwe index is niet gepubliceerd, want de controle faalde. {cause} "
            "De vorige index blijft in gebruik."
        )


@dataclass
class Skipped:
    """A corpus file that was not indexed, with the Dutch reason."""

    path: str
    reason: str


@dataclass
class IndexReport:
    """What one ``kennisbank index`` run did."""

    files_seen: int = 0
    parsed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    harvested: list[dict[str, Any]] = field(default_factory=list)
    search: dict[str, Any] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    #: How the knowledge stage ran (``mode``, passages extracted and reused); {} when skipped.
    knowledge: dict[str, Any] = field(default_factory=dict)
    #: The live generation after the run, and the one it replaced (when published).
    generation: str | None = None
    previous: str | None = None
    #: True when this run published a new generation; False when nothing changed.
    published: bool = False
    #: True when the run started from nothing (no, a damaged or an old-layout index).
    full_build: bool = False
    #: Dutch notes about the run itself (full build and why, stale lock, clean-up).
    notices: list[str] = field(default_factory=list)
    #: Leftovers of interrupted runs that were removed.
    cleaned: list[str] = field(default_factory=list)
    seconds: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """0 when every file was indexed, 2 when some were skipped."""
        return 2 if self.skipped else 0

    @property
    def outcome(self) -> str:
        """``volledig`` (full build), ``incrementeel`` or ``ongewijzigd`` (nothing published)."""
        if not self.published:
            return "ongewijzigd"
        return "volledig" if self.full_build else "incrementeel"

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form for ``--json``."""
        return {
            "files_seen": self.files_seen,
            "parsed": self.parsed,
            "unchanged": self.unchanged,
            "skipped": [{"path": s.path, "reason": s.reason} for s in self.skipped],
            "removed": self.removed,
            "warnings": self.warnings,
            "harvested": self.harvested,
            "search_index": self.search,
            "knowledge": self.knowledge,
            "outcome": self.outcome,
            "published": self.published,
            "full_build": self.full_build,
            "generation": self.generation,
            "previous": self.previous,
            "notices": self.notices,
            "cleaned": self.cleaned,
            "seconds": self.seconds,
            "stages": self.stages,
            **self.totals,
        }

    def summary_lines(self) -> list[str]:
        """Dutch lines for ``kennisbank index``: the outcome with the time of each stage."""
        lines = list(self.notices)
        stages = ", ".join(
            f"{_STAGE_LABELS[name]} {self.stages[name]:.1f} s"
            for name in TIMED_STAGES
            if name in self.stages
        )
        if self.outcome == "ongewijzigd":
            lines.append(
                f"Index ongewijzigd: er is niets nieuws gepubliceerd ({self.seconds:.1f} s)."
            )
        else:
            kind = "Volledige bouw" if self.full_build else "Incrementele bouw"
            lines.append(f"{kind}: {self.seconds:.1f} s ({stages})")
            if self.search:
                lines.append(search_summary(self.search))
        if self.generation:
            lines.append(f"Live generatie: {self.generation}")
        return lines


def search_summary(search: dict[str, Any]) -> str:
    """The Dutch line about the full-text index: updated (how much) or rebuilt (why)."""
    seconds = f"{float(search.get('seconds', 0.0)):.1f} s"
    if search.get("mode") == "incremental":
        changed = search.get("reindexed_documents", 0)
        return (
            f"Zoekindex: bijgewerkt ({changed} {'document' if changed == 1 else 'documenten'}"
            f" opnieuw, {search.get('removed_documents', 0)} verwijderd;"
            f" {search.get('added_passages', 0)} passages toegevoegd,"
            f" {search.get('deleted_passages', 0)} verwijderd), {seconds}"
        )
    reason = search.get("reason")
    return f"Zoekindex: opnieuw opgebouwd{f' ({reason})' if reason else ''}, {seconds}"
