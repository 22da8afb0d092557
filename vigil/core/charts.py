"""Charts inside reports, drawn by matplotlib: SVG for HTML and PDF (the text stays
text, so it can be searched and read back) and PNG for Word, which cannot hold SVG.

The screens draw their own charts as SVG in templates; these are for files.
Matplotlib's object API is used (no pyplot), with its one global setting made once.
"""

import io
import os
from dataclasses import dataclass

from django.conf import settings

# Matplotlib keeps a font cache; under the data folder, never in a home directory
# that a server account may not have.
os.environ.setdefault("MPLCONFIGDIR", str(settings.DATA_DIR / "cache" / "matplotlib"))

COLOUR = "#1f5f8b"
LABEL_CHARS = 40


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
            label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"
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
