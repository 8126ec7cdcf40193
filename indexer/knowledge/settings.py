"""The thresholds of entity recognition, without spaCy (the pipeline loads only when it runs)."""

from __future__ import annotations

from dataclasses import dataclass

from kennisbank.config import Settings

__all__ = ["RecognitionSettings", "recognition_settings"]


@dataclass(frozen=True)
class RecognitionSettings:
    """Thresholds of entity recognition.

    * ``fuzzy_threshold`` (default 90): minimum rapidfuzz ``ratio`` (0–100, on
      :func:`~kennisbank.registry.normalise`-d text) for a capitalised name that
      matches no registry name exactly to be taken as a misspelling of one
      (``Richard Krajcek Foundation``).  Fuzzy candidates must also have the same
      first letter and number of words as the registry name, and neither may be a
      prefix of the other (``Rotterdamwet`` is not ``Rotterdam``).
    * ``min_fuzzy_length`` (default 6): shorter names (after normalising) are only
      matched exactly; short names and acronyms are too easily confused.
    * ``use_statistical_model`` (default ``None``, off): the name of an installed
      spaCy pipeline package, or the path of a saved pipeline, whose ``PER``/``ORG``
      entities become ``persoon``/``organisatie`` candidates (method ``model``) and
      whose ``LOC``/``GPE`` entities count when they name a registry place.  When
      the model is not available, recognition runs without it.
    * ``thema_min_words`` (default 3): how many different indicative words of a
      thema's vocabulary a passage must contain to be about that thema (rule
      ``vocabulary``); a small vocabulary asks for one word per ``thema_min_words``
      entries, at least one (see :mod:`indexer.knowledge.themes`).
    * ``batch_size`` (default 64): passages per ``nlp.pipe`` batch.
    """

    fuzzy_threshold: float = 90.0
    min_fuzzy_length: int = 6
    use_statistical_model: str | None = None
    thema_min_words: int = 3
    batch_size: int = 64

    def __post_init__(self) -> None:
        if not 0 < self.fuzzy_threshold <= 100:
            raise ValueError("fuzzy_threshold moet tussen 0 en 100 liggen.")
        if self.min_fuzzy_length < 1 or self.thema_min_words < 1 or self.batch_size < 1:
            raise ValueError("min_fuzzy_length, thema_min_words en batch_size moeten ≥ 1 zijn.")


def recognition_settings(settings: Settings | None) -> RecognitionSettings:
    """The entity-recognition thresholds of ``settings`` (defaults when None)."""
    if settings is None:
        return RecognitionSettings()
    return RecognitionSettings(
        fuzzy_threshold=float(settings.fuzzy_threshold),
        min_fuzzy_length=settings.min_fuzzy_length,
        thema_min_words=settings.thema_min_words,
        use_statistical_model=settings.spacy_model,
    )
