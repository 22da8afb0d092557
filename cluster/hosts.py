"""The hosts of the cluster test: network namespaces on one machine, joined by a
bridge, each with an address of its own, and the servers that run in them.

Nothing here reaches beyond this machine: the bridge's subnet (10.231.0.0/16) is
private to it, the namespaces have no route elsewhere, and every server listens on
its namespace's own address. Everything made is removed at the end, also when a
step fails (the `Cluster` context manager), and what a run killed outright left
behind is removed by the next one before it starts.

It is a test bench, not a deployment (deploy/ is that): while it runs, its
PostgreSQL trusts the bridge's addresses and its Redis has no password, so that any
local user could reach them through the bridge. Run it on a test machine that no
untrusted user shares.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import suppress
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BRIDGE = "vgl0"
PREFIX = "10.231"
CLIENT = f"{PREFIX}.0.1"  # the load client, on the bridge in the machine's own namespace
# Each reporter of the load comes from an address of its own, as people do: the
# intake and receipt-code throttles count per address.
CLIENT_ADDRESSES = [f"{PREFIX}.1.{n}" for n in range(1, 121)]
HOSTS = {
    "lb": f"{PREFIX}.0.2",
    "web1": f"{PREFIX}.0.11",
    "web2": f"{PREFIX}.0.12",
    "work1": f"{PREFIX}.0.21",
    "work2": f"{PREFIX}.0.22",
    "pg1": f"{PREFIX}.0.31",
    "pg2": f"{PREFIX}.0.32",
    "redis": f"{PREFIX}.0.41",
    "s3": f"{PREFIX}.0.51",
}


def run(*args: str, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(args, check=False, capture_output=True, text=True, **kwargs)
    if check and done.returncode:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done


def namespace(host: str) -> str:
    return f"vgl-{host}"


def in_host(host: str, *args: str) -> list[str]:
    return ["ip", "netns", "exec", namespace(host), *args]


def wait_for_port(address: str, port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with suppress(OSError), socket.create_connection((address, port), timeout=0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing answers on {address}:{port} after {seconds} s")


def postgres_bin() -> Path:
    versions = sorted(Path("/usr/lib/postgresql").iterdir(), key=lambda p: int(p.name))
    return versions[-1] / "bin"


class Cluster:
    """The namespaces and the processes started in them."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="vigil-cluster-"))
        self.folder.chmod(0o755)  # PostgreSQL's user reaches its own folders inside
        self.processes: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, Path] = {}

    # --- the network ----------------------------------------------------------------

    def __enter__(self) -> "Cluster":
        if os.geteuid() != 0:
            sys.exit("The cluster test makes network namespaces: run it as root.")
        self._remove_network()  # what a run killed earlier may have left
        run("ip", "link", "add", BRIDGE, "type", "bridge")
        run("ip", "addr", "add", f"{CLIENT}/16", "dev", BRIDGE)
        for address in CLIENT_ADDRESSES:
            run("ip", "addr", "add", f"{address}/16", "dev", BRIDGE)
        run("ip", "link", "set", BRIDGE, "up")
        for index, (host, address) in enumerate(HOSTS.items()):
            outside, inside = f"vglh{index}", f"vgln{index}"
            run("ip", "netns", "add", namespace(host))
            run("ip", "link", "add", outside, "type", "veth", "peer", "name", inside)
            run("ip", "link", "set", inside, "netns", namespace(host))
            run(*in_host(host, "ip", "addr", "add", f"{address}/16", "dev", inside))
            run(*in_host(host, "ip", "link", "set", inside, "up"))
            run(*in_host(host, "ip", "link", "set", "lo", "up"))
            run("ip", "link", "set", outside, "master", BRIDGE, "up")
        return self

    def __exit__(self, *exc_info) -> None:
        for name in list(self.processes):
            self.kill(name)
        self._remove_network()
        if os.environ.get("VIGIL_CLUSTER_KEEP"):
            print(f"(kept {self.folder})")
        else:
            shutil.rmtree(self.folder, ignore_errors=True)

    def _remove_network(self) -> None:
        """Remove the namespaces and the bridge, with whatever still runs inside (a
        run killed earlier leaves its servers behind, each in a session of its own)."""
        for host in HOSTS:
            pids = run("ip", "netns", "pids", namespace(host), check=False).stdout.split()
            for pid in pids:
                with suppress(ProcessLookupError, ValueError):
                    os.kill(int(pid), signal.SIGKILL)
            run("ip", "netns", "del", namespace(host), check=False)
        for index in range(len(HOSTS)):
            run("ip", "link", "del", f"vglh{index}", check=False)
        run("ip", "link", "del", BRIDGE, check=False)

    # --- processes ------------------------------------------------------------------

    def start(self, name: str, host: str, args: list[str], *, env=None, user=None) -> None:
        """Start `args` in `host`'s namespace, in a process group of its own (so that
        a SIGKILL reaches every process of it, as a machine that dies)."""
        if user:
            args = ["runuser", "-u", user, "--", *args]
        env = self._own_folder(host, env)
        log = self.folder / f"{name}.log"
        self.logs[name] = log
        with open(log, "ab") as out:
            self.processes[name] = subprocess.Popen(
                in_host(host, *args), cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip

    def _own_folder(self, host: str, env: dict[str, str] | None) -> dict[str, str] | None:
        """Each host its own data folder, as separate machines have: whatever they
        share must then go through PostgreSQL, Redis or the object store."""
        if env is None or "VIGIL_DATA_DIR" in env:
            return env
        folder = self.folder / f"data-{host}"
        folder.mkdir(mode=0o700, exist_ok=True)
        return {**env, "VIGIL_DATA_DIR": str(folder)}

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        process = self.processes.pop(name, None)
        if process is None:
            return
        with suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=20)
        if process.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def alive(self, name: str) -> bool:
        process = self.processes.get(name)
        return process is not None and process.poll() is None

    def log_tail(self, name: str, lines: int = 30) -> str:
        path = self.logs.get(name)
        if not path or not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    # --- the servers ----------------------------------------------------------------

    def postgres_primary(self) -> str:
        data = self.folder / "pg1"
        data.mkdir(mode=0o700)
        shutil.chown(data, "postgres", "postgres")
        binaries = postgres_bin()
        run("runuser", "-u", "postgres", "--", str(binaries / "initdb"), "-D", str(data),
            "-A", "trust", "-U", "postgres", "--no-sync")  # fmt: skip
        with open(data / "pg_hba.conf", "a") as hba:
            hba.write(f"host all all {PREFIX}.0.0/16 trust\n")
            hba.write(f"host replication all {PREFIX}.0.0/16 trust\n")
        self._postgres("pg1", data)
        return f"postgres://postgres@{HOSTS['pg1']}:5432/vigil"

    def postgres_replica(self) -> str:
        data = self.folder / "pg2"
        data.mkdir(mode=0o700)
        shutil.chown(data, "postgres", "postgres")
        # pg_basebackup of the running primary, streaming its WAL, into a standby that
        # follows it (-R writes primary_conninfo and standby.signal).
        run(*in_host("pg2", "runuser", "-u", "postgres", "--", str(postgres_bin() / "pg_basebackup"),
            "-h", HOSTS["pg1"], "-p", "5432", "-U", "postgres", "-D", str(data), "-R",
            "-X", "stream", "--no-sync"))  # fmt: skip
        self._postgres("pg2", data)
        return f"postgres://postgres@{HOSTS['pg2']}:5432/vigil"

    def _postgres(self, host: str, data: Path) -> None:
        # The socket's lock file lives outside the data folder: inside, pg_basebackup
        # would copy it to the replica, which then refuses to start.
        sockets = self.folder / f"{host}-socket"
        sockets.mkdir(mode=0o700, exist_ok=True)
        shutil.chown(sockets, "postgres", "postgres")
        self.start(
            f"postgres-{host}", host,
            [str(postgres_bin() / "postgres"), "-D", str(data),
             "-c", f"listen_addresses={HOSTS[host]}", "-c", "port=5432",
             "-c", f"unix_socket_directories={sockets}", "-c", "wal_level=replica",
             "-c", "max_wal_senders=5", "-c", "hot_standby=on", "-c", "hot_standby_feedback=on", "-c", "max_connections=200",
             "-c", "fsync=on"],
            user="postgres",
        )  # fmt: skip
        try:
            wait_for_port(HOSTS[host], 5432)
        except RuntimeError as error:
            raise RuntimeError(f"{error}:\n{self.log_tail(f'postgres-{host}')}") from None
        for _ in range(100):
            ready = run(str(postgres_bin() / "pg_isready"), "-q", "-h", HOSTS[host], check=False)
            if ready.returncode == 0:
                return
            time.sleep(0.1)
        raise RuntimeError(
            f"PostgreSQL on {host} did not start:\n{self.log_tail(f'postgres-{host}')}"
        )

    def redis(self) -> str:
        self.start(
            "redis", "redis",
            ["redis-server", "--bind", HOSTS["redis"], "--port", "6379", "--save", "",
             "--appendonly", "no", "--protected-mode", "no", "--dir", str(self.folder)],
        )  # fmt: skip
        wait_for_port(HOSTS["redis"], 6379)
        return f"redis://{HOSTS['redis']}:6379/0"

    def s3(self, access_key: str, secret_key: str, bucket: str) -> str:
        """SeaweedFS (`weed`, installed with the test extras) with its S3 gateway, one
        identity and no anonymous access; returns the endpoint, with `bucket` made."""
        import boto3

        folder = self.folder / "s3"
        (folder / "data").mkdir(parents=True)
        identities = folder / "s3.json"
        identities.touch(mode=0o600)  # the secret key, in a folder others may read
        identities.write_text(json.dumps({"identities": [{
            "name": "vigil", "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
        }]}))  # fmt: skip
        address = HOSTS["s3"]
        self.start(
            "s3", "s3",
            [str(Path(sys.executable).parent / "weed"), "server", f"-dir={folder / 'data'}",
             f"-ip={address}", f"-ip.bind={address}", "-master.volumeSizeLimitMB=64",
             "-volume.max=8", "-filer", "-s3", "-s3.port=8333", "-s3.port.iceberg=0",
             "-s3.port.lance=0", f"-s3.config={identities}"],
        )  # fmt: skip
        endpoint = f"http://{address}:8333"
        client = boto3.client(
            "s3", endpoint_url=endpoint, region_name="us-east-1",
            aws_access_key_id=access_key, aws_secret_access_key=secret_key,
        )  # fmt: skip
        deadline = time.monotonic() + 120
        while True:
            try:
                client.create_bucket(Bucket=bucket)
                return endpoint
            except Exception as error:
                if not self.alive("s3") or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"SeaweedFS did not start:\n{self.log_tail('s3')}"
                    ) from error
                time.sleep(0.5)

    def nginx(self, upstreams: list[str]) -> str:
        folder = self.folder / "nginx"
        folder.mkdir()
        servers = "\n".join(
            f"        server {HOSTS[host]}:8000 max_fails=1 fail_timeout=3s;" for host in upstreams
        )
        config = folder / "nginx.conf"
        config.write_text(
            NGINX.replace("@FOLDER@", str(folder))
            .replace("@SERVERS@", servers)
            .replace("@LISTEN@", HOSTS["lb"])
        )
        self.start(
            "nginx", "lb", ["/usr/sbin/nginx", "-c", str(config), "-e", str(folder / "error.log")]
        )
        wait_for_port(HOSTS["lb"], 80)
        return f"http://{HOSTS['lb']}"

    def web(self, host: str, env: dict[str, str]) -> None:
        self.start(
            host, host,
            [str(Path(sys.executable).parent / "gunicorn"), "vigil.wsgi",
             "--bind", f"{HOSTS[host]}:8000", "--workers", "2", "--threads", "4",
             "--timeout", "60", "--graceful-timeout", "5"],
            env=env,
        )  # fmt: skip

    def worker(self, host: str, env: dict[str, str], *, schedules: bool) -> None:
        periodic = [] if schedules else ["--no-periodic"]
        self.start(
            host, host,
            [sys.executable, "manage.py", "run_huey", "--workers", "2", *periodic],
            env=env,
        )  # fmt: skip

    def manage(self, host: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            in_host(host, sys.executable, "manage.py", *args),
            cwd=ROOT, env=self._own_folder(host, env), capture_output=True, text=True,
            timeout=600,
        )  # fmt: skip


# A load balancer as a production one is set up for this (deploy/ has the real site):
# it retries a request that could not reach a web host on the other one, but only an
# idempotent one (nginx never retries a POST that may have arrived).
NGINX = """
daemon off;
worker_processes 1;
pid @FOLDER@/nginx.pid;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path @FOLDER@/body;
    proxy_temp_path @FOLDER@/proxy;
    fastcgi_temp_path @FOLDER@/fastcgi;
    uwsgi_temp_path @FOLDER@/uwsgi;
    scgi_temp_path @FOLDER@/scgi;
    upstream vigil {
@SERVERS@
    }
    server {
        listen @LISTEN@:80;
        server_name vigil.test;
        client_max_body_size 120m;
        location / {
            proxy_pass http://vigil;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto https;
            proxy_connect_timeout 2s;
            proxy_read_timeout 60s;
            proxy_next_upstream error timeout;
        }
    }
}
"""
