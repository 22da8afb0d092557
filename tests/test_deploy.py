"""The files in deploy/ work as they are: nginx accepts its site, systemd its units,
gunicorn its settings; the units start commands that exist with flags they take;
the settings example names every setting Vigil reads; and a real nginx with the
site, in front of two gunicorns with deploy/gunicorn.conf.py, serves Vigil over TLS,
goes on serving when one of them is killed, and logs no query string.

Only what a test cannot have is adapted: ports, certificate and log paths (made in
a temporary folder), and /opt/vigil, the checkout's place on a server.
"""

import ast
import json
import os
import re
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import load_command_class

from conftest import manage_env, run_manage

ROOT = Path(settings.BASE_DIR)
DEPLOY = ROOT / "deploy"
SITE = DEPLOY / "nginx" / "vigil.conf"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
METRICS_TOKEN = "deploy-test-metrics-token-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- nginx ----------------------------------------------------------------------------


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for localhost, made with openssl as an operator would."""
    cert, key = folder / "fullchain.pem", folder / "privkey.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def adapted_site(folder: Path, *, upstreams: list[int], http: int, https: int) -> str:
    """deploy/nginx/vigil.conf with test ports, certificate and log; each thing
    replaced must be in the file, so that a change to the file is seen here."""
    text = SITE.read_text()
    cert, key = certificate(folder)
    replacements = {
        "server 10.0.0.11:8000": f"server 127.0.0.1:{upstreams[0]}",
        "server 10.0.0.12:8000": f"server 127.0.0.1:{upstreams[1]}",
        "listen 80;": f"listen 127.0.0.1:{http};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https} ssl http2;",
        "server_name vigil.example.org;": "server_name localhost;",
        "/etc/ssl/vigil/fullchain.pem": str(cert),
        "/etc/ssl/vigil/privkey.pem": str(key),
        "/var/log/nginx/vigil.access.log": str(folder / "access.log"),
        "/var/log/nginx/vigil.error.log": str(folder / "vigil-error.log"),
    }
    for old, new in replacements.items():
        assert old in text, f"deploy/nginx/vigil.conf no longer has {old!r}"
        text = text.replace(old, new)
    # No IPv6 on every test machine.
    return "\n".join(line for line in text.splitlines() if "listen [::]" not in line)


def nginx_config(folder: Path, site: str) -> Path:
    """A main nginx.conf, as a distribution's, that includes the site in its http block."""
    (folder / "vigil.conf").write_text(site)
    main = folder / "nginx.conf"
    temp = {name: folder / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    main.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"daemon off;\nworker_processes 1;\npid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'error.log'};\nevents {{ worker_connections 64; }}\n"
        "http {\n"
        + "".join(f"  {name}_temp_path {path};\n" for name, path in temp.items()).replace(
            "body_temp_path", "client_body_temp_path"
        )
        + f"  include {folder / 'vigil.conf'};\n}}\n"
    )
    return main


@pytest.fixture
def nginx_folder(tmp_path):
    if not Path(NGINX).exists():
        pytest.fail("nginx is missing: scripts/ensure-test-tools installs it")
    folder = tmp_path / "nginx"
    folder.mkdir()
    return folder


def test_nginx_accepts_the_site(nginx_folder):
    site = adapted_site(nginx_folder, upstreams=[free_port(), free_port()], http=8080, https=8443)
    main = nginx_config(nginx_folder, site)
    done = subprocess.run([NGINX, "-t", "-c", str(main)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "test is successful" in done.stderr


def directives(name: str) -> list[str]:
    text = re.sub(r"#.*", "", SITE.read_text())
    return [value.strip() for value in re.findall(rf"^\s*{name}\s+([^;]+);", text, re.M)]


def test_the_site_matches_vigils_limits_headers_and_logs():
    assert directives("client_max_body_size") == ["110m"]
    assert directives("ssl_protocols") == ["TLSv1.2 TLSv1.3"]
    assert directives("ssl_session_tickets") == ["off"]
    assert settings.REQUEST_MAX_BYTES == 110 * 1024 * 1024  # the default it mirrors
    assert directives("add_header") == []  # HSTS and the rest come from Vigil alone
    headers = directives("proxy_set_header")
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in headers
    assert "X-Forwarded-Proto $scheme" in headers
    assert "X-Request-ID $request_id" in headers
    assert directives("proxy_next_upstream") == ["error timeout http_502 http_503 http_504"]
    (log_format,) = re.findall(r"log_format vigil_noquery(.*?);", SITE.read_text(), re.S)
    for variable in ("$request ", "$request_uri", "$args", "$query_string", "$http_", "$cookie"):
        assert variable not in log_format
    assert all(line.endswith("vigil_noquery") for line in directives("access_log"))
    assert "$remote_addr" not in log_format  # who reported, and when
    assert directives("error_log") == ["/var/log/nginx/vigil.error.log crit"] * 2
    assert directives("server_tokens") == ["off"] * 2
    assert "location = /metrics" in SITE.read_text()


# --- systemd ----------------------------------------------------------------------------


def unit(name: str) -> dict[str, list[str]]:
    """The unit's directives: {key: [values in order]}."""
    found: dict[str, list[str]] = {}
    for line in (DEPLOY / "systemd" / name).read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def test_the_units_are_the_web_the_worker_and_the_scheduler():
    assert [u.name for u in UNITS] == [
        "vigil-scheduler.service",
        "vigil-web.service",
        "vigil-worker.service",
    ]


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_each_unit_is_hardened_and_writes_only_the_data_folder(path):
    found = unit(path.name)
    for key, value in {
        "User": "vigil",
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "PrivateTmp": "yes",
        "ProtectHome": "yes",
        "EnvironmentFile": "/etc/vigil/vigil.env",
        "ReadWritePaths": example_settings()["VIGIL_DATA_DIR"],
    }.items():
        assert found.get(key) == [value], f"{path.name}: {key}"


@pytest.mark.skipif(
    not shutil.which("systemd-analyze"),
    reason="systemd-analyze is not installed: the units' commands are still checked "
    "against manage.py's own parsers below",
)
def test_systemd_accepts_the_units_with_their_commands_in_place(tmp_path):
    """/opt/vigil is this checkout, so that systemd finds every executable."""
    for path in UNITS:
        (tmp_path / path.name).write_text(path.read_text().replace("/opt/vigil", str(ROOT)))
    done = subprocess.run(
        ["systemd-analyze", "verify", *(str(tmp_path / p.name) for p in UNITS)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "", done.stderr  # an unknown key is only a warning


def exec_start(name: str) -> list[str]:
    (line,) = unit(name)["ExecStart"]
    return shlex.split(line)


def run_huey_options(name: str) -> list[str]:
    """The unit's run_huey options, parsed by run_huey's own parser (which exits on
    an option it does not know)."""
    argv = exec_start(name)
    assert argv[:3] == ["/opt/vigil/.venv/bin/python", "/opt/vigil/manage.py", "run_huey"]
    parser = load_command_class("huey.contrib.djhuey", "run_huey").create_parser(
        "manage.py", "run_huey"
    )
    parser.parse_args(argv[3:])
    return argv[3:]


def test_the_workers_never_schedule_and_the_one_scheduler_does():
    worker = run_huey_options("vigil-worker.service")
    scheduler = run_huey_options("vigil-scheduler.service")
    assert "--no-periodic" in worker
    assert "--no-periodic" not in scheduler
    assert scheduler[scheduler.index("--workers") + 1] == "1"


def test_the_web_unit_runs_gunicorn_with_the_deploy_settings():
    argv = exec_start("vigil-web.service")
    assert argv[0] == "/opt/vigil/.venv/bin/gunicorn"
    assert argv[argv.index("--config") + 1] == "/opt/vigil/deploy/gunicorn.conf.py"
    assert argv[-1] == "vigil.wsgi"
    assert unit("vigil-web.service")["Type"] == ["notify"]  # gunicorn tells systemd it is up


# --- the settings example ------------------------------------------------------------------


def settings_read() -> set[str]:
    """Every environment variable vigil/settings.py reads, found in its code."""
    readers = {"os.environ.get", "os.getenv", "envbool", "envlist", "_keys", "_at_least"}
    names = set()
    for node in ast.walk(ast.parse((ROOT / "vigil" / "settings.py").read_text())):
        if (
            isinstance(node, ast.Call)
            and ast.unparse(node.func) in readers
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            names.add(node.args[0].value)
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
            names.add(ast.literal_eval(node.slice))
    return names


def example_settings() -> dict[str, str]:
    """NAME=value lines of deploy/vigil.env.example, set or commented out."""
    text = (DEPLOY / "vigil.env.example").read_text()
    return dict(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=(.*)$", text, re.M))


def test_the_settings_example_names_every_setting_vigil_reads_and_nothing_else():
    read = settings_read()
    assert {"VIGIL_SECRET_KEY", "VIGIL_METRICS_TOKEN", "VIGIL_LOG_FORMAT"} <= read
    # And the two that boto3 reads for the S3 file store (VIGIL_STORAGE_URL).
    assert set(example_settings()) == read | {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}


# --- gunicorn and a real run ------------------------------------------------------------------


def production_env(data: Path, **more: str) -> dict[str, str]:
    from cryptography.fernet import Fernet

    return manage_env(
        data,
        VIGIL_SECRET_KEY="deploy-test-" + "k" * 50,
        VIGIL_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        VIGIL_ALLOWED_HOSTS="localhost",
        VIGIL_TRUSTED_PROXIES="127.0.0.1",
        VIGIL_METRICS_TOKEN=METRICS_TOKEN,
        **more,
    )


def test_gunicorn_accepts_its_settings(tmp_path):
    env = production_env(tmp_path / "data")
    done = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--check-config", "--config",
         str(DEPLOY / "gunicorn.conf.py"), "vigil.wsgi"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.mark.slow  # a real gunicorn master
def test_gunicorn_refuses_a_metrics_folder_others_could_write(tmp_path):
    """Counts read from a folder another user can write could be forged, and a link
    would send the workers' writes elsewhere."""
    shared = tmp_path / "metrics"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    env = {**production_env(tmp_path / "data"), "PROMETHEUS_MULTIPROC_DIR": str(shared)}
    done = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--config", str(DEPLOY / "gunicorn.conf.py"),
         "--bind", f"127.0.0.1:{free_port()}", "vigil.wsgi"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode != 0
    assert "must be a folder of this user's, mode 0700, not a link" in done.stderr


@pytest.fixture
def database(tmp_path):
    """The suite's kind of database, one of the real run's own."""
    parent = os.environ.get("DATABASE_URL", "")
    if not parent.startswith("postgres"):
        yield {}
        return
    import psycopg

    name = f"vigil_deploy_{uuid.uuid4().hex[:10]}"
    server = parent.rsplit("/", 1)[0]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    yield {"DATABASE_URL": f"{server}/{name}"}
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def get(url: str, *, context=None, headers=None):
    """(status, headers, body) of a GET, redirects not followed."""
    opener = urllib.request.build_opener(NoRedirects, urllib.request.HTTPSHandler(context=context))
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - http(s) only
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.mark.slow
def test_nginx_in_front_of_two_gunicorns_serves_vigil_and_survives_losing_one(
    nginx_folder, tmp_path, database
):
    data = tmp_path / "data"
    env = production_env(data, **database)
    done = run_manage("migrate", "--no-input", env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    # `collectstatic` compresses every file, a minute's work on a small machine: the
    # stylesheet alone, put where it puts it, shows WhiteNoise serving through nginx.
    (data / "static" / "css").mkdir(parents=True)
    shutil.copy(ROOT / "static" / "css" / "vigil.css", data / "static" / "css" / "vigil.css")
    apps = [free_port(), free_port()]
    http, https = free_port(), free_port()
    processes: list[subprocess.Popen] = []
    logs = {name: tmp_path / f"{name}.log" for name in ("first", "second", "nginx")}
    try:
        for name, port in zip(("first", "second"), apps, strict=True):
            host_env = {
                **env,
                "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / f"metrics-{name}"),
                # The first host writes JSON lines, the second plain text.
                "VIGIL_LOG_FORMAT": "json" if name == "first" else "plain",
            }
            processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "--config",
                        str(DEPLOY / "gunicorn.conf.py"),
                        "--bind",
                        f"127.0.0.1:{port}",
                        "--workers",
                        "2",
                        "vigil.wsgi",
                    ],
                    cwd=ROOT,
                    env=host_env,
                    stdout=subprocess.DEVNULL,
                    stderr=logs[name].open("w"),
                    start_new_session=True,
                )  # fmt: skip
            )
        site = adapted_site(nginx_folder, upstreams=apps, http=http, https=https)
        main = nginx_config(nginx_folder, site)
        processes.append(
            subprocess.Popen(
                [NGINX, "-c", str(main)],
                stdout=subprocess.DEVNULL,
                stderr=logs["nginx"].open("w"),
                start_new_session=True,
            )  # fmt: skip
        )
        for port, process in zip(apps, processes, strict=False):
            wait_until_up(f"http://127.0.0.1:{port}/healthz", process)
        wait_until_up(f"http://127.0.0.1:{http}/", processes[2])
        tls = ssl.create_default_context(cafile=str(nginx_folder / "fullchain.pem"))
        site_url = f"https://localhost:{https}"

        # Over TLS, by name: the probe, a page with its form, Vigil's own static files.
        status, _, body = get(f"{site_url}/healthz", context=tls)
        assert (status, json.loads(body)) == (200, {"status": "ok"})
        status, headers, body = get(f"{site_url}/submit/?code=canary-receipt", context=tls)
        assert status == 200, body[:500]  # not a redirect: X-Forwarded-Proto got through
        assert b'name="form_token"' in body
        assert headers.get_all("Strict-Transport-Security") == [
            "max-age=31536000; includeSubDomains"
        ]  # once, from Vigil
        (stylesheet,) = re.findall(rb'href="(/static/css/vigil(?:\.[0-9a-f]+)?\.css)"', body)
        status, headers, _ = get(f"{site_url}{stylesheet.decode()}", context=tls)
        assert status == 200 and headers["Content-Type"].startswith("text/css")
        # Plain HTTP only redirects; the metrics are not published through nginx.
        status, headers, _ = get(f"http://127.0.0.1:{http}/submit/")
        assert status == 301 and headers["Location"].startswith("https://")
        bearer = {"Authorization": f"Bearer {METRICS_TOKEN}"}
        assert get(f"{site_url}/metrics", context=tls, headers=bearer)[0] == 404

        # Each host's metrics, scraped directly: the counts of all its workers, summed,
        # also of workers that are gone. Every worker that answered is killed; the
        # scrape is answered by one gunicorn started since, which counted none of them.
        for _ in range(12):
            assert get(f"http://127.0.0.1:{apps[0]}/healthz")[0] == 200

        def healthz_count() -> float:
            status, _, body = get(f"http://127.0.0.1:{apps[0]}/metrics", headers=bearer)
            assert status == 200
            pattern = rb'vigil_http_requests_total\{route="healthz",status="2xx"\} (\S+)'
            return float(re.search(pattern, body).group(1))

        before = healthz_count()
        assert before >= 12
        old_workers = workers_of(processes[0])
        for pid in old_workers:
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 60
        while len(set(workers_of(processes[0])) - set(old_workers)) < 2:
            assert time.monotonic() < deadline, "gunicorn did not replace its workers"
            time.sleep(0.3)
        wait_until_up(f"http://127.0.0.1:{apps[0]}/healthz", processes[0])
        assert healthz_count() >= before + 1  # the gone workers' 12, and the probe since

        # One application host killed outright: nginx sends every request to the other.
        os.killpg(processes[1].pid, signal.SIGKILL)
        processes[1].wait()
        answers = [get(f"{site_url}/submit/?code=canary-receipt", context=tls)[0] for _ in range(8)]
        assert answers == [200] * 8
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    access = (nginx_folder / "access.log").read_text()
    assert "GET /submit/ HTTP" in access
    assert "canary-receipt" not in access and "?" not in access
    assert re.search(r" [0-9a-f]{32}$", access.splitlines()[0])  # the request id
    assert all(line.startswith("[") for line in access.splitlines())  # no client address
    # nginx could not reach the killed host for some of those requests: at "error" it
    # would have written their request lines, receipt codes and client addresses.
    errors = nginx_folder / "vigil-error.log"
    assert not errors.exists() or "canary-receipt" not in errors.read_text()
    assert "canary-receipt" not in (nginx_folder / "error.log").read_text()
    for host in ("first", "second"):  # gunicorn keeps no access log of its own
        written = logs[host].read_text()
        assert "canary-receipt" not in written and "GET /" not in written
    json_lines = [line for line in logs["first"].read_text().splitlines() if line.strip()]
    assert json_lines, "the first host wrote no log line"
    entries = [json.loads(line) for line in json_lines]  # gunicorn's own lines too
    assert any(e["logger"] == "gunicorn.error" for e in entries)


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, f"{url}: the server stopped"
        try:
            get(url)
            return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer in {seconds} s")


def workers_of(master: subprocess.Popen) -> list[int]:
    """The pids of a gunicorn master's workers."""
    found = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(master.pid)], capture_output=True, text=True
    )
    return [int(pid) for pid in found.stdout.split()]
