"""What every command shares: option help texts, settings, JSON output, error mapping."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from tqdm import tqdm

from kennisbank.config import Settings, load_settings
from kennisbank.errors import KennisbankError

DATA_DIR_HELP = "Map van de index (standaard: $KENNISBANK_DATA_DIR, anders data/ naast het corpus)."
CORPUS_HELP = "Map met de documenten (standaard: $KENNISBANK_CORPUS, anders corpus/)."
JSON_HELP = "Uitvoer als JSON (machineleesbaar)."

#: The options most commands share, declared once.
corpus_option = click.option(
    "--corpus", "corpus", type=click.Path(file_okay=False), help=CORPUS_HELP
)
data_dir_option = click.option("--data-dir", type=click.Path(file_okay=False), help=DATA_DIR_HELP)
json_option = click.option("--json", "as_json", is_flag=True, help=JSON_HELP)


@contextmanager
def dutch_errors() -> Iterator[None]:
    """Turn a :class:`KennisbankError` into a click error: its Dutch message, exit code 1."""
    try:
        yield
    except KennisbankError as exc:
        raise click.ClickException(str(exc)) from exc


def settings_from(corpus: str | None, data_dir: str | None) -> Settings:
    """The settings for ``--corpus``/``--data-dir`` (defaults from the environment)."""
    with dutch_errors():
        return load_settings(corpus_dir=corpus, data_dir=data_dir)


def echo_json(value: Any) -> None:
    """Print ``value`` as indented JSON, non-ASCII characters as they are."""
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


def echo_lines(lines: Iterable[str], *, err: bool = False) -> None:
    """Print each line (to stderr with ``err``)."""
    for line in lines:
        click.echo(line, err=err)


def file_progress(paths: list[Path]) -> Iterable[Path]:
    """A progress bar on stderr over the files being indexed (hidden when not a terminal)."""
    return tqdm(paths, desc="Indexeren", unit="bestand", file=sys.stderr, disable=None)
