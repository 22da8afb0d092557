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
