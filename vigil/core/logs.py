"""Logs that name the code, never the data.

Vigil's own log lines carry ids and error types only. What remains is what other
code puts in an exception's message: a database error that quotes the value it
refused, a lookup that names the key it missed. So every traceback is written as the
frames that raised it (file, line, function: code, not data) and each exception's
type, with its message withheld. Someone debugging a failure has where it happened
and what kind it was; reproducing it on test data gives the rest.

Credentials are withheld from every line too, whoever wrote it and in every mode: a
library that logs an Authorization header it did not expect (django-ninja does, in
debug mode), a development server or proxy that logs the request line with its
query string, a dictionary of headers printed on the way to a failure. The value of
any credential header (Authorization, Proxy-Authorization, Cookie, Set-Cookie, API
key and token headers), of anything that follows an authentication scheme (Basic,
Bearer, Digest, Token...), of a Vigil API token (`vgl_...`) and of query parameters
named like a secret (token, code, password, key, secret, session, signature) is
replaced by `[withheld]`, and so is the whole query string of a request line (a
server's "Error handling request GET /path?..." names no parameter by its kind).

`JsonFormatter` writes the same content as one JSON object per line
(`VIGIL_LOG_FORMAT=json`), for a log shipper that parses fields instead of text.
"""

import json
import logging
import re
import time
import traceback

WITHHELD = "[withheld]"

# A header name followed by its value, as a header line, a dict entry, or a
# keyword: `Authorization: Basic abc`, `'Cookie': 'a=b; c=d'`, `HTTP_X_API_KEY=...`.
_HEADER = re.compile(
    r"""(?ix)
    (\b(?:http_)?(?:proxy[-_])?(?:authorization|set[-_]cookie|cookie|x[-_]api[-_]key
        |api[-_]key|x[-_]auth[-_]token|x[-_]csrftoken|x[-_]amz[-_]security[-_]token)\b
     ['"]?\s*[:=]\s*)
    (?:'[^']*'|"[^"]*"|[^\r\n}]*)
    """
)
# An authentication scheme and what follows it, wherever it appears, when that looks
# like a credential (a digit or symbol in six characters or more, or sixteen of any),
# so that plain words after "token" stay readable.
_SCHEME = re.compile(
    r"(?i)\b(basic|bearer|digest|token|negotiate|ntlm|hoba|mutual|aws4-hmac-sha256)"
    r"(?:\s+|(?=vgl_))"
    r"(?:(?=[^\s'\"]*[0-9+/=_.~-])[^\s'\"]{6,}|[^\s'\"]{16,})"
    r"(?:\s*,\s*[^\s'\"]+)*"
)
_API_TOKEN = re.compile(r"\bvgl_[A-Za-z0-9_\-]+")
# Query parameters (and form-encoded pairs) whose name says they carry a secret.
_QUERY = re.compile(
    r"(?i)([?&;]|\b)((?:[a-z0-9_\-]*[_\-])?(?:token|code|password|passwd|pwd|passphrase"
    r"|secret|key|session|sessionid|signature|sig|auth|csrfmiddlewaretoken)=)[^&\s'\"#]*"
)


# A request line, as a server writes it ("Error handling request GET /submit/?code=..."):
# the path stays, the whole query string goes (a receipt code, a posted search's token,
# a filter are all in it, named however).
_REQUEST_LINE = re.compile(
    r"\b((?:GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS|CONNECT|TRACE)\s+[^\s?'\"]*)\?[^\s'\"]*"
)


def redact(text: str) -> str:
    """`text` with every credential it appears to carry replaced by `[withheld]`, and
    the query string of any request line it holds."""
    text = _REQUEST_LINE.sub(lambda m: m.group(1) + "?" + WITHHELD, text)
    text = _HEADER.sub(lambda m: m.group(1) + WITHHELD, text)
    text = _SCHEME.sub(lambda m: m.group(1) + " " + WITHHELD, text)
    text = _API_TOKEN.sub(WITHHELD, text)
    return _QUERY.sub(lambda m: m.group(1) + m.group(2) + WITHHELD, text)


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        """The line as logging would write it, with credentials withheld."""
        return redact(super().format(record))

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


class JsonFormatter(RedactingFormatter):
    """One JSON object per line: `time` (UTC, ISO 8601), `level`, `logger`,
    `message`, `request_id` when the line was written while answering a request
    (core/metrics.py), and `exception` (frames and types, as in plain text).

    Each field is withheld from as the plain line is, before it is encoded: a
    replacement made in the encoded line could cut a string open and break the
    object, and a shipper would then keep the line as raw text."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        if getattr(record, "request_id", ""):
            entry["request_id"] = record.request_id
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack"] = redact(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=False)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
        return f"{stamp}.{int(record.msecs):03d}Z"
