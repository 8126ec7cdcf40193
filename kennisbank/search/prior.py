"""A document prior: how much of a document is about the wijkenaanpak itself.

The kennisbank is about the wijkenaanpak; a real deployment also indexes laws, policy
rules and municipal plans, whose ordinary words ("school", "minister", "geld") match
everyday questions as well as the reports do.  Measured with such distractors (an eighth
of the laws and municipal plans of ``../shared/data``: 51,120 passages), laws about
universities and lesgeld outranked the reports for questions about wijken.

The prior is principled, not a hand list: a document's *domain density* is the share of
its passages that mention an entity of the wijkenaanpak's own registry: a wijk, an
experiment, an alliance partner or a thema (recognised by the knowledge stage, stored
as facet values of each passage).  The progress reports have a density of about 0.5; the
median law or plan about 0.015.  A passage's score is multiplied by
``1 + DOMAIN_WEIGHT * density`` of its document, in the rerank window only (the top
hits by BM25F), so the prior reorders good matches and never makes a poor match win by
itself; a query for a Kamerstuk (constant scores) is not reweighted.  Gemeenten are left
out on purpose: every municipal plan names its gemeente.  Measured with the 416,293
passages of ``kennisbank eval --distractors`` (fragments on, rerank window 1,000; weight
0 / 1 / 2 / 3 / 4): dev-questions MRR@10 0.360 / 0.427 / 0.515 / 0.534 / 0.540,
dev-queries 0.768 / 0.789 / 0.803 / 0.821 / 0.854; on the bundled corpus dev-questions
0.594 (2) / 0.602 (3, 4) and dev-queries 1.000 throughout.  3 is kept: the gain flattens
above it, and a stronger prior starts to decide between matches of very different quality
(at 3 a report passage needs a third of a law passage's BM25F score to pass it).

The same window also discounts *fragments*: with distractors, one-line passages won on
length normalisation alone ("Wijzigt de Handelsregisterwet 2007.", citation footnotes,
plan headers).  A passage of fewer than :data:`FRAGMENT_TOKENS` indexed words is
multiplied by ``length / FRAGMENT_TOKENS`` (measured on both dev sets, bundled and with
distractors: 15–20 tokens help, 30 starts to hurt short relevant passages; the linear
factor is as good as a square root on the dev sets and, unlike it, also puts a
four-word amendment below a paragraph that explains the same term).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

#: The facet fields whose values are the wijkenaanpak's own entities.
DOMAIN_FIELDS: tuple[str, ...] = ("wijk", "experiment", "partner", "thema")
#: Passages with fewer indexed words than this count as fragments (see
#: :func:`fragment_factors`).
FRAGMENT_TOKENS = 20.0
#: How much a fully domain-dense document gains (×4 at density 1, ×2.5 at 0.5).
DOMAIN_WEIGHT = 3.0


def domain_bits(value_bits: Mapping[str, Mapping[str, int]]) -> int:
    """The passages (bitset by docnum) that mention an entity of :data:`DOMAIN_FIELDS`."""
    bits = 0
    for name in DOMAIN_FIELDS:
        for value_set in value_bits.get(name, {}).values():
            bits |= value_set
    return bits


def document_priors(
    document_ids: Sequence[str], domain: int, weight: float | None = None
) -> np.ndarray:
    """Per docnum: ``1 + weight * (share of its document's passages in ``domain``)``.

    ``document_ids[d]`` is the document of docnum ``d``; ``domain`` a bitset by docnum;
    ``weight`` defaults to :data:`DOMAIN_WEIGHT`.
    """
    weight = DOMAIN_WEIGHT if weight is None else weight
    size = len(document_ids)
    if size == 0:
        return np.ones(0)
    _, doc_index = np.unique(np.asarray(document_ids, dtype=object), return_inverse=True)
    in_domain = np.unpackbits(
        np.frombuffer(domain.to_bytes((size + 7) // 8, "little"), dtype=np.uint8),
        bitorder="little",
    )[:size].astype(np.float64)
    totals = np.bincount(doc_index)
    density = np.bincount(doc_index, weights=in_domain) / np.maximum(totals, 1)
    return 1.0 + weight * density[doc_index]


def fragment_factors(lengths: np.ndarray, tokens: float | None = None) -> np.ndarray:
    """Per docnum: ``min(1, length / tokens)``, so a passage shorter than
    ``tokens`` indexed words (a heading alone, a citation footnote, a one-line amendment, a
    plan header) no longer outranks prose by its length alone; ``tokens`` defaults to
    :data:`FRAGMENT_TOKENS`; ``0``: all 1."""
    tokens = FRAGMENT_TOKENS if tokens is None else tokens
    if tokens <= 0:
        return np.ones(len(lengths))
    return np.minimum(1.0, np.maximum(lengths, 1.0) / tokens)


def apply_prior(
    ranked: list[tuple[float, int]], priors: np.ndarray, window: int
) -> list[tuple[float, int]]:
    """``ranked`` (score, docnum) with the scores of the first ``window`` hits multiplied
    by their document prior and sorted again (best first; docnum breaks ties as everywhere
    in the engine); hits beyond the window keep the engine's order, like the coverage
    rerank's."""
    if len(priors) == 0 or not ranked:
        return ranked
    head = [(s * float(priors[d]), d) for s, d in ranked[:window]]
    head.sort(key=lambda item: (-item[0], item[1]))
    return head + ranked[window:]
