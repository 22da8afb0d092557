"""Reading UN resolution text into structure, without Django.

Real resolution text arrives as the UN prints it or as someone copied it from a
web page or a PDF: markdown-ish italics (`*Decides*`) in odd places, links around
document symbols (`[A/72/170](#)`), symbols printed with stray spaces
(`A / HRC / 36/31`), lines broken in the middle of sentences, paragraph numbers
alone on a line, footnotes between paragraphs, page headers and footers. And one
file may hold the same resolution in several languages, one after the other.

The parser works in four passes, each simple enough to reason about:

1. **Versions.** Each language version starts at its opening line ("The General
   Assembly,", "De Algemene Vergadering ,", ...). What comes before an opener
   (after the previous version's last paragraph) is that version's header: the
   symbol, the title ("72/247. Twentieth anniversary ...") and the date adopted.
2. **Furniture.** Within a version, page furniture is dropped: symbol lines, job
   numbers (`17-23331 (E) 300118`, `* 1723331 *`), page numbers (`2/6`) and
   running headers (a block that repeats, or repeats the title).
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
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date

# --- Languages ---------------------------------------------------------------------

OPENERS = {
    "en": r"the (general assembly|human rights council|security council|"
    r"economic and social council)",
    "nl": r"de (algemene vergadering|mensenrechtenraad|veiligheidsraad)",
    "fr": r"l['’] ?assemblée générale|le conseil des droits de l['’] ?homme|le conseil de sécurité",
    "es": r"la asamblea general|el consejo de derechos humanos|el consejo de seguridad",
    "ru": r"генеральная ассамблея|совет по правам человека|совет безопасности",
    "ar": r"(إن )?الجمعية العامة|(إن )?مجلس حقوق الإنسان",
    "zh": r"大会|人权理事会|安全理事会",
}
OPENER = re.compile(
    r"^\s*(" + "|".join(f"(?:{p})" for p in OPENERS.values()) + r")\s*[,،，]?\s*$",
    re.IGNORECASE,
)
UN_LANGUAGES = {"ar", "zh", "en", "fr", "ru", "es"}
STOPWORDS = {
    "en": {"the", "of", "and", "to", "in", "that", "its", "all", "human", "rights", "with"},
    "nl": {"de", "het", "van", "en", "een", "dat", "die", "zijn", "voor", "met", "mensenrechten"},
    "fr": {"le", "la", "les", "des", "et", "du", "que", "dans", "pour", "droits", "homme"},
    "es": {"el", "la", "los", "las", "de", "y", "que", "en", "para", "derechos", "humanos"},
    "de": {"der", "die", "das", "und", "von", "zu", "den", "mit", "für", "menschenrechte"},
}
MACHINE = re.compile(
    r"machine[- ]?translat|machinevertal|automatisch vertaald|traduction automatique|"
    r"traducci[oó]n autom[aá]tica|машинн\w* перев",
    re.IGNORECASE,
)
UNOFFICIAL = re.compile(
    r"unofficial translation|onoffici[eë]le vertaling|traduction non officielle|"
    r"traducci[oó]n no oficial|неофициальн\w* перев",
    re.IGNORECASE,
)
CLOSING = re.compile(
    r"\b\d+\s*(st|nd|rd|th|e|re|ª|a|-?е|-?я)?\s*(plenary meeting|plenaire vergadering|"
    r"séance plénière|sesión plenaria|пленарное заседание|meeting)\b|الجلسة العامة|全体会议",
    re.IGNORECASE,
)


def detect_language(text: str) -> str:
    """The language of a version, from its script or its commonest small words."""
    letters = [c for c in text if c.isalpha()]
    if letters:
        scripts = Counter(unicodedata.name(c, "?").split()[0] for c in letters[:4000])
        script, count = scripts.most_common(1)[0]
        if count > len(letters[:4000]) / 2:
            if script == "CYRILLIC":
                return "ru"
            if script == "ARABIC":
                return "ar"
            if script == "CJK":
                return "zh"
    words = Counter(re.findall(r"[a-zà-ÿ]+", text.lower()))
    scores = {lang: sum(words[w] for w in stop) for lang, stop in STOPWORDS.items()}
    return max(scores, key=lambda lang: scores[lang])


# --- Text clean-up -------------------------------------------------------------------

SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
SUPERSCRIPT_DIGITS = str.maketrans(SUPERSCRIPTS, "0123456789")
LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
SPACED_SLASH = re.compile(r"(?<=[A-Za-z0-9.])\s*/\s*(?=[A-Za-z0-9])")
SYMBOL_LIKE = re.compile(r"\b[A-Z](?:\s*/\s*[A-Za-z0-9.]+)+")


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


# --- Citations ---------------------------------------------------------------------

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


# --- Lead verbs --------------------------------------------------------------------

ADVERBS = (
    "also", "further", "furthermore", "strongly", "again", "once again", "firmly",
    "deeply", "further also", "also strongly", "again strongly", "emphatically",
    "most strongly", "solemnly", "formally", "duly", "likewise", "equally",
    "respectfully", "in this regard", "encouragingly",
)  # fmt: skip
LEAD_VERBS = (
    "acknowledges", "adopts", "affirms", "agrees", "appeals to", "appeals", "applauds",
    "appreciates", "approves", "authorizes", "calls upon", "calls on", "calls for",
    "commends", "condemns", "confirms", "congratulates", "considers", "decides",
    "declares", "demands", "deplores", "designates", "directs", "emphasizes",
    "emphasises", "encourages", "endorses", "expresses its appreciation",
    "expresses its deep concern", "expresses deep concern", "expresses concern",
    "expresses", "invites", "notes with appreciation", "notes with concern",
    "takes note with appreciation", "takes note", "notes", "proclaims", "reaffirms",
    "recalls", "recognizes", "recognises", "recommends", "regrets", "reiterates",
    "remains", "renews", "requests", "resolves", "stresses", "supports", "trusts",
    "underlines", "underscores", "urges", "welcomes", "continues to express particular concern",
    "continues", "insists", "rejects", "reminds", "highlights", "is convinced",
    "is deeply concerned", "calls", "takes",
)  # fmt: skip
# Other languages: the usual phrases of the UN's own translations (and Dutch).
LEAD_VERBS_ELSEWHERE = (
    "is verheugd over", "verwelkomt", "benadrukt", "onderstreept", "roept", "dringt er bij",
    "dringt", "stimuleert", "moedigt", "veroordeelt krachtig", "veroordeelt", "herhaalt met klem",
    "herhaalt", "blijft met name bezorgd", "besluit", "verzoekt tevens", "verzoekt",
    "erkent", "bevestigt opnieuw", "neemt nota",
    "souligne", "demande", "exhorte", "engage", "encourage", "condamne énergiquement",
    "condamne", "décide", "prie", "invite", "se félicite", "réaffirme",
    "accueille avec satisfaction",
    "subraya", "exhorta", "alienta", "exhorta encarecidamente", "condena enérgicamente", "condena",
    "decide", "solicita", "pide", "invita", "acoge con beneplácito", "reafirma", "insta",
)  # fmt: skip
LEAD = re.compile(
    r"^(?:(?:" + "|".join(re.escape(a) for a in sorted(ADVERBS, key=len, reverse=True)) + r")\s+)*"
    r"(?:"
    + "|".join(
        re.escape(v) for v in sorted(LEAD_VERBS + LEAD_VERBS_ELSEWHERE, key=len, reverse=True)
    )
    + r")\b",
    re.IGNORECASE,
)
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


# --- Structure ---------------------------------------------------------------------


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


FOOTNOTE_START = re.compile(r"^\s*([" + SUPERSCRIPTS + r"]+|\d{1,3})\s+(?=\S)(?!\d)")
OPERATIVE_START = re.compile(r"^\s*\**\s*(\d{1,3})\s*\.(?!\d)\s*")
JOB_NUMBER = re.compile(r"^\d{2}-\d{5}(\s*\(\w\))?(\s+\d{6})?$|^\*?\s*\d{7}\s*\*?$")
PAGE_NUMBER = re.compile(r"^(\d{1,2})\s*/\s*(\d{1,2})$")
# The document's own symbol, printed at the top of each page ("A/RES/72/247"): a
# resolution symbol alone on a line. Other symbols alone on a line may be the end
# of a sentence wrapped there, so they stay.
SYMBOL_LINE = re.compile(r"^[A-Z]{1,6}(\s*/\s*[A-Z]+)*\s*/\s*RES\s*/\s*[\d\s/]+$")
TITLE_LINE = re.compile(r"^\**\s*(\d{1,3}/\d{1,3})\s*\.\s+(.+)", re.DOTALL)
TERMINATED = re.compile(r"[,;:.،؛。；：]$")


def _blocks(lines: list[str]) -> list[list[str]]:
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if line.strip():
            current.append(line.rstrip())
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _is_furniture_line(line: str) -> bool:
    text = clean(line)
    if not text:
        return True
    if JOB_NUMBER.match(text) or SYMBOL_LINE.match(text):
        return True
    page = PAGE_NUMBER.match(text)
    return bool(page and 0 < int(page.group(1)) <= int(page.group(2)) <= 99)


def _key(text: str) -> str:
    return re.sub(r"[^\w]+", " ", clean(text).lower()).strip()


def _month_names(language: str) -> dict[str, int]:
    try:
        from babel.dates import get_month_names

        names = {}
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context, locale=language).items():
                    names[name.lower().rstrip(".")] = number
        return names
    except Exception:  # an unknown language: English months only
        return {}


def _adoption_date(header: str, language: str) -> date | None:
    months = {**_month_names("en"), **_month_names(language)}
    text = clean(header).lower()
    for match in re.finditer(
        r"(\d{1,2})(?:er|º)?\s+(?:de\s+)?([^\W\d_]+)\.?\s+(?:de\s+)?(\d{4})", text
    ):
        day, month, year = match.groups()
        if month in months and re.search(
            r"adopted|aangenomen|adoptée|aprobada|принята|اعتمد|通过", text[: match.start()]
        ):
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
    blocks = _blocks(body)
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


# A plain-digit footnote marker: after a word or a clause's punctuation, before a
# lowercase word, a bracket, a comma or the end of the paragraph.
MARKER = r"([,;:\w.)\]])\s(\d{1,2})(?=\s+[a-z\[(]|\s+\d{1,3}/\d|\s*$|,)"
# ...but not a day of the month ("van 9 december 1998") nor a paragraph or article.
NOT_A_MARKER = re.compile(
    r"(?:paragraph|paragraaf|paragraphe|párrafo|article|artikel|artículo|art)\.?\s\d+$|"
    r"^\s+(?:de\s+)?(?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december|januari|februari|maart|mei|juni|juli|augustus|oktober|janvier|février|mars|"
    r"avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre|enero|febrero|marzo|"
    r"abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre)\b",
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


def _strip_plain_markers(text: str, numbers: set[int]) -> str:
    """Footnote markers printed as plain digits ("Verklaring, 6 en dat"), removed
    where the digit is a footnote of this version and stands where a marker does."""

    for match in reversed(_markers(text, numbers)):
        text = text[: match.start()] + match.group(1) + text[match.end() :]
    return text


def _parse_body(header: list[str], body: list[str], title_hint: str) -> Version:
    header_text = "\n".join(header)
    blocks = _blocks(body)
    # Running headers: a block that repeats, or that repeats the title.
    counts = Counter(_key(" ".join(b)) for b in blocks)
    title_key = _key(title_hint)

    def furniture(block: list[str]) -> bool:
        # A running header repeats, or repeats the title, and never ends a clause
        # the way a paragraph does.
        key = _key(" ".join(block))
        if OPERATIVE_START.match(block[0]) or TERMINATED.search(clean(block[-1])):
            return False
        if counts[key] >= 2 and len(key) >= 20:
            return True
        return (
            bool(title_key)
            and len(key) >= 20
            and (key == title_key or title_key.endswith(key) or key.endswith(title_key))
        )

    lines: list[str] = []
    footnotes: dict[int, list[str]] = {}
    expected = 1
    superscript_style = any(ch in "".join(body) for ch in SUPERSCRIPTS)
    for block in blocks:
        block = [line for line in block if not _is_furniture_line(line)]
        if not block or furniture(block):
            continue
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
        so_far = _strip_plain_markers(re.sub(f"[{SUPERSCRIPTS}]+", "", so_far), set(notes))
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
        marked = re.findall(f"[{SUPERSCRIPTS}]+", text)
        referenced = [int(m.translate(SUPERSCRIPT_DIGITS)) for m in marked]
        plain = re.sub(f"[{SUPERSCRIPTS}]+", "", text)
        if not marked:
            referenced = [int(m.group(2)) for m in _markers(plain, set(notes))]
            plain = _strip_plain_markers(plain, set(notes))
        plain = re.sub(r"\s+([,;:.])", r"\1", plain).strip()
        cites = citations(plain)
        for number in referenced:
            cites += [c for c in citations(notes.get(number, "")) if c not in cites]
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

    language = detect_language(" ".join(preambular + [o.text for o in operative]))
    if MACHINE.search(header_text):
        status = "machine"
    elif UNOFFICIAL.search(header_text):
        status = "unofficial"
    else:
        status = "official" if language in UN_LANGUAGES else "unofficial"
    found_title = _title(header)
    title, symbol = found_title or ("", "")
    for block in _blocks(header):
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
    for block in _blocks(header):
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
    if "human rights council" in lowered or "mensenrechtenraad" in lowered:
        return f"A/HRC/RES/{symbol}"
    if "security council" in lowered:
        return f"S/RES/{symbol}"
    return f"A/RES/{symbol}"


def parse(text: str, *, statuses: dict[str, str] | None = None) -> Parsed:
    """Read a resolution, in one or more languages, from `text`."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = text.split("\n")
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
    languages = [v.language for v in versions]
    if len(set(languages)) != len(languages):
        raise ParseError(
            "Two versions seem to be in the same language ("
            + ", ".join(sorted({lang for lang in languages if languages.count(lang) > 1}))
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
