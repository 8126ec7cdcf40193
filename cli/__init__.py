"""The ``kennisbank`` command line: the composition root of the product.

The only product package that imports ``kennisbank``, ``indexer`` and ``web`` together.
Each command parses its options, calls one library function and prints the result;
a :class:`~kennisbank.errors.KennisbankError` becomes a Dutch message and an exit code,
never a traceback.  :mod:`cli.main` holds the command group and the entry point.
"""
