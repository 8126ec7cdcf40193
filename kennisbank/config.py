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
``KENNISBANK_TRUSTED_HOSTS``   host names (optional ``:port``) a request's  ``127.0.0.1``,
                               ``Host`` header may name, comma-separated    ``localhost`` and
                                                                            the serve host
``KENNISBANK_THREADS``         worker threads of ``kennisbank serve``       ``8``
``KENNISBANK_CONNECTION_LIMIT`` open connections before new ones wait       ``1000``
``KENNISBANK_CHANNEL_TIMEOUT`` seconds an idle connection is kept open      ``30``
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
    #: Host names (``name`` or ``name:port``) a request's ``Host`` header may name;
    #: None: ``127.0.0.1``, ``localhost`` and :attr:`host` (see :attr:`allowed_hosts`).
    trusted_hosts: tuple[str, ...] | None = None
    #: Worker threads of ``kennisbank serve`` (requests handled at once).
    threads: int = 8
    #: Open connections ``kennisbank serve`` keeps before new ones wait in the backlog.
    connection_limit: int = 1000
    #: Seconds an idle connection is kept open.
    channel_timeout: int = 30

    @property
    def allowed_hosts(self) -> tuple[str, ...]:
        """The trusted hosts: the setting, else ``127.0.0.1``, ``localhost`` and ``host``."""
        if self.trusted_hosts:
            return self.trusted_hosts
        hosts = ["127.0.0.1", "localhost"]
        if self.host and self.host.lower() not in hosts:
            hosts.append(self.host.lower())
        return tuple(hosts)

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


#: One host name: DNS labels of 1-63 letters, digits and hyphens (not at either end).
_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_HOSTNAME = re.compile(rf"{_LABEL}(?:\.{_LABEL})*\.?")
_IPV6 = re.compile(r"[0-9a-f.]*:[0-9a-f:.]+")


def split_host(value: str) -> tuple[str, int | None] | None:
    """``host[:port]`` (a name, IPv4 or ``[IPv6]``) as (lower-case host, port); None if invalid.

    IPv6 hosts come back without brackets.  Used for ``KENNISBANK_TRUSTED_HOSTS`` and for
    a request's ``Host`` header (:mod:`web.errors`).
    """
    value = value.strip().lower()
    if not value or len(value) > 260 or not value.isascii():
        return None
    port: int | None = None
    if value.startswith("["):
        host, sep, rest = value[1:].partition("]")
        if not sep or not _IPV6.fullmatch(host) or (rest and not rest.startswith(":")):
            return None
        if rest:
            if not rest[1:].isdigit() or len(rest) > 6:
                return None
            port = int(rest[1:])
    elif value.count(":") > 1:  # a bare IPv6 address (only in the setting)
        if not _IPV6.fullmatch(value):
            return None
        host = value
    else:
        host, sep, raw_port = value.partition(":")
        if sep:
            if not raw_port.isdigit() or len(raw_port) > 5:
                return None
            port = int(raw_port)
        if len(host) > 253 or not _HOSTNAME.fullmatch(host):
            return None
    if port is not None and not 1 <= port <= 65535:
        return None
    return host.rstrip("."), port


def _hosts_env(env: Mapping[str, str], name: str) -> tuple[str, ...] | None:
    raw = (env.get(name) or "").strip()
    if not raw:
        return None
    hosts = tuple(part.strip().lower() for part in raw.split(",") if part.strip())
    bad = [host for host in hosts if split_host(host) is None]
    if bad or not hosts:
        raise InvalidInput(
            f"{name} moet een lijst hostnamen zijn, gescheiden door komma's, elk eventueel "
            f"met een poort (zoals 'kennisbank.example.nl,localhost:8000'), niet "
            f"'{(bad[0] if bad else raw)[:80]}'."
        )
    return hosts


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
        trusted_hosts=_hosts_env(env, "KENNISBANK_TRUSTED_HOSTS"),
        threads=_int_env(env, "KENNISBANK_THREADS", Settings.threads),
        connection_limit=_int_env(env, "KENNISBANK_CONNECTION_LIMIT", Settings.connection_limit),
        channel_timeout=_int_env(env, "KENNISBANK_CHANNEL_TIMEOUT", Settings.channel_timeout),
    )
