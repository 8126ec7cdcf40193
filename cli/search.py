"""``kennisbank search`` and ``kennisbank eval``: search the live index, and measure its quality."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cli.common import (
    data_dir_option,
    dutch_errors,
    echo_json,
    echo_lines,
    file_progress,
    json_option,
    settings_from,
)
from kennisbank.config import Settings
from kennisbank.lock import IndexLocked
from kennisbank.plaintext import search_lines
from kennisbank.search.fields import (
    DEFAULT_LIMIT,
    DEFAULT_SORT,
    FACETS,
    MAX_LIMIT,
    MAX_OFFSET,
    SORTS,
)

#: Minutes the first distractor build took on 2 cores (see :mod:`cli.distractors`).
BUILD_MINUTES = 6


def _parse_filters(values: tuple[str, ...]) -> dict[str, list[str]]:
    """``--filter veld=waarde`` options as field → values."""
    filters: dict[str, list[str]] = {}
    for item in values:
        field_name, sep, value = item.partition("=")
        if not sep or not field_name.strip() or not value.strip():
            raise click.BadParameter(f"'{item}' is geen veld=waarde.", param_hint="--filter")
        filters.setdefault(field_name.strip(), []).append(value.strip())
    return filters


@click.command("search")
@click.argument("query")
@click.option(
    "--filter",
    "filters",
    multiple=True,
    metavar="VELD=WAARDE",
    help=f"Filter, herhaalbaar: {', '.join(f.name for f in FACETS)} "
    "(bijv. --filter gemeente=gemeente/utrecht).",
)
@click.option(
    "--limit", type=click.IntRange(1, MAX_LIMIT), default=DEFAULT_LIMIT, show_default=True
)
@click.option("--offset", type=click.IntRange(0, MAX_OFFSET), default=0, show_default=True)
@click.option("--sort", type=click.Choice(list(SORTS)), default=DEFAULT_SORT, show_default=True)
@data_dir_option
@json_option
def search(
    query: str,
    filters: tuple[str, ...],
    limit: int,
    offset: int,
    sort: str,
    data_dir: str | None,
    as_json: bool,
) -> None:
    """Zoek passages: woorden, "zinnen", EN/OF/NIET, woord*, veld:waarde of een Kamerstuk.

    Voorbeeld: kennisbank search "Welke gemeenten doen mee aan Gezonde Wijk?"
    """
    from kennisbank.search import LiveSearch  # noqa: PLC0415 - start-up: the engine loads on use

    settings = settings_from(None, data_dir)
    parsed_filters = _parse_filters(filters)
    with dutch_errors():
        result = (
            LiveSearch(settings.data_dir)
            .engine()
            .search(query, filters=parsed_filters, limit=limit, offset=offset, sort=sort)
        )
    if as_json:
        echo_json(result.to_dict())
    else:
        echo_lines(search_lines(result.to_dict(), query, offset))


@click.command("eval")
@click.argument("queries_file", type=click.Path(dir_okay=False))
@click.option(
    "--baseline",
    type=click.Choice(["fts5"]),
    default=None,
    help="Vergelijk in dezelfde run met SQLite FTS5 (unicode61, bm25).",
)
@click.option(
    "--explain",
    type=click.Choice(["failed", "all"]),
    is_flag=False,
    flag_value="failed",
    default=None,
    help="Leg uit wat eerst kwam en waarom, naast de eerste relevante passage: per mislukte "
    "zoekvraag (--explain) of per zoekvraag (--explain all).",
)
@click.option(
    "--distractors",
    is_flag=True,
    help="Meet op het corpus plus ≈416.000 passages wetten, beleidsregels, circulaires en "
    "gemeentelijke plannen uit de gedeelde datamap "
    f"(de eerste keer ≈ {BUILD_MINUTES} minuten bouwen).",
)
@click.option(
    "--distractor-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Map van de index met afleiders (standaard: eval-distractors/ in de standaard-datamap, "
    "ook met --data-dir, zodat elke checkout er één heeft).",
)
@click.option(
    "--shared",
    type=click.Path(file_okay=False),
    default=None,
    help="De gedeelde datamap met de afleiders (standaard: ../shared/data naast de checkout).",
)
@data_dir_option
@json_option
def eval_command(
    queries_file: str,
    baseline: str | None,
    explain: str | None,
    distractors: bool,
    distractor_dir: str | None,
    shared: str | None,
    data_dir: str | None,
    as_json: bool,
) -> None:
    """Meet de zoekkwaliteit op beoordeelde zoekvragen: MRR@10, Success@1/@10, nDCG@10.

    Voorbeeld: kennisbank eval ../shared/eval/dev-queries.jsonl --baseline fts5
    """
    from kennisbank.evaluate import load_queries  # noqa: PLC0415 - start-up: engine on use
    from kennisbank.quality import measure_quality  # noqa: PLC0415 - start-up: engine on use

    settings = settings_from(None, data_dir)
    with dutch_errors():
        load_queries(queries_file)  # a bad file fails before a long build
    corpus = "bundled"
    if distractors:
        settings = _distractor_settings(settings, shared, distractor_dir, as_json)
        corpus = "distractors"
    with dutch_errors():
        comparison = measure_quality(
            settings, queries_file, baseline=baseline, explain=explain, corpus=corpus
        )
    if as_json:
        echo_json(comparison.to_dict())
    else:
        click.echo(comparison.text())


def _distractor_settings(
    settings: Settings, shared: str | None, distractor_dir: str | None, quiet: bool
) -> Settings:
    """Build or update the distractor index and return the settings that read it
    (exit 2 without the shared data, 3 when another run holds the index)."""
    from cli.distractors import (  # noqa: PLC0415 - start-up: the indexer loads on use
        DEFAULT_SHARED,
        SharedDataMissing,
        build_distractor_index,
        default_distractor_dir,
    )
    from kennisbank.config import load_settings  # noqa: PLC0415 - start-up: on use

    folder = Path(distractor_dir) if distractor_dir else None
    if folder is None:
        folder = default_distractor_dir(load_settings().data_dir)
    click.echo(
        f"Index met afleiders bijwerken in {folder}: de eerste keer ≈ {BUILD_MINUTES} minuten "
        "(≈3.640 bestanden, ≈416.000 passages), daarna alleen wat veranderde…",
        err=True,
    )
    try:
        with dutch_errors():
            built = build_distractor_index(
                settings,
                Path(shared) if shared else DEFAULT_SHARED,
                folder,
                progress=None if quiet else file_progress,
            )
    except click.ClickException as exc:
        cause = exc.__cause__
        if isinstance(cause, (SharedDataMissing, IndexLocked)):
            click.echo(f"Fout: {cause}", err=True)
            sys.exit(cause.exit_code)
        raise
    echo_lines(built.report.summary_lines(), err=True)
    return built.settings
