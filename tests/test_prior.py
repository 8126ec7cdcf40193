"""The document prior: documents about the wijkenaanpak's own entities rank first among
equally good matches (``kennisbank.search.prior``)."""

from __future__ import annotations

import numpy as np
import pytest

from kennisbank.search.facets import bits_from
from kennisbank.search.prior import (
    DOMAIN_FIELDS,
    DOMAIN_WEIGHT,
    apply_prior,
    document_priors,
    domain_bits,
)


def test_domain_bits_unite_the_domain_fields_only() -> None:
    value_bits = {
        "wijk": {"wijk/utrecht-kanaleneiland": bits_from([0, 1], 8)},
        "thema": {"thema/wonen": bits_from([5], 8)},
        "gemeente": {"gemeente/utrecht": bits_from([2, 3, 4], 8)},
    }
    assert "gemeente" not in DOMAIN_FIELDS
    assert domain_bits(value_bits) == bits_from([0, 1, 5], 8)


def test_document_prior_is_the_domain_share_of_the_document() -> None:
    # docnums 0-3: the report (3 of 4 passages name a wijk); 4-7: a law (none).
    ids = ["rapport"] * 4 + ["wet"] * 4
    priors = document_priors(ids, bits_from([0, 1, 3], 8), weight=2.0)
    assert priors.tolist() == pytest.approx([2.5] * 4 + [1.0] * 4)


def test_a_domain_document_overtakes_an_equal_match_but_not_a_far_better_one() -> None:
    ids = ["wet", "rapport", "wet"]
    priors = document_priors(ids, bits_from([1], 3), weight=DOMAIN_WEIGHT)
    ranked = [(10.0, 0), (8.0, 1), (3.0, 2)]
    assert [d for _, d in apply_prior(ranked, priors, 10)] == [1, 0, 2]
    far_better = [(40.0, 0), (8.0, 1)]
    assert [d for _, d in apply_prior(far_better, priors, 10)] == [0, 1]


def test_no_prior_without_passages() -> None:
    assert len(document_priors([], 0)) == 0
    assert apply_prior([(1.0, 0)], np.ones(0), 10) == [(1.0, 0)]


def test_hits_beyond_the_window_keep_their_order() -> None:
    priors = document_priors(["wet", "wet", "rapport"], bits_from([2], 3), weight=2.0)
    ranked = [(5.0, 0), (4.0, 1), (3.0, 2)]
    assert [d for _, d in apply_prior(ranked, priors, 2)] == [0, 1, 2]
    assert [d for _, d in apply_prior(ranked, priors, 3)] == [2, 0, 1]


def test_fragment_factors() -> None:
    from kennisbank.search.prior import FRAGMENT_TOKENS, fragment_factors

    factors = fragment_factors(np.array([5.0, FRAGMENT_TOKENS, 80.0]))
    assert factors.tolist() == pytest.approx([5.0 / FRAGMENT_TOKENS, 1.0, 1.0])
    assert fragment_factors(np.array([5.0]), 0).tolist() == [1.0]


PROSE = (
    "Het participatiebudget bundelt de middelen voor inburgering, volwasseneneducatie en "
    "re-integratie, zodat gemeenten bewoners van de wijk die weinig kansen hebben een "
    "samenhangend aanbod kunnen doen: taalles, een opleiding of begeleiding naar werk, "
    "afgestemd op wat iemand nodig heeft en dicht bij huis georganiseerd."
)


def test_a_fragment_no_longer_outranks_prose(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A one-line amendment wins on BM25's length normalisation alone; the fragment
    factor lets the passage that explains the participatiebudget rank first."""
    from indexer.pipeline import run_index
    from kennisbank.config import load_settings
    from kennisbank.search import LiveSearch, prior
    from tests.conftest import make_corpus

    corpus = make_corpus(
        tmp_path,
        {
            "wijziging.md": "# Wijziging\n\nWijzigt de Wet participatiebudget.\n",
            "toelichting.md": "# Toelichting\n\n" + PROSE + "\n",
        },
    )
    settings = load_settings(corpus_dir=corpus, data_dir=tmp_path / "data", env={})
    monkeypatch.setattr(prior, "DOMAIN_WEIGHT", 0.0)  # the fragment factor alone
    assert run_index(settings).exit_code == 0

    def first_hit() -> str:
        engine = LiveSearch(settings.data_dir).engine()
        hits = engine.search("participatiebudget", facets=False).hits
        return hits[0].text

    assert first_hit().startswith("Het participatiebudget")
    monkeypatch.setattr(prior, "FRAGMENT_TOKENS", 0.0)  # without the mechanism
    assert first_hit().startswith("Wijzigt de Wet")
