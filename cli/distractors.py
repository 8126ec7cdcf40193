"""The distractor index of ``kennisbank eval --distractors``: the bundled corpus plus real
Dutch government text that is *not* about the wijkenaanpak.

A ranking that finds the right passage among the two reports' ~2,700 passages may lose it
among ~416,000.  This module builds (the first time) and keeps an index of the bundled
corpus together with the Dutch laws, policy rules and circulars of
``shared/data/laws-md/current/`` and the municipal zoning-plan explanations of
``shared/data/municipal-plans-md/`` (:data:`DISTRACTOR_SOURCES`), with the product's own
pipeline (:func:`indexer.pipeline.run_index`), so the figures measure what a user of a
grown kennisbank would get.

The pipeline indexes one corpus folder, so the folders are gathered in one: a *farm*
of symbolic links (``<distractor dir>/corpus/<source>/<file>`` → the real file), kept in
step with the sources on every run (:func:`link_corpus`).  The index lives in
``<distractor dir>/index/`` as an ordinary data folder (generations, ``CURRENT``); the
pipeline's incremental run makes a second run a no-op when nothing changed, and
rebuilds what changed code invalidates.  This lives in the CLI layer because it joins
the indexer and the evaluation, which do not import each other.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from indexer.pipeline import run_index
from indexer.report import IndexReport
from indexer.scan import ProgressFactory
from kennisbank.config import PROJECT_ROOT, Settings
from kennisbank.errors import KennisbankError

__all__ = [
    "DEFAULT_SHARED",
    "DISTRACTOR_SOURCES",
    "DistractorIndex",
    "SharedDataMissing",
    "build_distractor_index",
    "default_distractor_dir",
    "link_corpus",
]

#: The shared data folder of a checkout (``../shared/data`` next to the repository).
DEFAULT_SHARED = PROJECT_ROOT.parent / "shared" / "data"
#: The folders of the shared data that become distractors (relative to the shared folder).
DISTRACTOR_SOURCES: tuple[str, ...] = (
    "laws-md/current/wet",
    "laws-md/current/beleidsregel",
    "laws-md/current/circulaire",
    "municipal-plans-md",
)
#: The folder of the bundled corpus inside the farm.
BUNDLED = "wijkenaanpak"


class SharedDataMissing(KennisbankError):
    """The shared data folder (or one of its distractor folders) is not there: exit code 2."""

    exit_code = 2


@dataclass(frozen=True)
class DistractorIndex:
    """Where the distractor index lives, and what the run that brought it up to date did."""

    settings: Settings
    report: IndexReport
    linked: int
    relinked: int


def default_distractor_dir(data_dir: Path) -> Path:
    """``eval-distractors/`` inside the normal data folder ``data_dir``."""
    return Path(data_dir) / "eval-distractors"


def _source_dirs(shared: Path) -> dict[str, Path]:
    """Farm folder name → real folder, for every distractor source; raises
    :class:`SharedDataMissing` naming what is missing."""
    if not shared.is_dir():
        raise SharedDataMissing(
            f"De gedeelde datamap {shared} bestaat niet. De afleiders (wetten, beleidsregels, "
            "circulaires, gemeentelijke plannen) komen daaruit; geef de map op met --shared PAD."
        )
    missing = [name for name in DISTRACTOR_SOURCES if not (shared / name).is_dir()]
    if missing:
        raise SharedDataMissing(
            f"In de gedeelde datamap {shared} ontbreken: {', '.join(missing)}. "
            "Geef de juiste map op met --shared PAD."
        )
    return {name.replace("/", "-"): (shared / name).resolve() for name in DISTRACTOR_SOURCES}


def link_corpus(corpus_dir: Path, shared: Path, farm: Path) -> tuple[int, int]:
    """Make ``farm`` a folder of symbolic links to every file of the bundled corpus
    (under :data:`BUNDLED`) and of the distractor sources; links that no longer point at
    a source file are removed, changed targets are relinked.

    Returns ``(links, changed)``: how many links the farm holds and how many were made,
    moved or removed.  Raises :class:`SharedDataMissing` when ``shared`` lacks a source.
    """
    sources = {BUNDLED: Path(corpus_dir).resolve(), **_source_dirs(shared)}
    wanted: dict[Path, Path] = {}
    for name, root in sources.items():
        for path in _files(root):
            wanted[farm / name / path.relative_to(root)] = path
    changed = 0
    if farm.is_dir():
        for link in sorted(farm.rglob("*"), reverse=True):
            if link.is_symlink() and os.readlink(link) != str(wanted.get(link, "")):
                link.unlink()
                changed += 1
            elif link.is_dir() and not link.is_symlink() and not any(link.iterdir()):
                link.rmdir()
    for link, target in wanted.items():
        if not link.is_symlink():
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(target)
            changed += 1
    return len(wanted), changed


def _files(root: Path) -> list[Path]:
    """Every file below ``root`` (documents and the metadata files next to them; the
    scanner decides what is a document), without hidden files and folders."""
    return [
        path
        for path in sorted(root.rglob("*"))
        if path.is_file() and not any(p.startswith(".") for p in path.relative_to(root).parts)
    ]


def build_distractor_index(
    settings: Settings,
    shared: Path,
    distractor_dir: Path,
    progress: ProgressFactory | None = None,
) -> DistractorIndex:
    """Bring the distractor index in ``distractor_dir`` up to date and return its settings.

    The farm of links (``distractor_dir/corpus``) gathers ``settings.corpus_dir`` and the
    :data:`DISTRACTOR_SOURCES` of ``shared``; :func:`~indexer.pipeline.run_index` indexes
    it into ``distractor_dir/index`` (incremental: nothing to do when nothing changed).
    Raises :class:`SharedDataMissing` when the shared folder is absent and
    :class:`~kennisbank.lock.IndexLocked` when another run holds the index.
    """
    distractor_dir = Path(distractor_dir)
    farm = distractor_dir / "corpus"
    linked, relinked = link_corpus(settings.corpus_dir, Path(shared), farm)
    target = settings.with_overrides(corpus_dir=farm, data_dir=distractor_dir / "index")
    report = run_index(target, progress=progress)
    return DistractorIndex(target, report, linked, relinked)
