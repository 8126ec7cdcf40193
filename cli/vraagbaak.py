"""``kennisbank gebruiker …`` and ``kennisbank vraagbaak …``: accounts and backups of the Vraagbaak.

Each command opens the Vraagbaak database of the data folder
(``DATA_DIR/vraagbaak.sqlite``), calls one function of :mod:`kennisbank.vraagbaak`
and prints the result.  Unusable input (an unknown centre, a short password, a
non-empty database to import into) ends with a Dutch message and exit code 2;
other errors with exit code 1.  A password is never a command-line argument: it is
asked on the terminal (hidden, twice) or read as one line from stdin.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from cli.common import data_dir_option, dutch_errors, echo_json, json_option, settings_from
from kennisbank.errors import InvalidInput

if TYPE_CHECKING:
    from kennisbank.vraagbaak import VraagbaakDB


class BadInput(click.ClickException):
    """Unusable input: its Dutch message, exit code 2."""

    exit_code = 2


@contextmanager
def _errors() -> Iterator[None]:
    """Input errors → exit code 2; every other :class:`KennisbankError` → exit code 1."""
    from kennisbank.vraagbaak import DatabaseNotEmpty, UserNotFound  # noqa: PLC0415 - start-up

    with dutch_errors():
        try:
            yield
        except (InvalidInput, DatabaseNotEmpty, UserNotFound) as exc:
            raise BadInput(str(exc)) from exc


def _db(data_dir: str | None) -> VraagbaakDB:
    from kennisbank.vraagbaak import VraagbaakDB  # noqa: PLC0415 - start-up: argon2 on use

    settings = settings_from(None, data_dir)
    with _errors():
        return VraagbaakDB.in_data_dir(settings.data_dir)


def read_password() -> str:
    """The new password: hidden prompt with confirmation on a terminal, else one stdin line."""
    if sys.stdin.isatty():
        return str(click.prompt("Wachtwoord", hide_input=True, confirmation_prompt=True))
    line = sys.stdin.readline()
    if not line:
        raise BadInput("Geen wachtwoord ontvangen: geef het als één regel op stdin.")
    return line.rstrip("\r\n")


# ---------------------------------------------------------------------- gebruiker
@click.group("gebruiker")
def gebruiker() -> None:
    """Accounts van medewerkers en beheerders van de Vraagbaak."""


@gebruiker.command("toevoegen")
@click.argument("naam")
@click.option("--centrum", default=None, help="Code van het kenniscentrum (bijv. CCV).")
@click.option(
    "--rol",
    type=click.Choice(["medewerker", "beheerder"]),
    required=True,
    help="medewerker (ziet de vragen van het eigen centrum) of beheerder (ziet alles).",
)
@data_dir_option
def toevoegen(naam: str, centrum: str | None, rol: str, data_dir: str | None) -> None:
    """Maak een account. Het wachtwoord (minstens 12 tekens) wordt gevraagd, nooit als argument.

    Voorbeeld: kennisbank gebruiker toevoegen anna --centrum CCV --rol medewerker
    """
    from kennisbank.vraagbaak import add_user  # noqa: PLC0415 - start-up

    db = _db(data_dir)
    password = read_password()
    with _errors():
        user = add_user(db, naam, centrum, rol, password)
    where = f" bij {user.centrum}" if user.centrum else ""
    click.echo(f"Gebruiker {user.naam} ({user.rol}{where}) is aangemaakt.")


@gebruiker.command("lijst")
@data_dir_option
@json_option
def lijst(data_dir: str | None, as_json: bool) -> None:
    """Toon alle accounts: naam, rol, centrum, geblokkeerd (nooit wachtwoorden)."""
    from kennisbank.vraagbaak import list_users  # noqa: PLC0415 - start-up

    db = _db(data_dir)
    with _errors():
        users = list_users(db)
    if as_json:
        echo_json(
            [
                {
                    "naam": u.naam,
                    "rol": u.rol,
                    "centrum": u.centrum,
                    "geblokkeerd": u.geblokkeerd,
                    "aangemaakt": u.aangemaakt,
                }
                for u in users
            ]
        )
        return
    if not users:
        click.echo("Er zijn nog geen gebruikers.")
    for u in users:
        blocked = "  (geblokkeerd)" if u.geblokkeerd else ""
        click.echo(f"{u.naam}\t{u.rol}\t{u.centrum or '-'}{blocked}")


@gebruiker.command("blokkeren")
@click.argument("naam")
@data_dir_option
def blokkeren(naam: str, data_dir: str | None) -> None:
    """Blokkeer een account: inloggen kan niet meer, open sessies stoppen."""
    from kennisbank.vraagbaak import block_user  # noqa: PLC0415 - start-up

    db = _db(data_dir)
    with _errors():
        block_user(db, naam)
    click.echo(f"Gebruiker {naam} is geblokkeerd.")


# ---------------------------------------------------------------------- vraagbaak
@click.group("vraagbaak")
def vraagbaak() -> None:
    """Export, import en reservekopie van de Vraagbaak (vragen, antwoorden, accounts)."""


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{table} {n}" for table, n in counts.items())


def _on_db(data_dir: str | None, action: Any, target: str) -> Any:
    """Run ``action(db, target)`` on the data folder's Vraagbaak with Dutch errors."""
    db = _db(data_dir)
    with _errors():
        return action(db, target)


@vraagbaak.command("export")
@click.argument("file", type=click.Path(dir_okay=False))
@data_dir_option
def export_command(file: str, data_dir: str | None) -> None:
    """Schrijf alles (ook contactgegevens en wachtwoord-hashes) naar FILE.json (modus 0600)."""
    from kennisbank.vraagbaak import export_json  # noqa: PLC0415 - start-up

    counts = _on_db(data_dir, export_json, file)
    click.echo(f"Geëxporteerd naar {file}: {_counts(counts)}.")


@vraagbaak.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@data_dir_option
def import_command(file: str, data_dir: str | None) -> None:
    """Lees FILE.json (een export) in een lege Vraagbaak-database."""
    from kennisbank.vraagbaak import import_json  # noqa: PLC0415 - start-up

    counts = _on_db(data_dir, import_json, file)
    click.echo(f"Geïmporteerd uit {file}: {_counts(counts)}.")


@vraagbaak.command("backup")
@click.argument("directory", type=click.Path(file_okay=False))
@data_dir_option
def backup_command(directory: str, data_dir: str | None) -> None:
    """Maak een consistente kopie van de database in DIR, ook terwijl de server draait."""
    from kennisbank.vraagbaak import backup  # noqa: PLC0415 - start-up

    target = _on_db(data_dir, backup, directory)
    click.echo(f"Reservekopie gemaakt: {target}")


__all__ = ["gebruiker", "read_password", "vraagbaak"]
