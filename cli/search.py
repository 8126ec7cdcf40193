"""``kennisbank search`` and ``kennisbank eval``: search the live index, and measure its quality."""

from __future__ import annotations

import click

from cli.common import (
    data_dir_option,
    dutch_errors,
    echo_json,
    echo_lines,
    json_option,
    settings_from,
)
from kennisbank.plaintext import search_lines
from kennisbank.search.fields import (
    DEFAULT_LIMIT,
    DEFAULT_SORT,
    FACETS,
    MAX_LIMIT,
    MAX_OFFSET,
    SORTS,
)


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
@data_dir_option
@json_option
def eval_command(
    queries_file: str, baseline: str | None, data_dir: str | None, as_json: bool
) -> None:
    """Meet de zoekkwaliteit op beoordeelde zoekvragen: MRR@10, Success@1/@10, nDCG@10.

    Voorbeeld: kennisbank eval ../shared/eval/dev-queries.jsonl --baseline fts5
    """
    from kennisbank.quality import measure_quality  # noqa: PLC0415 - start-up: engine on use

    settings = settings_from(None, data_dir)
    with dutch_errors():
        comparison = measure_quality(settings, queries_file, baseline=baseline)
    if as_json:
        echo_json(comparison.to_dict())
    else:
        click.echo(comparison.text())
