"""What the parser knows about each language, as data: one entry per language.

Everything language-specific the parser relies on is here: how a version opens
("The General Assembly,"), how it says it is a machine or unofficial translation,
how the closing line reads ("76th plenary meeting"), the word for "adopted", the
lead verbs of operative paragraphs, the words for "paragraph" and the month names
that keep a day of the month from being taken for a footnote marker, and the small
words that tell one Latin-script language from another. Adding a language is adding
one `Language` here; the patterns the other modules build from these tables take
every language at once, because a resolution does not say which language it is in
before it has been read.

Entries marked "pattern" are regular-expression fragments, matched without regard
to case; the others are plain words.
"""

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    code: str
    # One of the six UN languages: a version in it is official unless it says otherwise.
    un_official: bool = False
    # The Unicode script that, when most of a text is in it, says the language alone.
    script: str = ""
    openers: tuple[str, ...] = ()  # pattern: the opening line ("The General Assembly,")
    stopwords: frozenset[str] = frozenset()  # commonest small words, for Latin scripts
    machine: tuple[str, ...] = ()  # pattern: "this is a machine translation"
    unofficial: tuple[str, ...] = ()  # pattern: "this is an unofficial translation"
    ordinals: tuple[str, ...] = ()  # pattern: "76th", "76e": the suffix of a meeting number
    meetings: tuple[str, ...] = ()  # pattern: "plenary meeting", after its number
    meetings_unnumbered: tuple[str, ...] = ()  # pattern: a closing line found without number
    adopted: tuple[str, ...] = ()  # the word before the date adopted
    day_suffixes: tuple[str, ...] = ()  # "1er janvier": after the day of the month
    date_joiners: tuple[str, ...] = ()  # "24 de diciembre de 2017": between its parts
    months: tuple[str, ...] = ()  # a digit before one is a day, not a footnote marker
    paragraph_words: tuple[str, ...] = ()  # a digit after one is a number, not a marker
    adverbs: tuple[str, ...] = ()  # "Also", "Strongly": before a lead verb
    lead_verbs: tuple[str, ...] = ()  # what an operative paragraph opens with
    # The name of a body in a version's header, and the symbol prefix of its resolutions
    # (the General Assembly's, A/RES, is the default).
    bodies: tuple[tuple[str, str], ...] = ()


# The tables whose entries are patterns; the others hold plain words.
PATTERNS = {"openers", "machine", "unofficial", "ordinals", "meetings", "meetings_unnumbered"}

# fmt: off
LANGUAGES: dict[str, Language] = {language.code: language for language in (
    Language(
        code="en",
        un_official=True,
        openers=(r"the (general assembly|human rights council|security council|"
                 r"economic and social council)",),
        stopwords=frozenset({"the", "of", "and", "to", "in", "that", "its", "all", "human",
                             "rights", "with"}),
        machine=(r"machine[- ]?translat",),
        unofficial=(r"unofficial translation",),
        ordinals=("st", "nd", "rd", "th"),
        meetings=("plenary meeting", "meeting"),
        adopted=("adopted",),
        months=("january", "february", "march", "april", "may", "june", "july", "august",
                "september", "october", "november", "december"),
        paragraph_words=("paragraph", "article", "art"),
        adverbs=(
            "also", "further", "furthermore", "strongly", "again", "once again", "firmly",
            "deeply", "further also", "also strongly", "again strongly", "emphatically",
            "most strongly", "solemnly", "formally", "duly", "likewise", "equally",
            "respectfully", "in this regard", "encouragingly",
        ),
        lead_verbs=(
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
            "underlines", "underscores", "urges", "welcomes",
            "continues to express particular concern", "continues", "insists", "rejects",
            "reminds", "highlights", "is convinced", "is deeply concerned", "calls", "takes",
        ),
        bodies=(("human rights council", "A/HRC/RES"), ("security council", "S/RES")),
    ),
    Language(
        code="nl",
        openers=(r"de (algemene vergadering|mensenrechtenraad|veiligheidsraad)",),
        stopwords=frozenset({"de", "het", "van", "en", "een", "dat", "die", "zijn", "voor",
                             "met", "mensenrechten"}),
        machine=(r"machinevertal", r"automatisch vertaald"),
        unofficial=(r"onoffici[eë]le vertaling",),
        ordinals=("e",),
        meetings=("plenaire vergadering",),
        adopted=("aangenomen",),
        months=("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
                "september", "oktober", "november", "december"),
        paragraph_words=("paragraaf", "artikel"),
        # The usual phrases of Dutch translations of UN resolutions.
        lead_verbs=(
            "is verheugd over", "verwelkomt", "benadrukt", "onderstreept", "roept",
            "dringt er bij", "dringt", "stimuleert", "moedigt", "veroordeelt krachtig",
            "veroordeelt", "herhaalt met klem", "herhaalt", "blijft met name bezorgd",
            "besluit", "verzoekt tevens", "verzoekt", "erkent", "bevestigt opnieuw",
            "neemt nota",
        ),
        bodies=(("mensenrechtenraad", "A/HRC/RES"),),
    ),
    Language(
        code="fr",
        un_official=True,
        openers=(r"l['’] ?assemblée générale", r"le conseil des droits de l['’] ?homme",
                 r"le conseil de sécurité"),
        stopwords=frozenset({"le", "la", "les", "des", "et", "du", "que", "dans", "pour",
                             "droits", "homme"}),
        machine=(r"traduction automatique",),
        unofficial=(r"traduction non officielle",),
        ordinals=("e", "re"),
        meetings=("séance plénière",),
        adopted=("adoptée",),
        day_suffixes=("er",),
        months=("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                "septembre", "octobre", "novembre", "décembre"),
        paragraph_words=("paragraphe", "article"),
        # The usual phrases of the UN's French texts.
        lead_verbs=(
            "souligne", "demande", "exhorte", "engage", "encourage", "condamne énergiquement",
            "condamne", "décide", "prie", "invite", "se félicite", "réaffirme",
            "accueille avec satisfaction",
        ),
    ),
    Language(
        code="es",
        un_official=True,
        openers=(r"la asamblea general", r"el consejo de derechos humanos",
                 r"el consejo de seguridad"),
        stopwords=frozenset({"el", "la", "los", "las", "de", "y", "que", "en", "para",
                             "derechos", "humanos"}),
        machine=(r"traducci[oó]n autom[aá]tica",),
        unofficial=(r"traducci[oó]n no oficial",),
        ordinals=("ª", "a"),
        meetings=("sesión plenaria",),
        adopted=("aprobada",),
        day_suffixes=("º",),
        date_joiners=("de",),
        months=("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
                "septiembre", "octubre", "noviembre", "diciembre"),
        paragraph_words=("párrafo", "artículo"),
        # The usual phrases of the UN's Spanish texts.
        lead_verbs=(
            "subraya", "exhorta", "alienta", "exhorta encarecidamente", "condena enérgicamente",
            "condena", "decide", "solicita", "pide", "invita", "acoge con beneplácito",
            "reafirma", "insta",
        ),
    ),
    Language(
        code="ru",
        un_official=True,
        script="CYRILLIC",
        openers=(r"генеральная ассамблея", r"совет по правам человека", r"совет безопасности"),
        machine=(r"машинн\w* перев",),
        unofficial=(r"неофициальн\w* перев",),
        ordinals=(r"-?е", r"-?я"),
        meetings=("пленарное заседание",),
        adopted=("принята",),
    ),
    Language(
        code="ar",
        un_official=True,
        script="ARABIC",
        openers=(r"(إن )?الجمعية العامة", r"(إن )?مجلس حقوق الإنسان"),
        meetings_unnumbered=("الجلسة العامة",),
        adopted=("اعتمد",),
    ),
    Language(
        code="zh",
        un_official=True,
        script="CJK",
        openers=(r"大会", r"人权理事会", r"安全理事会"),
        meetings_unnumbered=("全体会议",),
        adopted=("通过",),
    ),
    # German: told apart from the other Latin-script languages, nothing more yet.
    Language(
        code="de",
        stopwords=frozenset({"der", "die", "das", "und", "von", "zu", "den", "mit", "für",
                             "menschenrechte"}),
    ),
)}
# fmt: on


def every(table: str) -> tuple[str, ...]:
    """One table (`"openers"`, `"months"`, ...) of every language, in the order above,
    each entry once."""
    return tuple(
        dict.fromkeys(entry for lang in LANGUAGES.values() for entry in getattr(lang, table))
    )


def any_of(table: str) -> str:
    """A regular-expression alternative of one table of every language; plain words
    are escaped, patterns are taken as they are."""
    entries = every(table)
    return "|".join(entries if table in PATTERNS else (re.escape(e) for e in entries))


def detect_language(text: str) -> str:
    """The language of a version, from its script or its commonest small words."""
    letters = [c for c in text if c.isalpha()]
    if letters:
        scripts = Counter(unicodedata.name(c, "?").split()[0] for c in letters[:4000])
        script, count = scripts.most_common(1)[0]
        if count > len(letters[:4000]) / 2:
            for language in LANGUAGES.values():
                if language.script and language.script == script:
                    return language.code
    words = Counter(re.findall(r"[a-zà-ÿ]+", text.lower()))
    scores = {
        lang.code: sum(words[w] for w in lang.stopwords)
        for lang in LANGUAGES.values()
        if lang.stopwords
    }
    return max(scores, key=lambda code: scores[code])


def is_un_language(code: str) -> bool:
    """Whether a version in this language is official unless it says otherwise."""
    return code in LANGUAGES and LANGUAGES[code].un_official


def month_numbers(code: str) -> dict[str, int]:
    """Month names of a language (wide and abbreviated, in a date and standing alone),
    lowercased, to their numbers, from Babel's data; none for a language it lacks."""
    try:
        from babel.dates import get_month_names

        names = {}
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context, locale=code).items():
                    names[name.lower().rstrip(".")] = number
        return names
    except Exception:  # an unknown language: English months only
        return {}
