"""The structure of a resolution: its versions, and in each its header, preamble,
operative paragraphs and footnotes.

One file may hold the same resolution in several languages, one after the other.
The structure is read in passes, each simple enough to reason about (the text is
first cleaned up by `cleanup`, the words of each language come from `languages`,
and what each paragraph cites from `citations`):

1. **Versions.** Each language version starts at its opening line ("The General
   Assembly,", "De Algemene Vergadering ,", ...). What comes before an opener
   (after the previous version's last paragraph) is that version's header: the
   symbol, the title ("72/247. Twentieth anniversary ...") and the date adopted.
2. **Furniture.** Within a version, page furniture is dropped (`cleanup`).
3. **Footnotes.** A block that begins with the next footnote number (superscript
   `¹`, or a plain `1 ` before text) is a footnote, wherever it falls.
4. **Paragraphs.** The remaining lines are joined into paragraphs: a line starts a
   new paragraph only when the text so far ends a clause (`,` `;` `:` `.`) and the
   line begins with a capital or a paragraph number; otherwise it continues the
   paragraph (a lowercase start, or a sentence cut by a page break). Before the
   first numbered paragraph they are preambular; numbered ones are operative, and
   the operative part ends at the closing line ("76th plenary meeting").

Each operative paragraph gets its lead verb: the italic words it opens with, or
else the longest known lead-verb phrase (with adverbs such as "Also" or
"Strongly") that starts it. Each paragraph's `cites` are the resolution numbers
(`62/152`) and document symbols (`A/HRC/36/31`) in its text and its footnotes.
"""

import re
from dataclasses import asdict, dataclass, field
from datetime import date

from vigil.library.parsing import cleanup, languages
from vigil.library.parsing.citations import (
    footnote_references,
    paragraph_citations,
    strip_plain_markers,
)
from vigil.library.parsing.cleanup import (
    OPERATIVE_START,
    SUPERSCRIPT_DIGITS,
    SUPERSCRIPTS,
    TERMINATED,
    clean,
)

# Each pattern takes every language's words at once: which language a version is in
# is known only once it has been read.
OPENER = re.compile(
    r"^\s*(" + "|".join(f"(?:{p})" for p in languages.every("openers")) + r")\s*[,،，]?\s*$",
    re.IGNORECASE,
)
MACHINE = re.compile(languages.any_of("machine"), re.IGNORECASE)
UNOFFICIAL = re.compile(languages.any_of("unofficial"), re.IGNORECASE)
CLOSING = re.compile(
    rf"\b\d+\s*({languages.any_of('ordinals')})?\s*({languages.any_of('meetings')})\b|"
    + languages.any_of("meetings_unnumbered"),
    re.IGNORECASE,
)
ADOPTED = re.compile(languages.any_of("adopted"))
DATE = re.compile(
    r"(\d{1,2})(?:" + languages.any_of("day_suffixes") + r")?\s+"
    r"(?:(?:" + languages.any_of("date_joiners") + r")\s+)?([^\W\d_]+)\.?\s+"
    r"(?:(?:" + languages.any_of("date_joiners") + r")\s+)?(\d{4})"
)
LEAD = re.compile(
    r"^(?:(?:"
    + "|".join(re.escape(a) for a in sorted(languages.every("adverbs"), key=len, reverse=True))
    + r")\s+)*"
    r"(?:"
    + "|".join(re.escape(v) for v in sorted(languages.every("lead_verbs"), key=len, reverse=True))
    + r")\b",
    re.IGNORECASE,
)
FOOTNOTE_START = re.compile(r"^\s*([" + SUPERSCRIPTS + r"]+|\d{1,3})\s+(?=\S)(?!\d)")
TITLE_LINE = re.compile(r"^\**\s*(\d{1,3}/\d{1,3})\s*\.\s+(.+)", re.DOTALL)
ITALIC_LEAD = re.compile(r"^((?:\S+\s+){0,2}?)\*+([^*]+?)\*+")


def lead_verb(raw: str, text: str) -> str:
    """The words the paragraph opens with that say what the body does."""
    italic = ITALIC_LEAD.match(raw.strip())
    if italic:
        words = clean(italic.group(1) + italic.group(2))
        if words and text.startswith(words.split()[0]):
            return words.rstrip(",;:")
    known = LEAD.match(text)
    if known:
        return known.group(0)
    first = re.match(r"\S+", text)
    return first.group(0).rstrip(",;:") if first else ""


@dataclass
class Operative:
    number: int
    lead_verb: str
    text: str
    cites: list[str] = field(default_factory=list)


@dataclass
class Footnote:
    number: int
    text: str


@dataclass
class Version:
    language: str
    status: str  # official, unofficial or machine
    title: str
    symbol: str
    adopted_on: date | None
    preambular: list[str]
    operative: list[Operative]
    footnotes: list[Footnote]
    preambular_cites: list[list[str]] = field(default_factory=list)


@dataclass
class Parsed:
    symbol: str
    title: str
    adopted_on: date | None
    versions: list[Version]
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        """The structure `import_resolution --dry-run --format json` prints."""
        return {
            "symbol": self.symbol,
            "title": self.title,
            "adopted_on": self.adopted_on.isoformat() if self.adopted_on else None,
            "versions": [
                {
                    "language": v.language,
                    "status": v.status,
                    "title": v.title,
                    "preambular": v.preambular,
                    "operative": [asdict(o) for o in v.operative],
                    "footnotes": [asdict(f) for f in v.footnotes],
                }
                for v in self.versions
            ],
            "warnings": self.warnings,
        }


class ParseError(ValueError):
    """The text is not a resolution this importer can read; says why."""


def _adoption_date(header: str, language: str) -> date | None:
    months = {**languages.month_numbers("en"), **languages.month_numbers(language)}
    text = clean(header).lower()
    for match in DATE.finditer(text):
        day, month, year = match.groups()
        if month in months and ADOPTED.search(text[: match.start()]):
            try:
                return date(int(year), months[month], int(day))
            except ValueError:
                continue
    return None


def _split_versions(lines: list[str]) -> list[tuple[list[str], list[str]]]:
    """(header lines, body lines) for each version, in file order."""
    openers = [i for i, line in enumerate(lines) if OPENER.match(clean(line))]
    if not openers:
        raise ParseError(
            "No opening line such as “The General Assembly,” was found, so this does "
            "not look like a resolution."
        )
    versions = []
    start = 0
    for n, opener in enumerate(openers):
        end = openers[n + 1] if n + 1 < len(openers) else len(lines)
        versions.append((lines[start:opener], lines[opener + 1 : end]))
        start = end
    return versions


def _split_trailing_header(body: list[str]) -> tuple[list[str], list[str]]:
    """The part of a body after the closing line (or after the last paragraph) that
    is not a footnote belongs to the next version's header."""
    blocks = cleanup.blocks(body)
    closing_at = None
    for index, block in enumerate(blocks):
        if CLOSING.search(clean(" ".join(block))) and len(clean(" ".join(block))) < 80:
            closing_at = index
    if closing_at is None:
        return body, []
    own = blocks[: closing_at + 1]
    rest = blocks[closing_at + 1 :]
    tail_footnotes = []
    for position, block in enumerate(rest):
        if FOOTNOTE_START.match(block[0]) and not OPERATIVE_START.match(block[0]):
            tail_footnotes.append(block)
            continue
        rest = rest[position:]
        break
    else:
        rest = []
    kept = [line for block in own + tail_footnotes for line in [*block, ""]]
    header = [line for block in rest for line in [*block, ""]]
    return kept, header


def _parse_body(header: list[str], body: list[str], title_hint: str) -> Version:
    header_text = "\n".join(header)
    lines: list[str] = []
    footnotes: dict[int, list[str]] = {}
    expected = 1
    superscript_style = any(ch in "".join(body) for ch in SUPERSCRIPTS)
    for block in cleanup.without_furniture(cleanup.blocks(body), title_hint):
        start = FOOTNOTE_START.match(block[0])
        if start and not OPERATIVE_START.match(block[0]):
            marker = start.group(1)
            number = int(marker.translate(SUPERSCRIPT_DIGITS))
            is_superscript = marker[0] in SUPERSCRIPTS
            if is_superscript or (not superscript_style and expected <= number <= expected + 2):
                footnotes[number] = [block[0][start.end() :], *block[1:]]
                expected = number + 1
                continue
        lines.extend(block)
        lines.append("")  # keep the block boundary for the joining rule
    notes = {n: clean(" ".join(text)) for n, text in footnotes.items()}

    # Join lines into paragraphs.
    paragraphs: list[tuple[str, str]] = []  # (raw, cleaned) per paragraph
    raw_parts: list[str] = []

    def flush() -> None:
        if raw_parts:
            raw = " ".join(raw_parts)
            paragraphs.append((raw, clean(raw)))
            raw_parts.clear()

    pending_number: str | None = None
    for line in lines:
        if not line.strip():
            continue
        text = clean(line)
        if not text:
            continue
        lone_number = re.fullmatch(r"(\d{1,3})\.", text)
        if lone_number:
            flush()
            pending_number = lone_number.group(1)
            continue
        if pending_number is not None:
            flush()
            raw_parts.append(f"{pending_number}. {line.strip()}")
            pending_number = None
            continue
        so_far = clean(" ".join(raw_parts))
        so_far = strip_plain_markers(re.sub(f"[{SUPERSCRIPTS}]+", "", so_far), set(notes))
        starts_paragraph = bool(OPERATIVE_START.match(line)) or (
            (text[0].isupper() or not text[0].isalpha()) and TERMINATED.search(so_far)
        )
        if raw_parts and not starts_paragraph:
            raw_parts.append(line.strip())
            continue
        flush()
        raw_parts.append(line.strip())
    flush()

    preambular: list[str] = []
    preambular_cites: list[list[str]] = []
    operative: list[Operative] = []
    for raw, text in paragraphs:
        if CLOSING.search(text) and len(text) < 80 and operative:
            break
        number_match = OPERATIVE_START.match(raw)
        plain, referenced = footnote_references(text, set(notes))
        plain = re.sub(r"\s+([,;:.])", r"\1", plain).strip()
        cites = paragraph_citations(plain, [notes.get(number, "") for number in referenced])
        if number_match and (not operative or int(number_match.group(1)) > operative[-1].number):
            body_raw = raw[number_match.end() :]
            body_text = re.sub(r"^\d{1,3}\.\s*", "", plain)
            operative.append(
                Operative(
                    number=int(number_match.group(1)),
                    lead_verb=lead_verb(body_raw, body_text),
                    text=body_text,
                    cites=cites,
                )
            )
        elif operative:
            # Text after the operative part began but without a number: it belongs
            # to the paragraph before it (a list item, a cut sentence).
            operative[-1].text += " " + plain
            operative[-1].cites += [c for c in cites if c not in operative[-1].cites]
        else:
            preambular.append(plain)
            preambular_cites.append(cites)

    language = languages.detect_language(" ".join(preambular + [o.text for o in operative]))
    if MACHINE.search(header_text):
        status = "machine"
    elif UNOFFICIAL.search(header_text):
        status = "unofficial"
    else:
        status = "official" if languages.is_un_language(language) else "unofficial"
    found_title = _title(header)
    title, symbol = found_title or ("", "")
    for block in cleanup.blocks(header):
        explicit = re.search(r"\b([A-Z])/RES/(\d+/\d+)", clean(" ".join(block)))
        if explicit:
            symbol = f"{explicit.group(1)}/RES/{explicit.group(2)}"
    return Version(
        language=language,
        status=status,
        title=title,
        symbol=symbol,
        adopted_on=_adoption_date(header_text, language),
        preambular=preambular,
        operative=operative,
        footnotes=[Footnote(number=n, text=t) for n, t in sorted(notes.items())],
        preambular_cites=preambular_cites,
    )


def _title(header: list[str]) -> tuple[str, str] | None:
    """(title, number) from the line "72/247. Twentieth anniversary ..." and the lines
    that follow it in its block (a title may run over several)."""
    for block in cleanup.blocks(header):
        for index, line in enumerate(block):
            found = TITLE_LINE.match(clean(line))
            if found:
                rest = clean(" ".join(block[index + 1 :]))
                return f"{found.group(2).strip()} {rest}".strip(), found.group(1)
    return None


def _full_symbol(symbol: str, header: str) -> str:
    if "/" in symbol and symbol.count("/") >= 2:
        return symbol
    lowered = header.lower()
    bodies = languages.every("bodies")
    for prefix in dict.fromkeys(prefix for _name, prefix in bodies):
        if any(name in lowered for name, its_prefix in bodies if its_prefix == prefix):
            return f"{prefix}/{symbol}"
    return f"A/RES/{symbol}"


def parse(text: str, *, statuses: dict[str, str] | None = None) -> Parsed:
    """Read a resolution, in one or more languages, from `text`."""
    lines = cleanup.normalised_lines(text)
    pieces = _split_versions(lines)
    versions: list[Version] = []
    warnings: list[str] = []
    carried: list[str] = []
    for index, (header, body) in enumerate(pieces):
        header = carried + header if index else header
        if index + 1 < len(pieces):
            body, carried = _split_trailing_header(body)
        found_title = _title(header)
        version = _parse_body(header, body, found_title[0] if found_title else "")
        if statuses and version.language in statuses:
            version.status = statuses[version.language]
        if not version.operative:
            raise ParseError(f"The {version.language} version has no numbered operative paragraph.")
        versions.append(version)
    codes = [v.language for v in versions]
    if len(set(codes)) != len(codes):
        raise ParseError(
            "Two versions seem to be in the same language ("
            + ", ".join(sorted({code for code in codes if codes.count(code) > 1}))
            + "); each language may appear once."
        )
    first = versions[0]
    numbers = [o.number for o in first.operative]
    for version in versions:
        mine = [o.number for o in version.operative]
        if mine != list(range(1, len(mine) + 1)):
            warnings.append(
                f"{version.language}: operative paragraphs are numbered {mine}, "
                f"not 1 to {len(mine)}"
            )
        if version is not first and mine != numbers:
            warnings.append(
                f"{version.language}: {len(mine)} operative paragraphs, "
                f"{first.language}: {len(numbers)}"
            )
        if version is not first and len(version.preambular) != len(first.preambular):
            warnings.append(
                f"{version.language}: {len(version.preambular)} preambular paragraphs, "
                f"{first.language}: {len(first.preambular)}; aligned by position"
            )
    symbol = next((v.symbol for v in versions if v.symbol.count("/") >= 2), "") or next(
        (v.symbol for v in versions if v.symbol), ""
    )
    if not symbol:
        raise ParseError("No resolution number (such as “72/247.”) or symbol was found.")
    symbol = _full_symbol(symbol, "\n".join(lines[:40]))
    english = next((v for v in versions if v.language == "en"), first)
    return Parsed(
        symbol=symbol,
        title=english.title or first.title,
        adopted_on=next((v.adopted_on for v in versions if v.adopted_on), None),
        versions=versions,
        warnings=warnings,
    )
