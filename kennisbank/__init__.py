"""Kennisbank Wijkenaanpak: core library (model, refs, store)."""

__version__ = "0.1.0"
