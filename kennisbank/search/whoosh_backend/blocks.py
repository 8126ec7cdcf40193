"""The posting-block layout of Whoosh's 3 format: written by the build, read by the search.

A term's postings in a segment's posting file are the header magic, then blocks of up
to ``blocklimit`` (128) postings.  One block is::

    pack_int(length)           # negative for the term's last block
    pickle(info, 2)            # (count, last id, max weight, compression,
                               #  min length byte, max length byte)
    pickle(data, 2)            # (id deltas, weights, values), zlib-compressed
                               # when ``compression`` is not 0

``weights`` is ``None`` when every weight is 1.0, one float when all are equal, else one
float32 per posting.  Whoosh's ``W3LeafMatcher`` reads this layout.  The build writes it
with :func:`encode_block` (from :mod:`.codec`), and the array scoring reads whole posting
lists with :func:`read_postings` (from :mod:`.termscore`), so the layout is spelled out
here once; ``tests/test_whooshfast.py`` holds the blocks equal to Whoosh's own.
"""

from __future__ import annotations

import zlib
from array import array
from collections.abc import Sequence
from pickle import dumps, loads
from typing import Any

import numpy as np
from whoosh.system import pack_int
from whoosh.util.numeric import length_to_byte
from whoosh.util.numlists import delta_encode

#: A posting block whose pickle is shorter than this is written uncompressed (a block
#: records whether it is compressed, and readers decompress only those that are).
#: Whoosh's writer means to skip compressing pickles under 20 bytes but compresses
#: every block.  Most blocks hold the one or two postings of a rare term: on the
#: 100,000-passage benchmark corpus zlib made pickles under 32 bytes (60 % of all
#: blocks) 6 bytes longer and those of 80-95 bytes no shorter; compressing them
#: cost a tenth of a build.
COMPRESS_MIN_BYTES = 96

#: Document numbers and weights of a posting list (int64, float64).
Postings = tuple[np.ndarray, np.ndarray]

_EMPTY: Postings = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))


# ---------------------------------------------------------------- writing
def mini_weights(weights: array[float]) -> Any:
    """A block's weights as stored: ``None`` (all 1.0), one float for all, or a tuple."""
    if all(w == 1.0 for w in weights):
        return None
    if all(w == weights[0] for w in weights):
        return weights[0]
    return tuple(weights)


def block_data(ids: Sequence[int], weights: array[float], values: Any) -> tuple[Any, Any, Any]:
    """The data tuple of one block: id deltas, stored weights, values."""
    return (tuple(delta_encode(ids)), mini_weights(weights), values)


def encode_block(
    data: tuple[Any, Any, Any],
    stats: tuple[int, int, float, int | None, int],
    *,
    compression: int,
    last: bool,
) -> bytes:
    """The bytes of one block: ``stats`` is ``(count, last id, max weight, min length,
    max length)``; the data pickle is compressed with level ``compression`` when it has at
    least :data:`COMPRESS_MIN_BYTES` (``0``: never)."""
    count, last_id, maxweight, minlength, maxlength = stats
    databytes = dumps(data, 2)
    comp = compression if len(databytes) >= COMPRESS_MIN_BYTES else 0
    if comp:
        databytes = zlib.compress(databytes, comp)
    lengths = length_to_byte(minlength), length_to_byte(maxlength)
    infobytes = dumps((count, last_id, maxweight, comp, *lengths), 2)
    blocklength = len(infobytes) + len(databytes)
    return pack_int(-blocklength if last else blocklength) + infobytes + databytes


# ---------------------------------------------------------------- reading
def read_postings(matcher: Any) -> Postings:
    """Ids and weights of the rest of a ``W3LeafMatcher``'s posting list, a block at a
    time (the block's data tuple as the matcher reads it); the matcher is used up."""
    ids: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    postfile = matcher._postfile
    while matcher.is_active():
        raw = postfile.get(matcher._dataoffset, matcher._nextoffset - matcher._dataoffset)
        data = loads(zlib.decompress(raw) if matcher._compression else raw)
        block_ids = np.array(data[0], dtype=np.int64)
        ids.append(block_ids if matcher._byteids else np.cumsum(block_ids))
        weights.append(block_weights(data[1], matcher._blocklength))
        matcher._next_block()
    if not ids:
        return _EMPTY
    return np.concatenate(ids), np.concatenate(weights)


def block_weights(weights: Any, count: int) -> np.ndarray:
    """A block's stored weights (see :func:`mini_weights`) as ``count`` float64 values."""
    if weights is None:
        return np.ones(count, dtype=np.float64)
    if isinstance(weights, float):  # the matcher makes an array("f") of it
        return np.full(count, np.float32(weights), dtype=np.float64)
    return np.array(weights, dtype=np.float64)


__all__ = [
    "COMPRESS_MIN_BYTES",
    "Postings",
    "block_data",
    "block_weights",
    "encode_block",
    "mini_weights",
    "read_postings",
]
