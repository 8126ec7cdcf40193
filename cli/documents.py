"""``kennisbank docs`` and ``kennisbank ref``: the indexed documents, and references in a text."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cli.common import (
    corpus_option,
    data_dir_option,
    dutch_errors,
    echo_json,
    echo_lines,
    json_option,
    settings_from,
)
from kennisbank.plaintext import document_lines, documents_lines, ref_lines
from kennisbank.refs import find_refs
from kennisbank.store import Store


@click.command("docs")
@corpus_option
@data_dir_option
@json_option
@click.argument("doc_id", required=False)
def docs(corpus: str | None, data_dir: str | None, as_json: bool, doc_id: str | None) -> None:
    """Toon de geïndexeerde documenten, of met DOC_ID één document met zijn passages."""
    settings = settings_from(corpus, data_dir)
    with dutch_errors(), Store(settings.db_path) as store:
        data = store.document_with_passages(doc_id) if doc_id else store.documents()
    if as_json:
        echo_json(data)
    elif doc_id:
        echo_lines(document_lines(data))
    else:
        echo_lines(documents_lines(data))


@click.command("ref")
@click.argument("text", required=False)
@click.option(
    "--file", "file_", type=click.Path(dir_okay=False), help="Lees de tekst uit een bestand."
)
@json_option
def ref(text: str | None, file_: str | None, as_json: bool) -> None:
    """Vind Kamerstukverwijzingen in TEXT (of in --file, of '-' voor standaardinvoer).

    Voorbeeld: kennisbank ref "Kamerstukken II 2009/10, 30 995, nr. 78"
    """
    refs = [r.to_dict() for r in find_refs(_ref_input(text, file_))]
    if as_json:
        echo_json(refs)
    else:
        echo_lines(ref_lines(refs))


def _ref_input(text: str | None, file_: str | None) -> str:
    """The text to search: from ``--file`` (UTF-8 text only), the argument, or stdin."""
    if file_:
        try:
            raw = Path(file_).read_bytes()
        except OSError as exc:
            raise click.ClickException(f"Kan {file_} niet lezen: {exc.strerror}.") from exc
        if b"\x00" in raw[:4096]:
            raise click.ClickException(f"{file_} is een binair bestand, geen tekst.")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise click.ClickException(f"{file_} is geen geldige UTF-8-tekst.") from exc
    if text is None or text == "-":
        if sys.stdin.isatty() and text is None:
            raise click.ClickException(
                'Geef een tekst mee, bijvoorbeeld: kennisbank ref "kst-30995-78".'
            )
        return sys.stdin.read()
    return text
