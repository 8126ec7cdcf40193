"""``python -m indexer`` runs the ``kennisbank`` command line."""

from indexer.cli import main

main()
