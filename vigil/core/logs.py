"""Logs that name the code, never the data.

Vigil's own log lines carry ids and error types only. What remains is what other
code puts in an exception's message: a database error that quotes the value it
refused, a lookup that names the key it missed. So every traceback is written as the
frames that raised it (file, line, function: code, not data) and each exception's
type, with its message withheld. Someone debugging a failure has where it happened
and what kind it was; reproducing it on test data gives the rest.
"""

import logging
import traceback


class RedactingFormatter(logging.Formatter):
    def formatException(self, ei) -> str:  # type: ignore[no-untyped-def]  # noqa: N802
        chain: list[BaseException] = []
        error: BaseException | None = ei[1]
        while error is not None and all(error is not seen for seen in chain):
            chain.append(error)
            error = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
        lines: list[str] = []
        for position, error in enumerate(reversed(chain)):
            if position:
                lines.append("The above led to:")
            lines.append("Traceback (most recent call last):")
            lines.extend(
                f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}'
                for frame in traceback.extract_tb(error.__traceback__)
            )
            kind = type(error)
            lines.append(f"{kind.__module__}.{kind.__qualname__} (message withheld)")
        return "\n".join(lines)
