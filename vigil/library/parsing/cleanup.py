"""Text as printed, made into text as written: the parser's clean-up.

Real resolution text arrives as the UN prints it or as someone copied it from a
web page or a PDF: markdown-ish italics (`*Decides*`) in odd places, links around
document symbols (`[A/72/170](#)`), symbols printed with stray spaces
(`A / HRC / 36/31`), Windows or old Mac line ends, composed and decomposed accents,
and page furniture between the paragraphs. This module owns turning that into
lines and blocks the structure can be read from, and dropping the furniture:
symbol lines, job numbers (`17-23331 (E) 300118`, `* 1723331 *`), page numbers
(`2/6`) and running headers (a block that repeats, or repeats the title). It
reads shapes only (digits, slashes, punctuation of every script), no language's words.
"""

import re
import unicodedata
from collections import Counter

SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
SUPERSCRIPT_DIGITS = str.maketrans(SUPERSCRIPTS, "0123456789")
LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
SPACED_SLASH = re.compile(r"(?<=[A-Za-z0-9.])\s*/\s*(?=[A-Za-z0-9])")
SYMBOL_LIKE = re.compile(r"\b[A-Z](?:\s*/\s*[A-Za-z0-9.]+)+")

# The shapes of printed text that tell a paragraph from furniture (and that the
# structure reads paragraphs by): a paragraph number ("12."), and the punctuation
# that ends a clause, in Latin, Arabic and Chinese script.
OPERATIVE_START = re.compile(r"^\s*\**\s*(\d{1,3})\s*\.(?!\d)\s*")
TERMINATED = re.compile(r"[,;:.،؛。；：]$")

JOB_NUMBER = re.compile(r"^\d{2}-\d{5}(\s*\(\w\))?(\s+\d{6})?$|^\*?\s*\d{7}\s*\*?$")
PAGE_NUMBER = re.compile(r"^(\d{1,2})\s*/\s*(\d{1,2})$")
# The document's own symbol, printed at the top of each page ("A/RES/72/247"): a
# resolution symbol alone on a line. Other symbols alone on a line may be the end
# of a sentence wrapped there, so they stay.
SYMBOL_LINE = re.compile(r"^[A-Z]{1,6}(\s*/\s*[A-Z]+)*\s*/\s*RES\s*/\s*[\d\s/]+$")


def normalised_lines(text: str) -> list[str]:
    """The text's lines, whatever line ends it was saved with, its accents composed
    (NFC) so that "é" is one character however it was typed."""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n")).split("\n")


def _fix_symbol(match: re.Match) -> str:
    return SPACED_SLASH.sub("/", match.group(0))


def clean(text: str) -> str:
    """Markup and stray spaces out; the words, numbers and punctuation kept."""
    text = LINK.sub(r"\1", text)
    text = text.replace("**", "").replace("*", "").replace("_", " ")
    text = SYMBOL_LIKE.sub(_fix_symbol, text)
    text = re.sub(r"(?<=\d)\s*/\s*(?=\d)", "/", text)  # 72 / 247 -> 72/247
    text = re.sub(r"\s+([.,;:])(?=\s|$)", r"\1", text)  # "Assembly ," -> "Assembly,"
    text = re.sub(r"\s+", " ", text)
    return text.strip()


def key(text: str) -> str:
    """The words of `text` only, lowercased: what two printings of a line share."""
    return re.sub(r"[^\w]+", " ", clean(text).lower()).strip()


def blocks(lines: list[str]) -> list[list[str]]:
    """The lines grouped into blocks, a blank line ending each."""
    found: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if line.strip():
            current.append(line.rstrip())
        elif current:
            found.append(current)
            current = []
    if current:
        found.append(current)
    return found


def is_furniture_line(line: str) -> bool:
    """A line the printer added: a job number, the document's symbol, a page number."""
    text = clean(line)
    if not text:
        return True
    if JOB_NUMBER.match(text) or SYMBOL_LINE.match(text):
        return True
    page = PAGE_NUMBER.match(text)
    return bool(page and 0 < int(page.group(1)) <= int(page.group(2)) <= 99)


def without_furniture(found: list[list[str]], title: str) -> list[list[str]]:
    """The blocks of a version's body without their furniture lines, and without the
    blocks that are running headers: a block that repeats, or repeats the title."""
    counts = Counter(key(" ".join(b)) for b in found)
    title_key = key(title)

    def running_header(block: list[str]) -> bool:
        # A running header repeats, or repeats the title, and never ends a clause
        # the way a paragraph does.
        block_key = key(" ".join(block))
        if OPERATIVE_START.match(block[0]) or TERMINATED.search(clean(block[-1])):
            return False
        if counts[block_key] >= 2 and len(block_key) >= 20:
            return True
        return (
            bool(title_key)
            and len(block_key) >= 20
            and (
                block_key == title_key
                or title_key.endswith(block_key)
                or block_key.endswith(title_key)
            )
        )

    kept = []
    for block in found:
        block = [line for line in block if not is_furniture_line(line)]
        if block and not running_header(block):
            kept.append(block)
    return kept
