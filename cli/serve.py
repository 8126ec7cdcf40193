"""``kennisbank serve``: build the index when it is missing or damaged, then serve the web app."""

from __future__ import annotations

import click

from cli.common import (
    corpus_option,
    data_dir_option,
    dutch_errors,
    echo_lines,
    file_progress,
    settings_from,
)


@click.command("serve")
@click.option("--host", default=None, help="Adres (standaard $KENNISBANK_HOST of 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Poort (standaard $KENNISBANK_PORT of 8000).")
@corpus_option
@data_dir_option
def serve(host: str | None, port: int | None, corpus: str | None, data_dir: str | None) -> None:
    """Start de webinterface (waitress). Bouwt eerst de index als die ontbreekt of beschadigd is."""
    from indexer.status import ensure_index, format_report  # noqa: PLC0415 - start-up
    from web.server import run_server  # noqa: PLC0415 - start-up: Flask and the engine on use

    settings = settings_from(corpus, data_dir).with_overrides(host=host, port=port)
    with dutch_errors():
        report = ensure_index(settings, lambda line: click.echo(line, err=True), file_progress)
    if report is not None:
        echo_lines(format_report(report.to_dict(), settings))
    click.echo(f"Kennisbank draait op http://{settings.host}:{settings.port}/ (Ctrl+C stopt)")
    run_server(settings)
