"""Parsers: one module per format, each returning a ParsedDocument."""
