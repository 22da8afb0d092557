"""What a paragraph cites: the resolutions and documents it names, directly or
through its footnotes.

A paragraph cites in its text (`62/152`, `A/HRC/36/31`, `217 A (III)`) and through
its footnote markers: a superscript `¹`, or a plain digit ("Verklaring, 6 en dat")
when the text was copied from a PDF that lost the superscripts. A plain digit is
taken for a marker only where it is a footnote of the version and stands where a
marker does, never a day of the month ("van 9 december 1998") nor a paragraph or
article number; the words for those come from `languages`.
"""

import re

from vigil.library.parsing import languages
from vigil.library.parsing.cleanup import SUPERSCRIPT_DIGITS, SUPERSCRIPTS

RESOLUTION_NUMBER = re.compile(r"(?<![\w/.])(\d{1,3}/\d{1,3})(?![\w/])")
# Resolutions before 1976 are numbered by session: "217 A (III)", "2200 A (XXI)".
OLD_RESOLUTION = re.compile(r"\b(\d{1,4}(?: [A-Z])? \([IVXL]+\))")
DOCUMENT_SYMBOL = re.compile(
    r"(?<![\w/])((?:A|E|S|CCPR|CERD|CEDAW|CRC|CAT|CMW|CRPD|CED|ST|UNEP|UNESCO)"
    r"(?:/[A-Z0-9][A-Za-z0-9.\-]*)+)"
)


def citations(text: str) -> list[str]:
    """Document symbols and resolution numbers, in the order they first appear."""
    found: list[str] = []
    spans: list[tuple[int, int]] = []
    for match in DOCUMENT_SYMBOL.finditer(text):
        symbol = match.group(1).rstrip(".")
        if "/" in symbol:
            found.append(symbol)
            spans.append(match.span())
    for match in RESOLUTION_NUMBER.finditer(text):
        if any(start <= match.start() < end for start, end in spans):
            continue  # part of a symbol already taken (A/RES/72/247)
        number = match.group(1)
        first, second = (int(x) for x in number.split("/"))
        if first == 0 or second == 0:
            continue
        found.append(number)
    found += [match.group(1) for match in OLD_RESOLUTION.finditer(text)]
    ordered = sorted(dict.fromkeys(found), key=lambda s: text.find(s) if s in text else len(text))
    return ordered


# A plain-digit footnote marker: after a word or a clause's punctuation, before a
# lowercase word, a bracket, a comma or the end of the paragraph.
MARKER = r"([,;:\w.)\]])\s(\d{1,2})(?=\s+[a-z\[(]|\s+\d{1,3}/\d|\s*$|,)"
# ...but not a day of the month ("van 9 december 1998") nor a paragraph or article.
NOT_A_MARKER = re.compile(
    r"(?:" + languages.any_of("paragraph_words") + r")\.?\s\d+$|"
    r"^\s+(?:(?:" + languages.any_of("date_joiners") + r")\s+)?"
    r"(?:" + languages.any_of("months") + r")\b",
    re.IGNORECASE,
)


def _markers(text: str, numbers: set[int]) -> list[re.Match]:
    """The plain-digit footnote markers in `text` (see MARKER)."""
    found = []
    for match in re.finditer(MARKER, text):
        before, after = text[: match.end()], text[match.end() :]
        if int(match.group(2)) not in numbers:
            continue
        if NOT_A_MARKER.search(before) or NOT_A_MARKER.match(after):
            continue
        found.append(match)
    return found


def strip_plain_markers(text: str, numbers: set[int]) -> str:
    """Footnote markers printed as plain digits ("Verklaring, 6 en dat"), removed
    where the digit is a footnote of this version and stands where a marker does."""

    for match in reversed(_markers(text, numbers)):
        text = text[: match.start()] + match.group(1) + text[match.end() :]
    return text


def footnote_references(text: str, numbers: set[int]) -> tuple[str, list[int]]:
    """The paragraph without its footnote markers, and the footnotes they point to:
    superscript markers where the paragraph has any, else plain-digit ones among
    the version's footnote `numbers`."""
    marked = re.findall(f"[{SUPERSCRIPTS}]+", text)
    referenced = [int(m.translate(SUPERSCRIPT_DIGITS)) for m in marked]
    plain = re.sub(f"[{SUPERSCRIPTS}]+", "", text)
    if not marked:
        referenced = [int(m.group(2)) for m in _markers(plain, numbers)]
        plain = strip_plain_markers(plain, numbers)
    return plain, referenced


def paragraph_citations(text: str, footnotes: list[str]) -> list[str]:
    """What a paragraph cites in its own `text`, then what the `footnotes` it
    points to cite, each once."""
    cites = citations(text)
    for note in footnotes:
        cites += [c for c in citations(note) if c not in cites]
    return cites
