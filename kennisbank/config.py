"""Settings, layered: defaults → ``KENNISBANK_*`` environment variables → explicit arguments.

Nothing is read at import time: call :func:`load_settings` where settings are needed.

=============================  ===========================================  ==================
environment variable           meaning                                      default
=============================  ===========================================  ==================
``KENNISBANK_CORPUS``          folder with the documents                    ``corpus/`` of the
                                                                            checkout
``KENNISBANK_DATA_DIR``        where the index lives                        ``data/`` next to
                                                                            the corpus
``KENNISBANK_MAX_FILE_MB``     files larger than this are skipped           ``50``
``KENNISBANK_HOST``            address ``kennisbank serve`` listens on      ``127.0.0.1``
``KENNISBANK_PORT``            port ``kennisbank serve`` listens on         ``8000``
``KENNISBANK_FUZZY_THRESHOLD`` rapidfuzz score (0-100) for a misspelt name  ``90``
``KENNISBANK_MIN_FUZZY_LENGTH`` shorter names are matched exactly only      ``6``
``KENNISBANK_THEMA_MIN_WORDS`` indicative words that make a passage's thema ``3``
``KENNISBANK_SPACY_MODEL``     optional installed spaCy model for extra     (off)
                               persoon/organisatie candidates
``KENNISBANK_SECRET_KEY``      the web app's secret key (sessions, CSRF)    generated once in
                                                                            ``DATA_DIR/secret_key``
``KENNISBANK_VRAAGBAAK_LIMIT`` questions one client address may submit      ``5 per minute;30
                               (Flask-Limiter notation, ``;`` between       per hour``
                               limits)
=============================  ===========================================  ==================
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from kennisbank import generations
from kennisbank.errors import InvalidInput

#: The checkout's root folder (the parent of the ``kennisbank`` package).
PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: Name of the SQLite file inside a generation (see :mod:`kennisbank.generations`).
DB_FILENAME = generations.DB_FILENAME


@dataclass(frozen=True)
class Settings:
    """Resolved settings for one command or app instance."""

    corpus_dir: Path
    data_dir: Path
    max_file_bytes: int = 50 * 1024 * 1024
    host: str = "127.0.0.1"
    port: int = 8000
    fuzzy_threshold: int = 90
    min_fuzzy_length: int = 6
    thema_min_words: int = 3
    spacy_model: str | None = None
    #: The web app's secret key; None: generated once in ``data_dir/secret_key``.
    secret_key: str | None = field(default=None, repr=False)
    #: How many questions one client address may submit to the Vraagbaak.
    vraagbaak_limit: str = "5 per minute;30 per hour"

    @property
    def db_path(self) -> Path:
        """The SQLite store of the live generation, resolved anew on every access.

        ``data_dir/CURRENT`` names the live generation (``data_dir/gen-…/kennisbank.sqlite``),
        so a reader that asks per request follows a newly published index without a
        restart.  Without a live generation this is ``data_dir/kennisbank.sqlite``, the
        old layout's file (normally absent, so readers report that there is no index).
        """
        live = generations.current_dir(self.data_dir)
        return generations.db_file(live) if live else self.data_dir / DB_FILENAME

    @property
    def live_generation(self) -> Path | None:
        """The live generation folder of ``data_dir`` (None when there is none)."""
        return generations.current_dir(self.data_dir)

    def with_overrides(self, **changes: object) -> Settings:
        """A copy with some fields replaced (``None`` values are ignored)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def _int_env(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise InvalidInput(f"{name} moet een geheel getal zijn, niet '{raw}'.") from exc
    if value <= 0:
        raise InvalidInput(f"{name} moet groter dan 0 zijn, niet '{raw}'.")
    return value


#: One rate limit: "5 per minute", "30/hour", "100 per 2 hours".
_RATE = re.compile(
    r"\s*\d{1,6}\s*(?:per|/)\s*(?:\d{1,4}\s*)?(?:second|minute|hour|day)s?\s*", re.IGNORECASE
)


def _rate_env(env: Mapping[str, str], name: str, default: str) -> str:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    if not all(_RATE.fullmatch(part) for part in raw.split(";")):
        raise InvalidInput(
            f"{name} moet een limiet zijn als '5 per minute' of '5 per minute;30 per hour', "
            f"niet '{raw[:80]}'."
        )
    return raw


def load_settings(
    *,
    corpus_dir: str | Path | None = None,
    data_dir: str | Path | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve settings from explicit arguments, then the environment, then defaults."""
    env = os.environ if env is None else env
    corpus = Path(corpus_dir or env.get("KENNISBANK_CORPUS") or PROJECT_ROOT / "corpus")
    data = Path(data_dir or env.get("KENNISBANK_DATA_DIR") or corpus.resolve().parent / "data")
    return Settings(
        corpus_dir=corpus,
        data_dir=data,
        max_file_bytes=_int_env(env, "KENNISBANK_MAX_FILE_MB", 50) * 1024 * 1024,
        host=env.get("KENNISBANK_HOST") or "127.0.0.1",
        port=_int_env(env, "KENNISBANK_PORT", 8000),
        fuzzy_threshold=_int_env(env, "KENNISBANK_FUZZY_THRESHOLD", 90),
        min_fuzzy_length=_int_env(env, "KENNISBANK_MIN_FUZZY_LENGTH", 6),
        thema_min_words=_int_env(env, "KENNISBANK_THEMA_MIN_WORDS", 3),
        spacy_model=env.get("KENNISBANK_SPACY_MODEL") or None,
        secret_key=env.get("KENNISBANK_SECRET_KEY") or None,
        vraagbaak_limit=_rate_env(env, "KENNISBANK_VRAAGBAAK_LIMIT", Settings.vraagbaak_limit),
    )
