"""The spaCy knowledge stage: entity mentions, links, commitments, harvested entities.

:func:`indexer.knowledge.update.update_knowledge` runs it over a store; whether it must run
is decided in :mod:`indexer.knowledge.fingerprint`, which hashes every module of this folder.
spaCy is only imported when passages are actually extracted (:mod:`.extract`, :mod:`.nlp`).
"""
