"""Reading UN resolution text into structure, without Django.

A resolution arrives as text the UN printed or someone copied from a web page or a
PDF, in one language or several one after the other; `parse` reads it into a
`Parsed` resolution (versions, preamble, numbered operative paragraphs with their
lead verbs, footnotes, and what each paragraph cites), or raises `ParseError`
saying why it cannot. The library's services store what it returns; nothing here
touches the database.

The package has four rooms, each owning one concern:

- `languages`: what the parser knows about each language, as data (one place to
  add a language);
- `cleanup`: text as printed made into text as written, page furniture dropped;
- `structure`: versions, headers, paragraphs and footnotes, and the result;
- `citations`: the resolutions and documents a paragraph names.

It imports only the standard library and Babel (month names): no Django and no
other Vigil app, so it can be tested and run on a file alone.

`parsing.citations` is the function (what callers use); its module is imported by
name, `from vigil.library.parsing.citations import ...`.
"""

from vigil.library.parsing.citations import citations
from vigil.library.parsing.cleanup import clean
from vigil.library.parsing.structure import (
    Footnote,
    Operative,
    Parsed,
    ParseError,
    Version,
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
