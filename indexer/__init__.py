"""Indexer: sources, parsers, segmentation, pipeline and CLI."""
