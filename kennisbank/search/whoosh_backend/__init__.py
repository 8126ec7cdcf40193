"""The Whoosh backend of the search: the only package of the product that imports Whoosh.

Reading (what a search process loads):

* :mod:`.analysis` — the Dutch analyzer (Whoosh filters over
  :mod:`kennisbank.search.language`); :mod:`.schema` — the schema and analyzer tokens;
* :mod:`.compiler` — our query AST to a Whoosh query;
* :mod:`.termscore` — BM25F on whole posting lists (numpy); :mod:`.matching` — scored
  items, hit bitsets, exact top-k;
* :mod:`.reader` — opening an index and running a query on it (memory-mapped files);
* :mod:`.blocks` — the posting-block layout, read here and written by the codec.

Writing (loaded by :mod:`kennisbank.search.indexing` only): :mod:`.build` (full build),
:mod:`.update` (incremental update), :mod:`.writer` (a faster ``SegmentWriter``),
:mod:`.codec` (postings written a term at a time).

Whoosh is pinned to one version (``pyproject.toml``): the backend relies on private
Whoosh names, all listed in :mod:`.private` and checked by
``tests/test_whoosh_private.py``.
"""
