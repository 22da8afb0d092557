"""Charts, for the screens and for files.

For the screens, chart data: where each label, bar and value of a bar chart or a
trend line goes, for the templates to draw as SVG on the server (no JavaScript,
nothing from another host). The numbers come from elsewhere (counting.py,
public.py); this module only places them.

For files, `Chart`, drawn by matplotlib: SVG for HTML and PDF reports (the text
stays text, so it can be searched and read back) and PNG for Word, which cannot
hold SVG. Matplotlib's object API is used (no pyplot), with its one global setting
made once.
"""

import io
import os
from dataclasses import dataclass
from typing import Any

from django.conf import settings

# --- Chart data for the screens ------------------------------------------------------

BAR = 22  # the height of a row of a bar chart, in its own units
LABEL = 190  # the room for the labels, left of the bars
WIDTH = 250  # the length of the longest bar
LABEL_CHARS = 28


def bars(items: list[tuple[str, int | None, str, Any]]) -> list[dict[str, Any]]:
    """Where the label, bar and value of each item go in a server-drawn SVG chart.

    Each item is (label, value, the value as shown, what the bar stands for). A value
    of None draws no bar, only what is shown (a public chart's hidden "<5")."""
    most = max((value or 0 for _label, value, _shown, _item in items), default=0)
    drawn = []
    for index, (label, value, shown, item) in enumerate(items):
        width = round(WIDTH * (value or 0) / most) if most else 0
        short = label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"
        drawn.append(
            {
                "bucket": item,
                "title": label,
                "label": short,
                "shown": shown,
                "y": index * BAR,
                "text_y": index * BAR + 13,
                "x": LABEL,
                "width": width,
                "text_x": LABEL + width + 4,
            }
        )
    return drawn


def chart_height(items: list[Any]) -> int:
    return max(len(items), 1) * BAR


def bar_chart(counts: list[tuple[str, int]]) -> dict[str, Any]:
    """A bar chart of (label, count) pairs, as the template `stats/includes/bars.html`
    takes it."""
    items = [(label, n, str(n), None) for label, n in counts]
    return {"bars": bars(items), "height": chart_height(items)}


def line(
    items: list[tuple[Any, int]], width: int = 480, height: int = 160, margin: int = 24
) -> dict[str, Any]:
    """A trend line over (what the point stands for, value) pairs, in order."""
    count = len(items)
    most = max((value for _item, value in items), default=0) or 1
    step = (width - 2 * margin) / max(count - 1, 1)
    points = [
        {
            "bucket": item,
            "x": round(margin + index * step, 1),
            "y": round(height - margin - (height - 2 * margin) * value / most, 1),
        }
        for index, (item, value) in enumerate(items)
    ]
    return {
        "width": width,
        "height": height,
        "baseline": height - margin,
        "points": points,
        "polyline": " ".join(f"{p['x']},{p['y']}" for p in points),
    }


# --- Charts in files (reports) ------------------------------------------------------

# Matplotlib keeps a font cache; under the data folder, never in a home directory
# that a server account may not have.
os.environ.setdefault("MPLCONFIGDIR", str(settings.DATA_DIR / "cache" / "matplotlib"))

COLOUR = "#1f5f8b"
FILE_LABEL_CHARS = 40


@dataclass(frozen=True)
class Chart:
    title: str
    labels: list[str]
    values: list[int]
    columns: bool = False  # vertical columns (years) rather than horizontal bars

    def svg(self) -> str:
        """The chart as an <svg> element, to be placed inline in HTML."""
        text = self._draw("svg").decode()
        return text[text.index("<svg") :]

    def png(self) -> bytes:
        return self._draw("png")

    def _draw(self, fmt: str) -> bytes:
        _configure()
        from matplotlib.figure import Figure

        labels = [
            label if len(label) <= FILE_LABEL_CHARS else label[: FILE_LABEL_CHARS - 1] + "…"
            for label in self.labels
        ]
        height = 2.4 if self.columns else max(1.4, 0.32 * len(labels) + 0.8)
        figure = Figure(figsize=(6.4, height), dpi=150)
        axes = figure.add_subplot()
        if self.columns:
            drawn = axes.bar(labels, self.values, color=COLOUR)
            axes.tick_params(axis="x", labelsize=7, rotation=0 if len(labels) < 12 else 45)
        else:
            positions = range(len(labels))
            drawn = axes.barh(positions, self.values, color=COLOUR)
            axes.set_yticks(list(positions), labels, fontsize=7)
            axes.invert_yaxis()  # the first label on top, as in the table beside it
        axes.bar_label(drawn, fontsize=7, padding=2)
        axes.tick_params(labelsize=7)
        axes.spines[["top", "right"]].set_visible(False)
        axes.set_title(self.title, fontsize=9, loc="left")
        figure.tight_layout()
        output = io.BytesIO()
        options = {"metadata": {"Date": None}} if fmt == "svg" else {}
        figure.savefig(output, format=fmt, **options)
        return output.getvalue()


_configured = False


def _configure() -> None:
    """Once per process, before any drawing: SVG text stays text rather than glyph
    outlines. (Set globally, not per chart: a per-chart context would change the
    global settings under a chart drawn at the same time in another thread.)"""
    global _configured
    if not _configured:
        import matplotlib

        matplotlib.rcParams["svg.fonttype"] = "none"
        # Chinese labels: DejaVu Sans first, then a CJK font when the machine has one
        # (matplotlib falls back glyph by glyph). Arabic is in DejaVu Sans; in SVG the
        # text stays text, so the browser or WeasyPrint joins and orders its letters.
        matplotlib.rcParams["font.family"] = ["DejaVu Sans", *CJK_FONTS]
        _configured = True


CJK_FONTS = ["WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans SC"]
