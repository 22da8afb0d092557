"""Reading UN resolution text into structure, without Django (see `structure`).

It imports only the standard library and Babel (month names): no Django and no
other Vigil app, so it can be tested and run on a file alone.
"""

from vigil.library.parsing.structure import (
    Footnote,
    Operative,
    Parsed,
    ParseError,
    Version,
    citations,
    clean,
    parse,
)

__all__ = [
    "Footnote",
    "Operative",
    "ParseError",
    "Parsed",
    "Version",
    "citations",
    "clean",
    "parse",
]
