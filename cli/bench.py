"""The ``kennisbank bench`` command: the whole benchmark suite with one command.

A thin edge over :mod:`benchmarks.suite`.  The benchmarks are not part of the installed
product: the command loads the ``benchmarks/`` folder of the source checkout next to the
``cli`` package when the command runs, and says in Dutch (exit code 2) that it needs a
checkout of the repository when that folder is not there.  The Markdown report goes to
stdout or ``--out``, progress to stderr.  :mod:`cli.main` registers the command.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import click

__all__ = ["BENCHMARKS_DIR", "BenchmarksMissing", "bench_command", "load_suite"]

_DEFAULT_SCALES = "0,10000,100000,500000"

#: The ``benchmarks/`` folder of a source checkout: next to the ``cli`` package.
BENCHMARKS_DIR = Path(__file__).resolve().parent.parent / "benchmarks"


class BenchmarksMissing(click.ClickException):
    """``kennisbank bench`` outside a checkout of the repository (exit code 2)."""

    exit_code = 2

    def __init__(self, folder: Path) -> None:
        super().__init__(
            "kennisbank bench werkt alleen in een checkout van de repository (git clone): "
            f"de map met benchmarks ontbreekt ({folder})."
        )


def load_suite(folder: Path | None = None) -> ModuleType:
    """:mod:`benchmarks.suite` from ``folder`` (default :data:`BENCHMARKS_DIR`).

    The package is loaded from its folder, so it need neither be installed nor be on
    ``sys.path``; raises :class:`BenchmarksMissing` when the folder is not there.
    """
    folder = BENCHMARKS_DIR if folder is None else folder
    init = folder / "__init__.py"
    if not init.is_file():
        raise BenchmarksMissing(folder)
    if "benchmarks" not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            "benchmarks", init, submodule_search_locations=[str(folder)]
        )
        if spec is None or spec.loader is None:
            raise BenchmarksMissing(folder)
        package = importlib.util.module_from_spec(spec)
        sys.modules["benchmarks"] = package
        try:
            spec.loader.exec_module(package)
        except BaseException:
            del sys.modules["benchmarks"]
            raise
    return importlib.import_module("benchmarks.suite")


def _scales(text: str) -> list[int]:
    try:
        values = [int(x.strip().replace("_", "")) for x in text.split(",") if x.strip()]
    except ValueError as exc:
        raise click.BadParameter(f"geen lijst van gehele getallen: {text}") from exc
    if not values or any(v < 0 for v in values):
        raise click.BadParameter(f"geen lijst van aantallen ≥ 0: {text}")
    return values


def _incremental_scales(text: str) -> list[int]:
    """``--incremental-scales``: sizes in passages; ``0`` or an empty value = none."""
    if not text.strip():
        return []
    return [v for v in _scales(text) if v > 0]


def _progress(message: str) -> None:
    click.echo(f"[bench {time.strftime('%H:%M:%S')}] {message}", err=True)


def _command_line(**opts: Any) -> str:
    parts = ["kennisbank bench"]
    if opts["quick"]:
        parts.append("--quick")
    for name in ("scale", "runs", "queries", "shared", "dev_queries", "plot"):
        if opts[name] is not None:
            parts.append(f"--{name.replace('_', '-')} {opts[name]}")
    if opts["profile"]:
        parts.append(f"--profile {opts['profile']}")
    if opts["incremental_scales"] is not None:
        parts.append(f"--incremental-scales {opts['incremental_scales'] or '0'}")
    if not opts["http"]:
        parts.append("--no-http")
    return " ".join(parts)


@click.command("bench")
@click.option(
    "--scale",
    default=None,
    help=f"Corpusgroottes in passages, 0 = gebundeld corpus (standaard {_DEFAULT_SCALES}).",
)
@click.option("--runs", type=click.IntRange(1, 50), default=None, help="Herhalingen (3).")
@click.option(
    "--queries", type=click.IntRange(0, 10_000), default=None, help="Gegenereerde zoekvragen (300)."
)
@click.option(
    "--http/--no-http",
    default=True,
    help="Ook latentie en piekgeheugen via een echte kennisbank serve, per corpus.",
)
@click.option(
    "--incremental-scales",
    default=None,
    metavar="LIJST",
    help="Groottes in passages voor de incrementele herindexering op schaal (volledige "
    "pijplijn over laws-md-bestanden; traag), bijv. 100000,500000; 0 = geen. Standaard de "
    "schaalcorpora van --scale tot en met 100.000 passages.",
)
@click.option(
    "--shared",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Map met laws-md/ en sgd-ocr/ (standaard ../shared/data).",
)
@click.option(
    "--dev-queries",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Beoordeelde zoekvragen (standaard ../shared/eval/dev-queries.jsonl).",
)
@click.option(
    "--profile",
    type=click.IntRange(0, 10_000),
    default=0,
    help="Zoekvragen voor cProfile en varianten per corpus (0 = uit).",
)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Markdown naar bestand."
)
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Ruwe cijfers als JSON.",
)
@click.option(
    "--plot", type=click.Path(dir_okay=False, path_type=Path), help="SVG-grafiek van de groei."
)
@click.option(
    "--quick",
    is_flag=True,
    help="Kleine instellingen (gebundeld corpus, 500 en 1.500 passages, incrementeel op 500, "
    "1 run, 20 zoekvragen).",
)
def bench_command(
    scale: str | None,
    runs: int | None,
    queries: int | None,
    http: bool,
    incremental_scales: str | None,
    shared: Path | None,
    dev_queries: Path | None,
    profile: int,
    out: Path | None,
    json_path: Path | None,
    plot: Path | None,
    quick: bool,
) -> None:
    """Meet bouwtijd, latentie (in-process en via HTTP), facetkosten, geheugen en
    indexgrootte naast de SQLite-FTS5-basislijn en druk de tabellen af."""
    suite = load_suite()
    command = _command_line(
        quick=quick,
        scale=scale,
        runs=runs,
        queries=queries,
        shared=shared,
        dev_queries=dev_queries,
        plot=plot,
        http=http,
        incremental_scales=incremental_scales,
        profile=profile,
    )
    overrides: dict[str, Any] = {"http": http, "profile": profile, "plot": plot, "command": command}
    if scale is not None:
        overrides["scales"] = _scales(scale)
    if incremental_scales is not None:
        overrides["incremental_scales"] = _incremental_scales(incremental_scales)
    if runs is not None:
        overrides["runs"] = runs
    if queries is not None:
        overrides["queries"] = queries
    if shared is not None:
        overrides["shared"] = shared
    if dev_queries is not None:
        overrides["dev_queries"] = dev_queries
    options = suite.quick_options(**overrides) if quick else suite.SuiteOptions(**overrides)
    try:
        report = suite.run_suite(options, _progress)
    except (RuntimeError, OSError) as exc:
        raise click.ClickException(f"De benchmark is afgebroken: {exc}") from exc
    if json_path is not None:
        json_path.write_text(
            json.dumps(report.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8"
        )
    text = suite.render_suite(report)
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        _progress(f"rapport geschreven naar {out}")
    if plot is not None:
        _progress(f"grafiek geschreven naar {plot}")
