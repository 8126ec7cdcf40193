"""``kennisbank entities`` and ``kennisbank entity``: the entity graph on the command line."""

from __future__ import annotations

import sys

import click

from cli.common import (
    data_dir_option,
    dutch_errors,
    echo_json,
    echo_lines,
    json_option,
    settings_from,
)
from kennisbank.graph import EntityNotFound, entity_card, list_entities
from kennisbank.plaintext import entity_card_lines, entity_list_lines
from kennisbank.store import Store


@click.command("entities")
@click.option(
    "--type",
    "entity_type",
    default=None,
    help="Alleen dit type: wijk, gemeente, buurt, experiment, partner, thema, "
    "organisatie, persoon.",
)
@data_dir_option
@json_option
def entities(entity_type: str | None, data_dir: str | None, as_json: bool) -> None:
    """Toon alle entiteiten met type, naam, aliassen, kenmerken en aantallen vermeldingen.

    Voorbeeld: kennisbank entities --type experiment
    """
    settings = settings_from(None, data_dir)
    with dutch_errors(), Store(settings.db_path) as store:
        rows = list_entities(store.conn, entity_type)
    if as_json:
        echo_json(rows)
    else:
        echo_lines(entity_list_lines(rows))


@click.command("entity")
@click.argument("name_or_id")
@data_dir_option
@json_option
def entity(name_or_id: str, data_dir: str | None, as_json: bool) -> None:
    """Toon de kaart van één entiteit: kenmerken met bronnen, relaties, passages, toezeggingen.

    Voorbeeld: kennisbank entity Kanaleneiland
    """
    settings = settings_from(None, data_dir)
    with dutch_errors():
        try:
            with Store(settings.db_path) as store:
                card = entity_card(store.conn, name_or_id)
        except EntityNotFound as exc:
            if as_json:
                echo_json({"fout": str(exc), "suggesties": exc.suggestions})
            else:
                click.echo(str(exc), err=True)
            sys.exit(1)
    if as_json:
        echo_json(card)
    else:
        echo_lines(entity_card_lines(card))
