"""The reports `build_report` knows, registered by the apps that make them (in
their AppConfig.ready), so that core depends on none of them."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from vigil.core.permissions import Perm, has_perm

FORMATS = ("pdf", "docx", "html")


@dataclass(frozen=True)
class Built:
    content: bytes
    filename: str  # its extension is the format


# builder(start, end, fmt, progress=callable(total)->bar, **options) -> Built
Builder = Callable[..., Built]


@dataclass(frozen=True)
class Kind:
    name: str
    label: str  # lazily translated
    builder: Builder
    requires: tuple[Perm, ...]  # all of them, to build it from the desk


_kinds: dict[str, Kind] = {}


def register_report(
    name: str, builder: Builder, *, label: Any, requires: tuple[Perm, ...] = (Perm.BUILD_REPORTS,)
) -> None:
    _kinds[name] = Kind(name, label, builder, requires)


def names() -> list[str]:
    return sorted(_kinds)


def allowed(user: Any) -> list[Kind]:
    """The reports `user` may build from the desk, in the order of their labels."""
    kinds = [k for k in _kinds.values() if all(has_perm(user, p) for p in k.requires)]
    return sorted(kinds, key=lambda k: str(k.label))


def label(name: str) -> str:
    return str(_kinds[name].label)


def build(name: str, *, start: date, end: date, fmt: str, **options: Any) -> Built:
    return _kinds[name].builder(start=start, end=end, fmt=fmt, **options)
