"""The ``kennisbank`` command group and the entry point of the console script.

The commands live one group per module (:mod:`cli.index`, :mod:`cli.documents`,
:mod:`cli.entities`, :mod:`cli.search`, :mod:`cli.serve`, :mod:`cli.sources`,
:mod:`cli.bench`, :mod:`cli.vraagbaak`); this module only gathers them.
"""

from __future__ import annotations

import click

from cli.bench import bench_command
from cli.documents import docs, ref
from cli.entities import entities, entity
from cli.index import index, status
from cli.search import eval_command, search
from cli.serve import serve
from cli.sources import harvest_command, import_jsonl_command
from cli.vraagbaak import gebruiker, vraagbaak
from kennisbank import __version__

__all__ = ["cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kennisbank", message="%(prog)s %(version)s")
def cli() -> None:
    """Kennisbank Wijkenaanpak: zoeken in wat er in de wijken beloofd, geprobeerd en geleerd is.

    Kennisbank Wijkenaanpak: a Dutch knowledge base for the neighbourhood approach.
    """


for _command in (
    index,
    status,
    docs,
    ref,
    entities,
    entity,
    search,
    eval_command,
    serve,
    harvest_command,
    import_jsonl_command,
    bench_command,
    gebruiker,
    vraagbaak,
):
    cli.add_command(_command)


def main() -> None:
    """Entry point of the ``kennisbank`` console script (and ``python -m cli``)."""
    cli(prog_name="kennisbank")
