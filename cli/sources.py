"""The ``kennisbank harvest`` and ``kennisbank import-jsonl`` commands (official sources).

Standalone click commands; :mod:`cli.main` registers them with ``cli.add_command``.
Like the other commands they print Dutch messages, never a traceback, and exit with 0
(all well), 2 (some documents or lines reported) or 1 (stopped / unusable options).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from tqdm import tqdm

from cli.common import dutch_errors, echo_json, json_option
from kennisbank.config import load_settings

__all__ = ["harvest_command", "import_jsonl_command"]


def _default_target(sub: str) -> Path:
    with dutch_errors():
        return load_settings().corpus_dir / sub


def _bar(desc: str, unit: str, quiet: bool) -> Any:
    def factory(total: int | None) -> Any:
        return tqdm(
            total=total, desc=desc, unit=unit, file=sys.stderr, disable=True if quiet else None
        )

    return factory


@click.command("harvest")
@click.option("--dossier", required=True, help="Dossiernummer, bijvoorbeeld 30995.")
@click.option("--since", help="Alleen publicaties vanaf deze datum (JJJJ-MM-DD).")
@click.option(
    "--to",
    "target",
    type=click.Path(file_okay=False),
    help="Doelmap (standaard: harvested/ in het corpus).",
)
@click.option("--dry-run", is_flag=True, help="Toon alleen wat opgehaald zou worden.")
@click.option(
    "--base-url",
    default=None,
    help="SRU-adres (standaard https://repository.overheid.nl/sru).",
)
@click.option(
    "--rate",
    type=click.FloatRange(min=0),
    default=1.0,
    show_default=True,
    help="Ten hoogste zoveel verzoeken per seconde (0: geen pauze).",
)
@click.option(
    "--max-records",
    type=click.IntRange(min=1),
    default=None,
    help="Ten hoogste zoveel SRU-records verwerken.",
)
@click.option(
    "--page-size",
    type=click.IntRange(1, 1000),
    default=100,
    show_default=True,
    help="Records per SRU-pagina.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=30.0,
    show_default=True,
    help="Seconden wachten op een antwoord.",
)
@click.option(
    "--retries",
    type=click.IntRange(0, 10),
    default=4,
    show_default=True,
    help="Zo vaak opnieuw proberen bij time-outs en serverfouten.",
)
@click.option("--all-types", is_flag=True, help="Ook andere publicaties dan Kamerstukken.")
@json_option
def harvest_command(
    dossier: str,
    since: str | None,
    target: str | None,
    dry_run: bool,
    base_url: str | None,
    rate: float,
    max_records: int | None,
    page_size: int,
    timeout: float,
    retries: int,
    all_types: bool,
    as_json: bool,
) -> None:
    """Haal de Kamerstukken van een dossier op bij repository.overheid.nl (SRU).

    Schrijft per stuk het document (XML, anders HTML of PDF) en een .meta.json met de
    metadata in de doelmap; wat er al staat wordt overgeslagen, dus een afgebroken run
    kan gewoon opnieuw gestart worden.  Daarna: kennisbank index.
    """
    from indexer.acquisition.harvest import (  # noqa: PLC0415 - start-up: loaded on use
        DEFAULT_BASE_URL,
        HarvestError,
        HarvestOptions,
        harvest,
    )

    options = HarvestOptions(
        dossier=dossier,
        target=Path(target) if target else _default_target("harvested"),
        since=since,
        base_url=base_url or DEFAULT_BASE_URL,
        rate=rate,
        max_records=max_records,
        page_size=page_size,
        timeout=timeout,
        retries=retries,
        dry_run=dry_run,
        all_types=all_types,
    )
    try:
        report = harvest(options, progress=_bar("Ophalen", "record", as_json))
    except HarvestError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        echo_json(report.to_dict())
        sys.exit(report.exit_code)
    click.echo(f"Vraag:   {report.query}")
    click.echo(f"Doelmap: {options.target}")
    total = "?" if report.number_of_records is None else report.number_of_records
    click.echo(
        f"Records: {report.records} van {total}; opgehaald: {len(report.downloaded)}, "
        f"al aanwezig: {len(report.present)}, mislukt: {len(report.failed)}, "
        f"dubbel: {len(report.duplicates)}, geen Kamerstuk: {len(report.filtered)}"
    )
    for item in report.planned:
        click.echo(f"  zou ophalen: {item['identifier']} ({item['format'] or '?'}) {item['url']}")
    for item in report.failed:
        click.echo(f"  mislukt: {item['identifier']}: {item['reason']}")
    for warning in report.warnings:
        click.echo(f"  waarschuwing: {warning}")
    if report.stopped:
        click.echo(f"Gestopt: {report.stopped}", err=True)
        click.echo(
            "Wat al binnen is blijft staan; start dezelfde opdracht opnieuw om verder te gaan."
        )
    elif report.downloaded and not dry_run:
        click.echo("Voer nu 'kennisbank index' uit om de nieuwe stukken te doorzoeken.")
    sys.exit(report.exit_code)


@click.command("import-jsonl")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--to",
    "target",
    type=click.Path(file_okay=False),
    help="Doelmap (standaard: sgd/ in het corpus).",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=None,
    help="Ten hoogste zoveel nieuwe documenten schrijven.",
)
@json_option
def import_jsonl_command(
    files: tuple[str, ...], target: str | None, limit: int | None, as_json: bool
) -> None:
    """Importeer historische OCR-teksten (Staten-Generaal Digitaal, JSON Lines).

    Elke regel ({"URL", "Content", "Source"}) wordt een tekstbestand met een .meta.json
    (titel, type, jaar, bron).  Al geïmporteerde records worden overgeslagen; onbruikbare
    regels worden gemeld en overgeslagen.  Daarna: kennisbank index.
    """
    from indexer.acquisition.importjsonl import import_jsonl  # noqa: PLC0415 - start-up

    folder = Path(target) if target else _default_target("sgd")
    with dutch_errors():
        report = import_jsonl(
            [Path(f) for f in files],
            folder,
            limit=limit,
            progress=_bar("Importeren", "regel", as_json),
        )
    if as_json:
        echo_json(report.to_dict())
        sys.exit(report.exit_code)
    click.echo(f"Doelmap: {folder}")
    click.echo(
        f"Regels: {report.lines}; nieuw: {len(report.written)}, al aanwezig: "
        f"{len(report.present)}, onbruikbaar: {len(report.bad)}"
    )
    for problem in report.bad[:50]:
        click.echo(f"  overgeslagen: {problem}")
    if len(report.bad) > 50:
        click.echo(f"  … en nog {len(report.bad) - 50} regels")
    if report.limited:
        click.echo(f"Gestopt na {limit} nieuwe documenten (--limit); start opnieuw voor meer.")
    sys.exit(report.exit_code)
