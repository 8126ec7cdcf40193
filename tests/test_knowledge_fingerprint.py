"""The knowledge stage's code fingerprint hashes its folder, not a list of module names.

So a module added to, changed in or moved into ``indexer/knowledge/`` always triggers a full
rebuild of the graph; none can be left out silently.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from indexer.knowledge.fingerprint import KNOWLEDGE_DIR, code_fingerprint


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of ``indexer/knowledge`` (without byte code)."""
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def test_the_fingerprint_is_the_folder_and_stable(folder: Path) -> None:
    assert code_fingerprint(folder) == code_fingerprint(KNOWLEDGE_DIR)
    assert code_fingerprint() == code_fingerprint(KNOWLEDGE_DIR)
    assert code_fingerprint(folder) == code_fingerprint(folder)


def test_adding_a_module_changes_the_fingerprint(folder: Path) -> None:
    before = code_fingerprint(folder)
    (folder / "newrules.py").write_text('"""New recognition rules."""\n', encoding="utf-8")
    assert code_fingerprint(folder) != before


def test_adding_a_module_in_a_subfolder_changes_the_fingerprint(folder: Path) -> None:
    before = code_fingerprint(folder)
    (folder / "rules").mkdir()
    (folder / "rules" / "extra.py").write_text("X = 1\n", encoding="utf-8")
    assert code_fingerprint(folder) != before


def test_changing_a_module_changes_the_fingerprint(folder: Path) -> None:
    before = code_fingerprint(folder)
    path = folder / "link.py"
    path.write_text(path.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert code_fingerprint(folder) != before


def test_renaming_a_module_changes_the_fingerprint(folder: Path) -> None:
    before = code_fingerprint(folder)
    (folder / "themes.py").rename(folder / "topics.py")
    assert code_fingerprint(folder) != before


def test_other_files_do_not_count(folder: Path) -> None:
    before = code_fingerprint(folder)
    (folder / "notes.txt").write_text("not code\n", encoding="utf-8")
    assert code_fingerprint(folder) == before
