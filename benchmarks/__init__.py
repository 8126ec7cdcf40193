"""Reproducible benchmarks (figures, not timed tests).

Run ``kennisbank bench --help`` (the whole suite, :mod:`benchmarks.suite`); the method and
the latest figures are in ``BENCHMARKS.md``.  Modules:

* :mod:`benchmarks.stats` — percentiles and "median (min–max)" over runs;
* :mod:`benchmarks.queries` — the dev queries and seeded generated queries;
* :mod:`benchmarks.scale` — scale corpora of real Dutch text written into a ``Store``;
* :mod:`benchmarks.build` — index builds in a subprocess (per-build peak RSS);
* :mod:`benchmarks.figures` — build figures over runs, with the FTS5 baseline;
* :mod:`benchmarks.results` — the dataclasses of a run;
* :mod:`benchmarks.latency` — in-process latency next to FTS5, and the facet-count cost;
* :mod:`benchmarks.profiling` — where the search time goes (variants and cProfile);
* :mod:`benchmarks.report` — targets and the Markdown report of the search benchmark;
* :mod:`benchmarks.search_bench` — build + latency per corpus (also ``python -m``);
* :mod:`benchmarks.incremental` — re-indexing with one file changed;
* :mod:`benchmarks.http_latency` — latency over HTTP and the server's peak RSS;
* :mod:`benchmarks.growth` — the cost-growth table and the SVG chart;
* :mod:`benchmarks.suite` — everything together, behind ``kennisbank bench``;
* :mod:`benchmarks.load` — concurrent load against a running server.
"""
