"""Shared fixtures: the real corpus, a built index over it, the Flask app and CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kennisbank.config import Settings, load_settings

REPO_ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = REPO_ROOT / "corpus"
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data next to the repo; tests that need it skip when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is niet aanwezig")
    return SHARED_DATA


@pytest.fixture(scope="session")
def built_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings whose data dir holds an index of the bundled corpus (built once)."""
    from indexer.pipeline import run_index

    data_dir = tmp_path_factory.mktemp("index")
    settings = load_settings(corpus_dir=CORPUS_DIR, data_dir=data_dir, env={})
    report = run_index(settings)
    assert report.exit_code == 0, report.skipped
    return settings


@pytest.fixture()
def app(built_settings: Settings):  # type: ignore[no-untyped-def]
    """A Flask app over the built index."""
    from web import create_app

    return create_app({"TESTING": True, "KENNISBANK_SETTINGS": built_settings})


@pytest.fixture()
def client(app):  # type: ignore[no-untyped-def]
    """Flask test client."""
    return app.test_client()


@pytest.fixture()
def runner() -> CliRunner:
    """Click's CLI runner."""
    return CliRunner()


def make_corpus(root: Path, files: dict[str, bytes | str]) -> Path:
    """Write a small corpus of ``files`` (relative path → content) below ``root``."""
    corpus = root / "corpus"
    for rel, content in files.items():
        path = corpus / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
    corpus.mkdir(parents=True, exist_ok=True)
    return corpus
