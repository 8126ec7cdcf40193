"""``kennisbank index`` and ``kennisbank status``: build the index, and show its state."""

from __future__ import annotations

import sys

import click

from cli.common import (
    corpus_option,
    data_dir_option,
    dutch_errors,
    echo_json,
    echo_lines,
    file_progress,
    json_option,
    settings_from,
)
from kennisbank.lock import IndexLocked


@click.command("index")
@corpus_option
@data_dir_option
@json_option
@click.option("--full", is_flag=True, help="Bouw alles opnieuw, ook ongewijzigde bestanden.")
def index(corpus: str | None, data_dir: str | None, as_json: bool, full: bool) -> None:
    """Indexeer het corpus: lees, ontleed en bewaar nieuwe en gewijzigde documenten.

    Eindigt met code 0 als alle bestanden gelezen zijn, 2 als er bestanden zijn
    overgeslagen (elk met de reden) en 3 als er al een indexering draait.
    """
    from indexer.pipeline import run_index  # noqa: PLC0415 - start-up: parsers load on use
    from indexer.status import format_report  # noqa: PLC0415 - start-up: parsers load on use

    settings = settings_from(corpus, data_dir)
    with dutch_errors():
        try:
            report = run_index(settings, progress=None if as_json else file_progress, full=full)
        except IndexLocked as exc:
            click.echo(str(exc), err=True)
            sys.exit(exc.exit_code)
    if as_json:
        echo_json(report.to_dict())
    else:
        echo_lines(format_report(report.to_dict(), settings))
        echo_lines(report.summary_lines())
    sys.exit(report.exit_code)


@click.command("status")
@corpus_option
@data_dir_option
@json_option
def status(corpus: str | None, data_dir: str | None, as_json: bool) -> None:
    """Toon de live index: generatie, bouwtijd, aantallen, gewijzigde corpusbestanden, slot.

    Eindigt met code 0 als er een bruikbare index is en 1 als die ontbreekt of beschadigd is.
    """
    from indexer.status import (  # noqa: PLC0415 - start-up: parsers load on use
        format_status,
        index_status,
        status_exit_code,
    )

    data = index_status(settings_from(corpus, data_dir))
    if as_json:
        echo_json(data)
    else:
        echo_lines(format_status(data))
    sys.exit(status_exit_code(data))
