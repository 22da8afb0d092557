"""The resolution reader: the seed file, hand-made variants, and generated
resolutions in the styles real documents come in (property tests)."""

import re
import textwrap
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vigil.library import parsing

# The seed resolution ships with the project: English, then an unofficial Dutch
# machine translation with all the faults of text copied out of a PDF.
SEED = Path(__file__).resolve().parents[1] / "data" / "A-RES-72-247.en-nl.txt"
ENGLISH_LEADS = [
    "Stresses", "Calls upon", "Welcomes", "Urges", "Encourages", "Underlines",
    "Strongly condemns", "Condemns", "Calls upon", "Strongly reaffirms",
    "Continues to express particular concern", "Urges", "Welcomes", "Decides", "Encourages",
    "Requests", "Also requests", "Requests", "Requests", "Decides",
]  # fmt: skip


@pytest.fixture(scope="module")
def seed():
    return parsing.parse(SEED.read_text(encoding="utf-8"))


def test_the_seed_holds_an_english_and_a_dutch_version_of_72_247(seed):
    assert seed.symbol == "A/RES/72/247"
    assert seed.title.startswith("Twentieth anniversary and promotion of the Declaration")
    assert seed.adopted_on == date(2017, 12, 24)
    assert [v.language for v in seed.versions] == ["en", "nl"]
    assert [v.status for v in seed.versions] == ["official", "unofficial"]


def test_both_versions_have_twenty_operative_paragraphs_numbered_in_order(seed):
    for version in seed.versions:
        assert [o.number for o in version.operative] == list(range(1, 21)), version.language


def test_every_english_paragraph_has_its_lead_verb(seed):
    english = seed.versions[0]
    assert [o.lead_verb for o in english.operative] == ENGLISH_LEADS
    for operative in english.operative:
        assert operative.text.startswith(operative.lead_verb)
        assert "*" not in operative.text and "](" not in operative.text


def test_paragraph_16_cites_the_five_earlier_resolutions_in_both_languages(seed):
    for version in seed.versions:
        assert version.operative[15].cites == ["62/152", "64/163", "66/164", "68/181", "70/161"]


def test_a_paragraph_cut_by_footnotes_and_a_page_break_is_joined_back(seed):
    english, dutch = seed.versions
    assert english.operative[3].text.endswith("such practices can never be justified;")
    assert "all cases of violence and discrimination" in english.operative[3].text
    # Dutch paragraph 15 runs over a page: its end is on the next page.
    assert dutch.operative[14].text.endswith("bedoeld in paragraaf 14 hierboven;")
    assert dutch.operative[10].text.endswith("68/181;")


def test_the_dutch_furniture_is_dropped_and_symbols_lose_their_stray_spaces(seed):
    dutch = seed.versions[1]
    everything = " ".join(dutch.preambular + [o.text for o in dutch.operative])
    for furniture in ("17-23331", "1723331", "A / RES", "Twintigste verjaardag"):
        assert furniture not in everything
    assert not re.search(r"(?<![\d/])[2-6]/6(?![\d/])", everything)  # page numbers
    assert dutch.operative[2].cites == ["A/72/170", "A/HRC/36/31"]  # via footnotes 8 and 9
    assert [f.number for f in dutch.footnotes] == list(range(1, 12))
    assert dutch.footnotes[7].text == "A/72/170."


def test_footnotes_are_read_with_their_markers_out_of_the_text(seed):
    english = seed.versions[0]
    assert [f.number for f in english.footnotes] == list(range(1, 13))
    assert english.footnotes[0].text == "Resolution 217 A (III)."
    assert all("¹" not in p and "⁶" not in p for p in english.preambular)
    assert english.preambular_cites[1] == ["217 A (III)", "2200 A (XXI)"]
    assert len(english.preambular) == 18


def test_the_json_form_has_the_documented_shape(seed):
    data = seed.as_json()
    assert set(data) >= {"symbol", "title", "versions"}
    version = data["versions"][0]
    assert set(version) >= {"language", "status", "preambular", "operative", "footnotes"}
    assert set(version["operative"][0]) == {"number", "lead_verb", "text", "cites"}
    assert isinstance(version["preambular"][0], str)


# --- Hand-made variants ------------------------------------------------------------------

PLAIN = """
United Nations                                   A/RES/70/161

General Assembly

Resolution adopted by the General Assembly on 17 December 2015

70/161. Human rights defenders in the context of the Declaration

The General Assembly,

Recalling its resolution 53/144 of 9 December 1998,

Deeply concerned that human rights defenders face threats,

1. Reaffirms the Declaration;

2. Calls upon all States to take all measures necessary to protect human
rights defenders, including in the context of resolutions 66/164 and 68/181;

15-16789

3. Further encourages
States to publish their laws;

4. Decides to remain seized of the question.

80th plenary meeting
17 December 2015
"""


def test_a_plain_text_resolution_without_markup_is_read():
    parsed = parsing.parse(PLAIN)
    assert parsed.symbol == "A/RES/70/161"
    assert parsed.adopted_on == date(2015, 12, 17)
    (version,) = parsed.versions
    assert version.language == "en"
    assert len(version.preambular) == 2
    assert [o.lead_verb for o in version.operative] == [
        "Reaffirms", "Calls upon", "Further encourages", "Decides",
    ]  # fmt: skip
    assert version.operative[1].cites == ["66/164", "68/181"]
    assert version.operative[2].text == "Further encourages States to publish their laws;"


FRENCH = """
Résolution adoptée par l’Assemblée générale le 17 décembre 2015

70/161. Les défenseurs des droits de l’homme

L’Assemblée générale,

Rappelant sa résolution 53/144 du 9 décembre 1998,

1. *Réaffirme* la Déclaration ;

2. *Demande* à tous les États de protéger les défenseurs, conformément aux
résolutions 66/164 et 68/181 ;

3. *Décide* de rester saisie de la question.
"""


def test_a_french_version_after_the_english_one_is_read_and_aligned():
    english_part = PLAIN.split("80th plenary")[0] + "80th plenary meeting\n"
    parsed = parsing.parse(english_part + "\n" + FRENCH)
    assert [v.language for v in parsed.versions] == ["en", "fr"]
    french = parsed.versions[1]
    assert french.status == "official"
    assert french.adopted_on == date(2015, 12, 17)
    assert [o.lead_verb for o in french.operative] == ["Réaffirme", "Demande", "Décide"]
    assert french.operative[1].cites == ["66/164", "68/181"]
    assert french.title == "Les défenseurs des droits de l’homme"
    assert any("3 operative paragraphs" in w or "4 operative" in w for w in parsed.warnings)


def test_a_version_that_says_it_is_a_machine_translation_is_marked_so():
    marked = FRENCH.replace("Résolution adoptée", "Traduction automatique\n\nRésolution adoptée")
    assert parsing.parse(marked).versions[0].status == "machine"
    assert parsing.parse(FRENCH, statuses={"fr": "unofficial"}).versions[0].status == "unofficial"


def test_text_that_is_not_a_resolution_is_refused_with_a_reason():
    with pytest.raises(parsing.ParseError, match="does not look like a resolution"):
        parsing.parse("Dear colleagues,\n\nPlease find the minutes attached.\n")
    with pytest.raises(parsing.ParseError, match="no numbered operative paragraph"):
        parsing.parse("70/1. Something\n\nThe General Assembly,\n\nRecalling things,\n")


def test_symbols_printed_with_stray_spaces_are_put_together():
    assert parsing.clean("see [A / HRC / 36/31 .](#) and A / 72/439 / Add.2") == (
        "see A/HRC/36/31. and A/72/439/Add.2"
    )
    assert parsing.citations("see A/HRC/36/31. and A/72/439/Add.2, resolution 70/161") == [
        "A/HRC/36/31", "A/72/439/Add.2", "70/161",
    ]  # fmt: skip


# --- Generated resolutions ----------------------------------------------------------------

VERBS = ["Decides", "Requests", "Calls upon", "Urges", "Welcomes", "Also requests",
         "Strongly condemns", "Encourages", "Reaffirms", "Takes note"]  # fmt: skip
PREAMBLE_OPENINGS = ["Recalling", "Reaffirming", "Concerned", "Noting", "Bearing in mind"]
WORDS = st.sampled_from(
    [
        "states",
        "human",
        "rights",
        "defenders",
        "protection",
        "measures",
        "the",
        "of",
        "and",
        "to",
        "in",
        "all",
        "their",
        "work",
        "including",
        "civil",
        "society",
        "national",
        "institutions",
        "law",
        "policies",
        "safety",
    ]
)
SENTENCE = st.lists(WORDS, min_size=3, max_size=30).map(" ".join)


@st.composite
def resolutions(draw):
    preamble = [
        f"{draw(st.sampled_from(PREAMBLE_OPENINGS))} {draw(SENTENCE)},"
        for _ in range(draw(st.integers(1, 6)))
    ]
    count = draw(st.integers(1, 25))
    operative = []
    for number in range(1, count + 1):
        verb = draw(st.sampled_from(VERBS))
        cite = draw(st.sampled_from(["", " as in resolution 64/163", " and A/HRC/22/6"]))
        end = "." if number == count else ";"
        operative.append((number, verb, f"{draw(SENTENCE)}{cite}{end}"))
    style = {
        "italics": draw(st.booleans()),
        "lone_numbers": draw(st.booleans()),
        "width": draw(st.sampled_from([0, 60, 80])),  # 0: one line per paragraph
        "furniture": draw(st.booleans()),
        "spaced_symbols": draw(st.booleans()),
        "single_newlines": draw(st.booleans()),  # as copied from a web page
    }
    return preamble, operative, style


def render(preamble, operative, style) -> str:
    def wrap(text: str) -> str:
        return "\n".join(textwrap.wrap(text, style["width"])) if style["width"] else text

    parts = ["Resolution adopted by the General Assembly on 3 March 2021", "75/999. A test title"]
    parts += ["The General Assembly,", *(wrap(p) for p in preamble)]
    for number, verb, text in operative:
        lead = f"*{verb}*" if style["italics"] else verb
        body = wrap(f"{lead} {text}")
        if style["spaced_symbols"]:
            body = body.replace("A/HRC/22/6", "A / HRC / 22/6")
        parts += [f"{number}.", body] if style["lone_numbers"] else [f"{number}. {body}"]
        if style["furniture"] and number % 3 == 0:
            parts += ["A/RES/75/999", "21-01234", f"{number // 3}/9"]
    parts.append("90th plenary meeting")
    separator = "\n" if style["single_newlines"] and not style["width"] else "\n\n"
    return separator.join(parts) + "\n"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(resolutions())
@pytest.mark.slow  # Hypothesis: many generated resolutions
def test_any_resolution_in_these_styles_is_read_back_whole(resolution):
    preamble, operative, style = resolution
    parsed = parsing.parse(render(preamble, operative, style))
    (version,) = parsed.versions
    assert parsed.symbol == "A/RES/75/999"
    assert [o.number for o in version.operative] == [n for n, _v, _t in operative]
    assert [o.lead_verb for o in version.operative] == [v for _n, v, _t in operative]
    assert version.preambular == preamble
    for read, (_n, verb, text) in zip(version.operative, operative, strict=True):
        assert read.text == f"{verb} {text}"
        expected = [c for c in ("64/163", "A/HRC/22/6") if c in text]
        assert read.cites == expected
