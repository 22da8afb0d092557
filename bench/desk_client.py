"""A person's browser against a Vigil server over plain HTTP, for the load benchmark
(bench/million.py) and the cluster test (cluster/run.py): cookies kept, the hidden
fields of a form read, and signing in with a password and an authenticator code."""

import http.client
import re
import time
import urllib.parse


class DeskClient:
    """`host`, `port`: where to connect (from `source`, an address of this machine,
    when given). `name`: the site's host name in the headers. Straight to gunicorn on
    loopback, `forwarded_https` says https as the proxy (nginx) would; `keep_alive`
    keeps one connection open and tries once more when the server has closed it."""

    def __init__(
        self, host: str, port: int, *, name: str | None = None, source: str | None = None,
        keep_alive: bool = False, forwarded_https: bool = False, timeout: float = 60,
        cookies: dict[str, str] | None = None,
    ) -> None:  # fmt: skip
        self.host, self.port, self.name = host, port, name or host
        self.source, self.keep_alive, self.timeout = source, keep_alive, timeout
        self.forwarded_https = forwarded_https
        self.cookies = dict(cookies or {})
        self.connection: http.client.HTTPConnection | None = None

    def _connect(self) -> http.client.HTTPConnection:
        if self.connection is None:
            source = (self.source, 0) if self.source else None
            self.connection = http.client.HTTPConnection(
                self.host, self.port, timeout=self.timeout, source_address=source
            )
        return self.connection

    def _close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def request(self, method: str, path: str, fields: dict | None = None) -> tuple[int, str, str]:
        """(status, Location, body); status 0 when the server could not be reached."""
        headers = {
            "Host": self.name,
            "Origin": f"https://{self.name}",
            "Referer": f"https://{self.name}{path}",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        if self.forwarded_https:
            headers["X-Forwarded-Proto"] = "https"
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for _attempt in range(2 if self.keep_alive else 1):
            try:
                connection = self._connect()
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                text = response.read().decode(errors="replace")
                break
            except (http.client.HTTPException, OSError):
                self._close()  # the server closed a kept-alive connection, or is down
        else:
            return 0, "", ""
        if not self.keep_alive:
            self._close()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location") or "", text

    def form(self, path: str) -> dict[str, str]:
        """The hidden fields a form at `path` must send back (empty if it is not there)."""
        status, _, page = self.request("GET", path)
        if status != 200:
            return {}
        found = {}
        for name in ("csrfmiddlewaretoken", "form_token"):
            match = re.search(rf'name="{name}" value="([^"]+)"', page)
            if match:
                found[name] = match[1]
        return found

    def log_in(self, username: str, password: str, totp_key: str) -> bool:
        """Sign in with the password and the authenticator (hex `totp_key`)."""
        from django_otp.oath import TOTP

        hidden = self.form("/desk/login/")
        status, location, _ = self.request(
            "POST", "/desk/login/", {**hidden, "username": username, "password": password}
        )
        if status != 302 or "two-factor" not in location:
            return False
        hidden = self.form("/desk/two-factor/")
        totp = TOTP(bytes.fromhex(totp_key))
        totp.time = time.time()
        status, _, _ = self.request(
            "POST", "/desk/two-factor/", {**hidden, "code": f"{totp.token():06d}"}
        )
        return status == 302
