"""The stylesheet's colour pairs keep WCAG AA contrast (4.5:1 for body text)."""

import re
from pathlib import Path

import pytest

CSS = Path(__file__).resolve().parents[1] / "static/css/vigil.css"

# (text, background) as used in the stylesheet.
PAIRS = [
    ("--ink", "--paper"),  # body text
    ("--link", "--paper"),  # links
    ("--muted", "--paper"),  # help text, footer
    ("--muted", "--wash"),  # figure labels
    ("--error", "--paper"),  # error messages
    ("#ffffff", "--brand"),  # header text and links
    ("--brand", "#ffffff"),  # the language button
    ("--ink", "--focus"),  # the skip link when focused
]


def variables() -> dict[str, str]:
    return dict(re.findall(r"(--[\w-]+):\s*(#[0-9a-fA-F]{6})", CSS.read_text()))


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_contrast_formula_matches_known_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize(("text", "background"), PAIRS)
def test_text_colours_have_enough_contrast(text, background):
    colours = variables()
    text_hex = colours.get(text, text)
    background_hex = colours.get(background, background)
    assert contrast(text_hex, background_hex) >= 4.5, (text, background)
