"""``kennisbank status`` and the start-up check of ``kennisbank serve``.

:func:`index_status` tells, for one data directory: the live generation, when it
was built, the counts from its manifest, whether it passes verification, which
corpus files changed, were added or removed since that build (checksums against
the store's ``files`` table), the generations on disk and whether an indexer
holds the lock.  :func:`ensure_index` is what ``serve`` runs before it starts: a
missing, damaged or old-layout index gives a Dutch message and a rebuild.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from indexer.live import NO_INDEX, inspect_live
from indexer.pipeline import run_index
from indexer.report import IndexReport
from indexer.scan import ProgressFactory, scan_corpus
from kennisbank import generations, manifest
from kennisbank.config import Settings
from kennisbank.errors import IndexMissing
from kennisbank.lock import IndexLocked, lock_state
from kennisbank.search.meta import read_meta
from kennisbank.store import Store

#: Exit codes of ``kennisbank status``.
EXIT_OK = 0
EXIT_NO_INDEX = 1


def index_status(settings: Settings, *, checksums: bool = False) -> dict[str, Any]:
    """The state of the index in ``settings.data_dir`` as plain data (see module doc).

    ``checksums`` also verifies every sha256 of the live generation (slower);
    otherwise sizes and counts are checked.
    """
    data_dir = settings.data_dir
    live = inspect_live(data_dir, checksums=checksums)
    pointer = generations.pointer_name(data_dir)
    result: dict[str, Any] = {
        "data_dir": str(data_dir),
        "corpus_dir": str(settings.corpus_dir),
        "generation": pointer,
        "healthy": live.problem is None,
        "problem": live.problem,
        "built_at": None,
        "previous": None,
        "full_build": None,
        "build_seconds": None,
        "counts": {},
        "corpus": None,
        "generations": [g.name for g in generations.list_generations(data_dir)]
        if data_dir.is_dir()
        else [],
        "legacy_layout": generations.has_legacy_layout(data_dir) if data_dir.is_dir() else False,
        "lock": lock_state(data_dir),
        "search_index": {},
    }
    if pointer is not None:
        try:
            facts = manifest.read_manifest(data_dir / pointer)
        except manifest.ManifestError:
            facts = {}
        stages = facts.get("stages") or {}
        result.update(
            built_at=facts.get("built_at"),
            previous=facts.get("previous"),
            full_build=facts.get("full_build"),
            build_seconds=round(sum(stages.values()), 3) if stages else None,
            counts=facts.get("counts") or {},
        )
        result["search_index"] = _search_state(data_dir / pointer)
    if live.folder is not None and settings.corpus_dir.is_dir():
        try:
            with Store(generations.db_file(live.folder)) as store:
                known = store.files()
        except IndexMissing:
            known = None
        if known is not None:
            scan = scan_corpus(settings, known)
            result["corpus"] = {
                "changed": scan.changed,
                "added": scan.added,
                "removed": scan.removed,
                "unchanged": len(scan.unchanged),
            }
    return result


def _search_state(generation: Path) -> dict[str, Any]:
    """How the generation's full-text index was made (``mode``) and deletions it keeps."""
    meta = read_meta(generations.search_dir(generation))
    if not meta:
        return {}
    return {
        "mode": meta.get("mode", "full"),
        "stale_passages": int(meta.get("stale_passages", 0)),
        "built_at": meta.get("built_at"),
    }


def status_exit_code(status: dict[str, Any]) -> int:
    """0 when a healthy live generation exists, 1 otherwise."""
    return EXIT_OK if status["healthy"] else EXIT_NO_INDEX


def format_status(status: dict[str, Any]) -> list[str]:
    """Dutch lines for ``kennisbank status``."""
    lines = [f"Index:  {status['data_dir']}", f"Corpus: {status['corpus_dir']}"]
    if status["generation"]:
        lines.append(f"Live generatie: {status['generation']}")
    if not status["healthy"]:
        lines.append(f"Geen bruikbare index: {status['problem']}.")
        lines.append("Voer 'kennisbank index' uit om een nieuwe index te bouwen.")
    if status["built_at"]:
        kind = "volledige bouw" if status["full_build"] else "incrementele bouw"
        took = f", {status['build_seconds']:.1f} s" if status["build_seconds"] else ""
        lines.append(f"Gebouwd: {status['built_at']} ({kind}{took})")
    counts = status["counts"]
    if counts:
        lines.append(
            f"Documenten: {counts.get('documents', 0)}, passages: {counts.get('passages', 0)}, "
            f"verwijzingen: {counts.get('refs', 0)}, entiteiten: {counts.get('entities', 0)}, "
            f"vermeldingen: {counts.get('mentions', 0)}, relaties: {counts.get('links', 0)}, "
            f"toezeggingen: {counts.get('commitments', 0)}, "
            f"in de zoekindex: {counts.get(manifest.SEARCH_COUNT, 0)}"
        )
    search = status.get("search_index") or {}
    if search:
        how = "bijgewerkt" if search["mode"] == "incremental" else "volledig gebouwd"
        stale = search["stale_passages"]
        kept = f", {stale} verwijderde passages tellen nog mee in de statistiek" if stale else ""
        lines.append(f"Zoekindex: {how}{kept}")
    corpus = status["corpus"]
    if corpus is not None:
        changed = len(corpus["changed"]) + len(corpus["added"]) + len(corpus["removed"])
        if changed:
            lines.append(
                f"Corpus sinds de bouw: gewijzigd {len(corpus['changed'])}, "
                f"nieuw {len(corpus['added'])}, verwijderd {len(corpus['removed'])} "
                "(voer 'kennisbank index' uit)"
            )
            for label, key in (("gewijzigd", "changed"), ("nieuw", "added"), ("weg", "removed")):
                lines.extend(f"  {label}: {path}" for path in corpus[key])
        else:
            lines.append("Corpus sinds de bouw: ongewijzigd")
    lock = status["lock"]
    holder = lock["holder"] or {}
    if lock["held"]:
        lines.append(
            f"Slot: er draait een indexering (proces {holder.get('pid')}, "
            f"gestart {holder.get('started')})"
        )
    elif lock["stale"]:
        lines.append(
            f"Slot: achtergebleven van proces {holder.get('pid')} (bestaat niet meer); "
            "de volgende indexering neemt het over"
        )
    else:
        lines.append("Slot: vrij")
    return lines


def startup_message(problem: str, settings: Settings) -> str:
    """What ``serve`` says before it (re)builds the index because of ``problem``."""
    if problem == NO_INDEX:
        return "Nog geen index: die wordt nu gebouwd …"
    return (
        f"De index in {settings.data_dir} is niet bruikbaar: {problem}. "
        "Er wordt een nieuwe index gebouwd …"
    )


def ensure_index(
    settings: Settings,
    echo: Callable[[str], None],
    progress: ProgressFactory | None = None,
) -> IndexReport | None:
    """Before serving: verify the live generation; (re)build it when it is unusable.

    Returns the report of the build, or None when the index was fine (or another
    indexer is building it right now: then ``serve`` starts and shows the new index
    as soon as it is published).
    """
    problem = inspect_live(settings.data_dir).problem
    if problem is None:
        return None
    echo(startup_message(problem, settings))
    try:
        return run_index(settings, progress=progress)
    except IndexLocked as exc:
        echo(f"{exc} De webinterface start nu en toont de index zodra die klaar is.")
        return None


def format_report(report: dict[str, Any], settings: Settings) -> list[str]:
    """Dutch lines about one indexing run (``IndexReport.to_dict()``): where, which files
    were read or skipped (each with the reason), warnings, and what the store now holds.

    ``kennisbank index`` and a first ``kennisbank serve`` print them.
    """
    lines = [
        f"Corpus: {settings.corpus_dir}",
        f"Index:  {settings.data_dir}",
        f"Bestanden gezien: {report['files_seen']}, gelezen: {len(report['parsed'])}, "
        f"ongewijzigd: {len(report['unchanged'])}, overgeslagen: {len(report['skipped'])}, "
        f"verwijderd: {len(report['removed'])}",
    ]
    lines += [f"  overgeslagen: {item['path']}: {item['reason']}" for item in report["skipped"]]
    lines += [f"  waarschuwing: {warning}" for warning in report["warnings"]]
    lines.append(
        f"Documenten: {report.get('documents', 0)}, passages: {report.get('passages', 0)}, "
        f"secties: {report.get('sections', 0)}, verwijzingen: {report.get('refs', 0)}"
    )
    lines.append(
        f"Entiteiten: {report.get('entities', 0)}, vermeldingen: {report.get('mentions', 0)}, "
        f"relaties: {report.get('links', 0)}, toezeggingen: {report.get('commitments', 0)}"
    )
    return lines
