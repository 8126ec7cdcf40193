"""The README tells the truth: every command and setting is documented, the two commands exist."""

from __future__ import annotations

import re

from cli.main import cli
from tests.conftest import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def test_every_cli_command_is_documented() -> None:
    for name in cli.commands:
        assert f"kennisbank {name}" in README, name


def test_every_setting_is_documented() -> None:
    source = (REPO_ROOT / "kennisbank" / "config.py").read_text(encoding="utf-8")
    settings = set(re.findall(r'"(KENNISBANK_[A-Z_]+)"', source))
    assert settings
    for name in settings:
        assert f"`{name}`" in README, name


def test_quick_start_targets_exist_and_ci_runs_the_test_command() -> None:
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("run", "test", "lint", "index", "serve"):
        assert re.search(rf"^{target}:", makefile, re.MULTILINE), target
    assert "make run" in README and "make test" in README
    assert "make test" in (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
