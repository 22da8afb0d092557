"""A choropleth world map drawn on the server (SVG, no JavaScript), from the
geometry shipped in static/geo/world-110m.json (scripts/make-world-map)."""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders

from vigil.core.vocabularies import country_name

# Upper bounds of the classes (the last is open): 1-4, 5-19, 20-49, 50 and more.
BOUNDS = (5, 20, 50)


@cache
def world() -> dict[str, Any]:
    return json.loads(Path(finders.find("geo/world-110m.json")).read_text())


def band(value: int) -> int:
    """0 for none, then 1 to 4 by BOUNDS."""
    if value <= 0:
        return 0
    return 1 + sum(1 for bound in BOUNDS if value >= bound)


def band_label(number: int) -> str:
    edges = (1, *BOUNDS)
    if number == 0:
        return "0"
    if number == len(edges):
        return f"{edges[-1]}+"
    return f"{edges[number - 1]}–{edges[number] - 1}"


@dataclass
class Shape:
    code: str
    name: str
    d: str
    value: int
    band: int
    shown: str  # what the title says: the number, or only its band on public maps
    link: str


def choropleth(counts: dict[str, int], *, exact: bool, link: Any = None) -> dict[str, Any]:
    """The map's shapes, each country coloured by the band of its count. With
    `exact` False (public pages) only the band is told, never the number."""
    geometry = world()
    shapes = []
    for code, d in geometry["countries"].items():
        value = counts.get(code, 0)
        number = band(value)
        shapes.append(
            Shape(
                code=code,
                name=country_name(code),
                d=d,
                value=value,
                band=number,
                shown=str(value) if exact else band_label(number),
                link=link(code) if (link and value) else "",
            )
        )
    return {
        "width": geometry["width"],
        "height": geometry["height"],
        "shapes": shapes,
        "legend": [(n, band_label(n)) for n in range(len(BOUNDS) + 2)],
    }


# --- The public map ---------------------------------------------------------------


def public_bounds() -> tuple[int, ...]:
    """The lower edges of the public map's classes above the first: the first class
    runs from 0 to the small-count threshold minus one, so that a country with a
    few acts looks like one with none."""
    from vigil.stats.suppression import threshold

    limit = threshold()
    return (limit, *(bound for bound in BOUNDS if bound > limit))


def public_band_number(value: int) -> int:
    return sum(1 for bound in public_bounds() if value >= bound)


def public_band_label(number: int) -> str:
    edges = (0, *public_bounds())
    if number == len(edges) - 1:
        return f"{edges[-1]}+"
    return f"{edges[number]}–{edges[number + 1] - 1}"


def public_band(value: int) -> str:
    """What the public map tells of a count: only its class ("0–4", "5–19", "50+")."""
    return public_band_label(public_band_number(value))


def public_choropleth(counts: dict[str, int]) -> dict[str, Any]:
    """The public map: each country coloured by its class, and told only as that."""
    geometry = world()
    shapes = []
    for code, d in geometry["countries"].items():
        value = counts.get(code, 0)
        number = public_band_number(value)
        shapes.append(
            Shape(
                # `value` holds the class, not the count: the page never has it.
                code=code, name=country_name(code), d=d, value=number, band=number,
                shown=public_band_label(number), link="",
            )
        )  # fmt: skip
    return {
        "width": geometry["width"],
        "height": geometry["height"],
        "shapes": shapes,
        "legend": [(n, public_band_label(n)) for n in range(len(public_bounds()) + 1)],
    }
