"""Line-level repair of PDF-extracted plain text.

Helpers shared by :mod:`indexer.parsers.text`: inline clean-up (italic markers,
stray tags, invisible characters), detection of sentence ends, joining
hard-wrapped lines with vocabulary-based de-hyphenation, removal of page
artefacts (lone page numbers, running headers/footers) and the corpus
vocabulary itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: Letters, including the accented ones Dutch uses (``\w`` would also match
#: superscript digits, which are footnote markers here).
LETTERS = "A-Za-zÀ-ÖØ-öø-ɏ"
SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_TO_SUP = str.maketrans("0123456789", SUPERSCRIPT_DIGITS)
_FROM_SUP = str.maketrans(SUPERSCRIPT_DIGITS, "0123456789")

_WORD_RE = re.compile(rf"[{LETTERS}]+(?:[-‐‑][{LETTERS}]+)*")
_EOL_HYPHEN_RE = re.compile(rf"[{LETTERS}]+[-‐‑][ \t]*\n[ \t]*[{LETTERS}]+")
_ITALIC_RE = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]*?[^\s*])\*(?![*A-Za-z0-9])")
_TAG_RE = re.compile(r"</?(?:i|b|em|strong|u|sup|sub)>", re.IGNORECASE)
_ORDINAL_CARET_RE = re.compile(r"(?<=\d)\^(e|ste|de)\b")
_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\ufeff\u00ad]")
# Runs of two or more, or one no-break space: a single space stays as it is, which spares
# a replacement per word on long lines.
_SPACES_RE = re.compile(r"[ \u00a0\u2007\u202f]{2,}|[\u00a0\u2007\u202f]")
_PAGE_NUMBER_RE = re.compile(
    r"^\s*(?:[-–]\s*)?\d{1,3}(?:\s*[-–])?\s*$"
    r"|^\s*(?:pagina|page|blz\.?)\s*\d{1,3}(?:\s*(?:van|of|/)\s*\d{1,3})?\s*$",
    re.IGNORECASE,
)
_STRUCTURE_PREFIX_RE = re.compile(
    r"^(?:Bron|bron|Tabel|Grafiek|Figuur|Box|Bijlage|Artikel|Experiment)\b"
)

#: Dutch words after which a line cannot end a sentence (used to join lines
#: across page breaks even when the next part starts with a capital).
CONNECTORS = frozenset(
    "de het een van en in op te met voor aan om door bij naar uit over als dat die of tot "
    "zijn is wordt worden werd zal kan moet heeft hebben dan maar ook nog niet geen wel "
    "zoals waarbij waarin waarmee omdat zodat tussen onder tegen vanuit binnen via".split()
)

#: Letter pairs that Dutch separates with a hyphen in a compound ("klinkerbotsing").
_VOWEL_CLASHES = frozenset("aa ee ii oo uu ie ei eu ui oe ou au ai oi ij ae".split())


def to_superscript(digits: str) -> str:
    """``"12"`` → ``"¹²"``."""
    return digits.translate(_TO_SUP)


def from_superscript(text: str) -> str:
    """``"¹²"`` → ``"12"``."""
    return text.translate(_FROM_SUP)


def clean_inline(line: str) -> str:
    """Remove markup noise from one line: ``*italic*``, ``<i>`` tags, ``1^e``, invisibles."""
    line = _INVISIBLE_RE.sub("", line.replace("\r", ""))
    line = _TAG_RE.sub("", line)
    line = _ORDINAL_CARET_RE.sub(r"\1", line)
    if "*" in line:
        line = _ITALIC_RE.sub(r"\1", line)
    return line


def is_blank(line: str) -> bool:
    """True for empty and whitespace-only lines."""
    return not line.strip()


def collapse_spaces(text: str) -> str:
    """Collapse runs of spaces (also no-break spaces) into one space and strip."""
    return _SPACES_RE.sub(" ", text).strip()


def _strip_tail(text: str) -> str:
    return text.rstrip().rstrip(SUPERSCRIPT_DIGITS + "*").rstrip()


def ends_sentence(text: str) -> bool:
    """True if ``text`` ends like a complete sentence (``. : ; ? ! )`` or a closing quote).

    Trailing footnote markers (``¹``) and asterisks are ignored.
    """
    tail = _strip_tail(text)
    if not tail:
        return False
    return tail[-1] in ".:;?!)”’\"'»"


def ends_sentence_strict(text: str) -> bool:
    """Like :func:`ends_sentence` but a bare ``)`` or quote only counts after ``.?!``."""
    tail = _strip_tail(text)
    if tail and tail[-1] in ")”’\"'»]":
        inner = tail.rstrip(")”’\"'»]").rstrip()
        return bool(inner) and inner[-1] in ".?!"
    return bool(tail) and tail[-1] in ".:;?!"


def first_letter(text: str) -> str:
    """The first letter of ``text`` after leading punctuation, or ``""``."""
    for ch in text:
        if ch.isalpha():
            return ch
        if ch.isdigit() or ch in SUPERSCRIPT_DIGITS:
            return ""
        if ch in " ([{‘'“\"„.…-–":
            continue
        return ""
    return ""


def starts_lower(text: str) -> bool:
    """True if the text starts (after quotes/brackets) with a lower-case letter."""
    letter = first_letter(text.lstrip())
    return bool(letter) and letter.islower()


def ends_with_connector(text: str) -> bool:
    """True if the text ends in a comma, a dash or a word that cannot end a sentence."""
    tail = text.rstrip()
    if not tail:
        return False
    if tail[-1] in ",-–":
        return True
    words = tail.split()
    return bool(words) and words[-1].lower() in CONNECTORS


def _word_tokens(text: str) -> Iterable[str]:
    for match in _WORD_RE.finditer(text):
        token = match.group(0).lower().replace("‐", "-").replace("‑", "-")
        yield token
        if "-" in token:
            yield from (part for part in token.split("-") if part)


def build_vocabulary(texts: Iterable[str]) -> set[str]:
    """Lower-case words seen in ``texts`` (hyphenated compounds and their parts).

    Fragments of words broken at a line end (``verbeter-`` / ``ingen``) are
    left out, so the vocabulary only holds words that occur whole.
    """
    vocab: set[str] = set()
    for text in texts:
        if not text:
            continue
        body = _EOL_HYPHEN_RE.sub(" ", text.replace("\r", "").replace("\u00ad", ""))
        # Each distinct word once: a long text repeats its words many times.
        for word in set(_WORD_RE.findall(body)):
            vocab.update(_word_tokens(word))
    return vocab


def hyphen_prefixes(vocab: set[str]) -> set[str]:
    """Left parts of the hyphenated compounds in ``vocab`` (``leer`` for ``leer-werkplekken``)."""
    return {word.split("-", 1)[0] for word in vocab if "-" in word}


def keep_hyphen(left: str, right: str, vocab: set[str], prefixes: set[str]) -> bool:
    """Decide whether an end-of-line hyphen between ``left`` and ``right`` is real.

    ``left`` is the word fragment before the hyphen, ``right`` the one after
    the line break.  The hyphen stays when the hyphenated form is known, the
    right part is capitalised or a number, the left part is an acronym or a
    number, the left part is a known compound prefix, or joining would cause
    a vowel clash; it goes when the joined word is known or nothing decides.
    """
    if not left or not right:
        return True
    if not right[0].isalpha() or right[0].isupper():
        return True
    if not left[-1].isalpha() or left[-1].isupper():
        return True
    lower_left, lower_right = left.lower(), right.lower()
    if f"{lower_left}-{lower_right}" in vocab:
        return True
    if lower_left + lower_right in vocab:
        return False
    if lower_left in prefixes:
        return True
    return lower_left[-1] + lower_right[0] in _VOWEL_CLASHES


_LEFT_WORD_RE = re.compile(rf"([{LETTERS}0-9]*)[-‐‑]$")
_RIGHT_WORD_RE = re.compile(rf"^([{LETTERS}0-9]*)")


def join_two(left: str, right: str, vocab: set[str], prefixes: set[str]) -> str:
    """Join two consecutive lines of one paragraph, repairing end-of-line hyphens."""
    left = left.rstrip()
    right = right.strip()
    if not left:
        return right
    if not right:
        return left
    if left.endswith("\u00ad"):
        return left[:-1] + right
    last = left[-1]
    if last in "-‐‑–":
        before = left[:-1]
        if before.endswith(" ") or not before:
            words = before.split()
            conjunction = bool(words) and words[-1].lower() in {"en", "of", "tot"}
            if conjunction and starts_lower(right):
                return f"{left}{right}"
            return f"{left} {right}"
        if last == "–":
            return f"{left}{right}"
        left_word = _LEFT_WORD_RE.search(left)
        right_word = _RIGHT_WORD_RE.match(right)
        lw = left_word.group(1) if left_word else ""
        rw = right_word.group(1) if right_word else ""
        if keep_hyphen(lw, rw, vocab, prefixes):
            return f"{left}{right}"
        return f"{left[:-1]}{right}"
    return f"{left} {right}"


def join_lines(lines: Iterable[str], vocab: set[str], prefixes: set[str] | None = None) -> str:
    """Join hard-wrapped ``lines`` into one string with single spaces and repaired hyphens."""
    if prefixes is None:
        prefixes = hyphen_prefixes(vocab)
    text = ""
    for line in lines:
        text = join_two(text, line, vocab, prefixes) if text else line.strip()
    return collapse_spaces(text)


def remove_page_numbers(lines: list[str]) -> list[int]:
    """Blank out lone page numbers (a number alone between blank lines); return their indexes."""
    removed: list[int] = []
    for i, line in enumerate(lines):
        if not _PAGE_NUMBER_RE.match(line) or is_blank(line):
            continue
        before = i == 0 or is_blank(lines[i - 1]) or "\f" in lines[i - 1]
        after = i + 1 >= len(lines) or is_blank(lines[i + 1]) or "\f" in lines[i + 1]
        if before or after:
            lines[i] = ""
            removed.append(i)
    return removed


def remove_running_lines(lines: list[str], page_breaks: list[int]) -> int:
    """Blank out running headers/footers; return how many lines were removed.

    A running line is a short line that opens or closes at least three pages
    (pages end at form feeds and removed page numbers) with the same wording,
    digits ignored.  Lines elsewhere on a page, captions and table rows are
    left alone.
    """
    if not page_breaks:
        return 0
    edges: set[int] = set()
    bounds = sorted({0, len(lines), *page_breaks})
    for start, end in zip(bounds, bounds[1:], strict=False):
        filled = [i for i in range(start, end) if not is_blank(lines[i])]
        if filled:
            edges.update((filled[0], filled[-1]))
    keyed: dict[str, list[int]] = {}
    for i in sorted(edges):
        text = lines[i].strip()
        if len(text) > 80 or "\t" in text or _STRUCTURE_PREFIX_RE.match(text):
            continue
        keyed.setdefault(re.sub(r"\d+", "#", collapse_spaces(text)), []).append(i)
    removed = 0
    for places in keyed.values():
        if len(places) >= 3:
            for i in places:
                lines[i] = ""
            removed += len(places)
    return removed
