"""Settings resolution: arguments → environment → defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from kennisbank.config import PROJECT_ROOT, load_settings
from kennisbank.errors import InvalidInput


def test_defaults_put_data_next_to_the_corpus() -> None:
    settings = load_settings(env={})
    assert settings.corpus_dir == PROJECT_ROOT / "corpus"
    assert settings.data_dir == PROJECT_ROOT / "data"
    assert settings.db_path.name == "kennisbank.sqlite"
    assert PROJECT_ROOT / "data" in settings.db_path.parents
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.max_file_bytes == 50 * 1024 * 1024


def test_environment_then_arguments(tmp_path: Path) -> None:
    env = {
        "KENNISBANK_CORPUS": str(tmp_path / "c"),
        "KENNISBANK_DATA_DIR": str(tmp_path / "d"),
        "KENNISBANK_MAX_FILE_MB": "3",
        "KENNISBANK_PORT": "9000",
    }
    from_env = load_settings(env=env)
    assert from_env.corpus_dir == tmp_path / "c"
    assert from_env.data_dir == tmp_path / "d"
    assert from_env.max_file_bytes == 3 * 1024 * 1024
    assert from_env.port == 9000
    explicit = load_settings(data_dir=tmp_path / "x", env=env)
    assert explicit.data_dir == tmp_path / "x"
    assert explicit.with_overrides(port=None, host="0.0.0.0").host == "0.0.0.0"


def test_data_dir_defaults_next_to_a_custom_corpus(tmp_path: Path) -> None:
    assert (
        load_settings(corpus_dir=tmp_path / "mijn" / "corpus", env={}).data_dir
        == (tmp_path / "mijn" / "data").resolve()
    )


@pytest.mark.parametrize("value", ["veel", "-1", "0"])
def test_bad_numbers_give_a_dutch_error(value: str) -> None:
    with pytest.raises(InvalidInput, match="KENNISBANK_MAX_FILE_MB"):
        load_settings(env={"KENNISBANK_MAX_FILE_MB": value})


@pytest.mark.parametrize("value", ["5 per minute", "30/hour", "5 per minute;100 per 2 hours"])
def test_vraagbaak_limit_accepts_flask_limiter_notation(value: str) -> None:
    assert load_settings(env={"KENNISBANK_VRAAGBAAK_LIMIT": value}).vraagbaak_limit == value


@pytest.mark.parametrize("value", ["veel", "5", "5 per fortnight", "5 per minute;;"])
def test_vraagbaak_limit_refuses_anything_else_in_dutch(value: str) -> None:
    with pytest.raises(InvalidInput, match="KENNISBANK_VRAAGBAAK_LIMIT moet een limiet zijn"):
        load_settings(env={"KENNISBANK_VRAAGBAAK_LIMIT": value})


def test_server_limits_are_settings() -> None:
    settings = load_settings(
        env={
            "KENNISBANK_THREADS": "4",
            "KENNISBANK_CONNECTION_LIMIT": "200",
            "KENNISBANK_CHANNEL_TIMEOUT": "10",
        }
    )
    assert (settings.threads, settings.connection_limit, settings.channel_timeout) == (4, 200, 10)
    defaults = load_settings(env={})
    assert (defaults.threads, defaults.connection_limit, defaults.channel_timeout) == (8, 1000, 30)
    with pytest.raises(InvalidInput, match="KENNISBANK_THREADS"):
        load_settings(env={"KENNISBANK_THREADS": "veel"})
