"""``kennisbank gebruiker …`` and ``kennisbank vraagbaak …`` (issue 14): accounts and backups."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from kennisbank.vraagbaak import Vraagbaak, VraagbaakDB, authenticate
from tests.conftest import REPO_ROOT

PASSWORD = "een-lang-genoeg-wachtwoord"


def _run(runner: CliRunner, data: Path, *args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(cli, [*args, "--data-dir", str(data)], input=stdin)


def test_add_user_reads_the_password_from_stdin(runner: CliRunner, tmp_path: Path) -> None:
    result = _run(
        runner, tmp_path, "gebruiker", "toevoegen", "anna", "--centrum", "CCV",
        "--rol", "medewerker", stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Gebruiker anna (medewerker bij CCV) is aangemaakt." in result.output
    db = VraagbaakDB.in_data_dir(tmp_path)
    assert authenticate(db, "anna", PASSWORD) is not None


def test_list_json_and_block(runner: CliRunner, tmp_path: Path) -> None:
    for naam, extra in (("anna", ["--centrum", "CCV", "--rol", "medewerker"]),
                        ("baas", ["--rol", "beheerder"])):  # fmt: skip
        result = _run(runner, tmp_path, "gebruiker", "toevoegen", naam, *extra, stdin=PASSWORD)
        assert result.exit_code == 0, result.output
    result = _run(runner, tmp_path, "gebruiker", "blokkeren", "anna")
    assert result.exit_code == 0 and "anna is geblokkeerd" in result.output
    result = _run(runner, tmp_path, "gebruiker", "lijst", "--json")
    assert result.exit_code == 0, result.output
    users = json.loads(result.output)
    assert [(u["naam"], u["rol"], u["centrum"], u["geblokkeerd"]) for u in users] == [
        ("anna", "medewerker", "CCV", True),
        ("baas", "beheerder", None, False),
    ]
    assert "hash" not in result.output and "argon2" not in result.output
    assert authenticate(VraagbaakDB.in_data_dir(tmp_path), "anna", PASSWORD) is None
    plain = _run(runner, tmp_path, "gebruiker", "lijst")
    assert "anna\tmedewerker\tCCV  (geblokkeerd)" in plain.output


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--centrum", "CCV", "--rol", "medewerker"], "kort\n", "minstens 12 tekens"),
        (["--centrum", "XYZ", "--rol", "medewerker"], PASSWORD, "Onbekend kenniscentrum"),
        (["--rol", "medewerker"], PASSWORD, "hoort bij een kenniscentrum"),
        (["--centrum", "CCV", "--rol", "medewerker"], "", "Geen wachtwoord ontvangen"),
    ],
)
def test_bad_input_exits_2_with_a_dutch_message(
    runner: CliRunner, tmp_path: Path, args: list[str], stdin: str, message: str
) -> None:
    result = _run(runner, tmp_path, "gebruiker", "toevoegen", "anna", *args, stdin=stdin)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_blocking_an_unknown_user_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    result = _run(runner, tmp_path, "gebruiker", "blokkeren", "niemand")
    assert result.exit_code == 2 and "Er is geen gebruiker 'niemand'." in result.output


def test_a_password_cannot_be_an_argument(runner: CliRunner, tmp_path: Path) -> None:
    for option in ("--password", "--wachtwoord"):
        result = _run(
            runner, tmp_path, "gebruiker", "toevoegen", "anna", "--centrum", "CCV",
            "--rol", "medewerker", option, PASSWORD, stdin=PASSWORD,
        )  # fmt: skip
        assert result.exit_code == 2 and "No such option" in result.output
    params = {p.name for p in cli.commands["gebruiker"].commands["toevoegen"].params}  # type: ignore[attr-defined]
    assert not {"password", "wachtwoord"} & params


def test_export_import_backup(runner: CliRunner, tmp_path: Path) -> None:
    source, target = tmp_path / "bron", tmp_path / "doel"
    result = _run(runner, source, "gebruiker", "toevoegen", "baas", "--rol", "beheerder",
                  stdin=PASSWORD)  # fmt: skip
    assert result.exit_code == 0, result.output
    Vraagbaak(VraagbaakDB.in_data_dir(source)).submit_question(
        "Wat doen we tegen overlast van hangjongeren?", email="a@example.nl"
    )
    export = tmp_path / "export.json"
    result = _run(runner, source, "vraagbaak", "export", str(export))
    assert result.exit_code == 0, result.output
    assert "vragen 1" in result.output and export.stat().st_mode & 0o777 == 0o600
    result = _run(runner, target, "vraagbaak", "import", str(export))
    assert result.exit_code == 0, result.output
    assert authenticate(VraagbaakDB.in_data_dir(target), "baas", PASSWORD) is not None
    again = _run(runner, target, "vraagbaak", "import", str(export))
    assert again.exit_code == 2 and "niet leeg" in again.output
    result = _run(runner, source, "vraagbaak", "backup", str(tmp_path / "kopie"))
    assert result.exit_code == 0, result.output
    (copy,) = (tmp_path / "kopie").glob("vraagbaak-*.sqlite")
    conn = sqlite3.connect(copy)
    try:
        assert conn.execute("SELECT COUNT(*) FROM vragen").fetchone()[0] == 1
    finally:
        conn.close()


def test_console_script_reads_the_password_from_a_pipe(tmp_path: Path) -> None:
    env = {**os.environ, "KENNISBANK_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "cli", "gebruiker", "toevoegen", "carla", "--rol", "beheerder"],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert authenticate(VraagbaakDB.in_data_dir(tmp_path), "carla", PASSWORD) is not None
