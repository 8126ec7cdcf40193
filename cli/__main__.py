"""``python -m cli`` runs the ``kennisbank`` command line."""

from cli.main import main

main()
