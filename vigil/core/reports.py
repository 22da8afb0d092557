"""The reports `build_report` knows, registered by the apps that make them (in
their AppConfig.ready), so that core depends on none of them."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

FORMATS = ("pdf", "docx", "html")


@dataclass(frozen=True)
class Built:
    content: bytes
    filename: str  # its extension is the format


# builder(start, end, fmt, progress=callable(total)->bar, **options) -> Built
Builder = Callable[..., Built]
_builders: dict[str, Builder] = {}


def register_report(name: str, builder: Builder) -> None:
    _builders[name] = builder


def names() -> list[str]:
    return sorted(_builders)


def build(name: str, *, start: date, end: date, fmt: str, **options: Any) -> Built:
    return _builders[name](start=start, end=end, fmt=fmt, **options)
