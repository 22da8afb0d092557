"""A progress bar for long commands (report builds, imports, key rotation)."""

from typing import TextIO


class ProgressBar:
    """`[#########-----------]  45%  9/20 label`, redrawn in place on a terminal and
    written once per tenth otherwise (so that logs stay short)."""

    WIDTH = 30

    def __init__(self, total: int, *, stream: TextIO, label: str = "") -> None:
        self.total = max(total, 0)
        self.done = 0
        self.stream = stream
        self.label = label
        self._interactive = getattr(stream, "isatty", lambda: False)()
        self._last_tenth = -1
        self._draw()

    def advance(self, step: int = 1) -> None:
        self.done = min(self.done + step, self.total)
        self._draw()

    def _draw(self) -> None:
        share = self.done / self.total if self.total else 1.0
        tenth = int(share * 10)
        if not self._interactive and tenth == self._last_tenth:
            return
        self._last_tenth = tenth
        filled = int(share * self.WIDTH)
        line = (
            f"[{'#' * filled}{'-' * (self.WIDTH - filled)}] {share:4.0%}  "
            f"{self.done}/{self.total} {self.label}".rstrip()
        )
        self.stream.write(("\r" + line) if self._interactive else line + "\n")
        self.stream.flush()

    def finish(self) -> None:
        self.done = self.total
        self._draw()
        if self._interactive:
            self.stream.write("\n")
            self.stream.flush()
