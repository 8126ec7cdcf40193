"""lxml helpers the XML parsers and the SRU client share.

Element navigation (:func:`local_name`, :func:`children`, :func:`first`), the running
text of an element (:func:`inline_text`, :func:`plain`) and OWMS metadata blocks
(:func:`metadata_from_owms`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lxml import etree

from indexer.parsers.blocks import INLINE_MARK, clean_text
from indexer.parsers.common import metadata_from_meta

__all__ = [
    "INLINE_TAGS",
    "MAX_DEPTH",
    "SKIP_TAGS",
    "Hook",
    "children",
    "first",
    "inline_text",
    "local_name",
    "metadata_from_owms",
    "plain",
]

#: Elements whose subtree is never document text (metadata, illustrations …).
SKIP_TAGS = frozenset(
    "metadata meta meta-data plaatje illustratie colspec jcis jci brondata bwb-inputbestand "
    "bwb-wijzigingen redactionele-correcties cvdripm owmskern owmsmantel tpmeta "
    "kamerstukkop".split()
)
INLINE_TAGS = frozenset(
    "nadruk extref intref sup inf cursief vet onderstreept nootref afkorting term br".split()
)
#: Deeper than this, an element's text is taken as a whole.
MAX_DEPTH = 200


def local_name(tag: object) -> str:
    """``{namespace}name`` → ``name``; non-element nodes give ``""``."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


_OWMS = {"owmskern": "dcterms.", "owmsmantel": "dcterms.", "oep": "overheidop."}
_OWMS |= {"tpmeta": "overheidop.", "cvdripm": "overheidrg."}


def metadata_from_owms(root: etree._Element) -> dict[str, Any]:
    """Metadata from OWMS element blocks (``owmskern``, ``owmsmantel``, ``oep``, ``tpmeta``)."""
    pairs = []
    for section in root.iter():
        default = _OWMS.get(local_name(section.tag))
        if default is None:
            continue
        for el in section.iter():
            local = local_name(el.tag)
            if el is section or not local or len(el):
                continue
            key = (
                f"{el.prefix}:{local}" if el.prefix else local if "." in local else default + local
            )
            pairs.append((key, el.get("scheme", ""), el.text or ""))
    return metadata_from_meta(pairs) if pairs else {}


def children(el: etree._Element) -> list[etree._Element]:
    """The element children of ``el`` (comments and processing instructions left out)."""
    return [c for c in el if isinstance(c.tag, str)]


def first(el: etree._Element, *tags: str) -> etree._Element | None:
    """The first descendant of ``el`` whose local name is one of ``tags``."""
    return next((n for n in el.iterdescendants() if local_name(n.tag) in tags), None)


#: ``hook(child, tag)`` returns a replacement for the child's text, or None.
Hook = Callable[[etree._Element, str], "str | None"]


def inline_text(el: etree._Element, hook: Hook | None = None, depth: int = 0) -> str:
    """Running text of ``el``; ``hook(child, tag)`` may replace a child's text."""
    if depth > MAX_DEPTH:
        return INLINE_MARK.join(el.itertext())
    parts = [el.text or ""]
    for child in el:
        tag = local_name(child.tag)
        special = hook(child, tag) if hook and tag else None
        if special is not None:
            parts.append(special)
        elif tag and tag not in SKIP_TAGS:
            sep = "" if tag in INLINE_TAGS else INLINE_MARK
            parts.append(sep + inline_text(child, hook, depth + 1) + sep)
        parts.append(child.tail or "")
    return "".join(parts)


def plain(el: etree._Element | None) -> str:
    """The cleaned text of ``el`` without metadata/illustration subtrees."""
    return "" if el is None else clean_text(inline_text(el))
