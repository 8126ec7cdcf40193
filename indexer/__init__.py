"""Indexer: corpus files into a published index generation.

``sources`` (read, detect, dispatch) → ``parsers/`` → ``segment`` → ``knowledge/`` (the spaCy
stage) → the search index; ``pipeline`` orders the steps, ``acquisition/`` fetches documents.
"""
