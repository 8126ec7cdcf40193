"""Reproducible search benchmarks (figures, not timed tests).

Run ``python -m benchmarks.search_bench --help``; the method and the latest figures are
in ``BENCHMARKS.md``.  Modules:

* :mod:`benchmarks.stats` — percentiles and "median (min–max)" over runs;
* :mod:`benchmarks.queries` — the dev queries and seeded generated queries;
* :mod:`benchmarks.scale` — scale corpora of real Dutch text written into a ``Store``;
* :mod:`benchmarks.build` — index builds in a subprocess (per-build peak RSS);
* :mod:`benchmarks.profiling` — where the search time goes (variants and cProfile);
* :mod:`benchmarks.search_bench` — the command line and the Markdown report.
"""
