"""Acquisition: putting documents where :mod:`indexer.sources` finds them.

The SRU harvester of officielebekendmakingen.nl (:mod:`.sru`, :mod:`.harvest`), the
official-publication metadata next to a file (:mod:`.official`) and the JSONL importer
(:mod:`.importjsonl`).
"""
