"""The multi-host test (`make cluster-test`, as root): Vigil as several servers run it,
in network namespaces on this machine, with one web host and one worker killed with
SIGKILL under load and started again.

    client (10.231.0.1, and 120 addresses of reporters) ──▶ nginx (lb)
        ──▶ gunicorn web1, web2 ──▶ PostgreSQL primary (pg1) ──▶ streaming replica (pg2)
        workers work1 (also the scheduler), work2 ──▶ Redis (queue, cache, throttles)
        ──▶ SeaweedFS (s3), the encrypted file store (VIGIL_STORAGE_URL); each host
        keeps its own data folder, so nothing is shared through a local disk

A bounded load (a fixed number of requests, from 8 client threads) sends intake
reports with their receipt codes, desk reads by officers logged in with their second
factor, and report builds; two imports are queued at the start. A third of the way
through, web1 and work1 are killed with SIGKILL; five seconds later both start again.

Afterwards, and the run fails unless each holds:
- every receipt code shown opens its own report (the reporter writes back through
  it, and the message is found on the report that the code was given for);
- every report build and import queued finished, once: each build is done with one
  stored file, and each import's records exist once, with one audit entry;
- `verify_audit` passes;
- the replica served reads (statistics and report builds read there once it has
  caught up with the primary);
- after the restart, no request fails.
It prints requests per second, p95 and the failures before, during and after the kill.
"""

import base64
import json
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from desk_client import DeskClient  # noqa: E402
from hosts import CLIENT, CLIENT_ADDRESSES, HOSTS, Cluster, wait_for_port  # noqa: E402

TOTP_KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test secret
PASSWORD = "a long cluster test passphrase"
THREADS = 8
REPORTS = int(os.environ.get("VIGIL_CLUSTER_REPORTS", "240"))
READS = int(os.environ.get("VIGIL_CLUSTER_READS", "480"))
BUILDS = int(os.environ.get("VIGIL_CLUSTER_BUILDS", "8"))
IMPORT_ROWS_EACH = 600  # defenders (and as many incidents, acts, sources) in the import
HOST_NAME = "vigil.test"
DOWN_SECONDS = 5

USERS = """
from vigil.accounts import services
from vigil.accounts.models import AuthenticatorApp
from vigil.core.vocabularies import Role
import os
users = [("cora", Role.COORDINATOR, [])] + [
    (f"load{n}", Role.CASE_OFFICER, ["COL", "GTM", "KEN", "PHL"]) for n in range(int(os.environ["N"]))
]
for username, role, countries in users:
    user = services.user_create(actor=None, username=username, role=role, countries=countries,
                                password=os.environ["PASSWORD"], first_name=username.title())
    AuthenticatorApp.objects.create(user=user, name="app", key=os.environ["KEY"], confirmed=True)
"""

IMPORTS = """
import os
from django.contrib.auth import get_user_model
from vigil.exchange import jobs
from vigil.exchange.tests.test_exchange import thousand_rows
officer = get_user_model().objects.get(username="load0")
content = thousand_rows(bad_row=0, each=int(os.environ["EACH"])).encode()
print(jobs.request_import(actor=officer, content=content, suffix="csv", skip_invalid=False,
                          language="en").pk)
"""

# What happened to each report, build and import: read on the primary by a worker host.
OUTCOME = """
import json, os
from vigil.core.models import AuditEntry
from vigil.exchange.models import ImportJob
from vigil.intake.models import Submission
from vigil.reports.models import ReportBuild
from vigil.cases.models import Defender
from vigil.vault import files
reports = {}
for submission in Submission.objects.prefetch_related("messages"):
    marker = submission.what_happened.split(":")[0]
    reports[marker] = [m.text for m in submission.messages.all() if not m.from_desk]
builds = list(ReportBuild.objects.values("pk", "state", "attempts", "stored_name"))
print(json.dumps({
    "reports": reports,
    "builds": [{**b, "pk": str(b["pk"])} for b in builds],
    "imports": list(ImportJob.objects.values_list("state", flat=True)),
    "imported_entries": AuditEntry.objects.filter(action="exchange.imported").count(),
    "defenders": Defender.objects.count(),
    "stored": len(files.names()),
}))
"""


@dataclass
class Result:
    kind: str
    started: float
    seconds: float
    status: int  # 0: no answer at all
    ok: bool


@dataclass
class Load:
    results: list[Result] = field(default_factory=list)
    receipts: dict[str, str] = field(default_factory=dict)  # marker -> code
    builds: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, result: Result) -> None:
        with self.lock:
            self.results.append(result)


class Browser(DeskClient):
    """One person's browser, through the load balancer, from an address of its own."""

    def __init__(self, base: str, source: str) -> None:
        host = urllib.parse.urlsplit(base).hostname
        super().__init__(host, 80, name=HOST_NAME, source=source)

    def log_in(self, username: str) -> bool:  # type: ignore[override]
        return super().log_in(username, PASSWORD, TOTP_KEY)


def timed(load: Load, kind: str, action) -> bool:
    started = time.monotonic()
    status, ok = action()
    load.add(Result(kind, started, time.monotonic() - started, status, ok))
    return ok


def send_report(load: Load, base: str, number: int) -> None:
    browser = Browser(base, CLIENT_ADDRESSES[number % len(CLIENT_ADDRESSES)])
    marker = f"Cluster report {number}"

    def act():
        hidden = browser.form("/submit/")
        if not hidden:
            return 0, False
        status, _, page = browser.request("POST", "/submit/", {
            **hidden, "what_happened": f"{marker}: threats by telephone, " + "words " * 40,
            "country": "COL", "when": "last week",
        })  # fmt: skip
        words = re.findall(
            r"<span>([^<]+)</span>", page.split('id="receipt-code"', 1)[-1].split("</p>", 1)[0]
        )
        if status == 200 and words:
            with load.lock:
                load.receipts[marker] = " ".join(words)
            return status, True
        return status, False

    timed(load, "report", act)


def read_desk(load: Load, browser: Browser, number: int) -> None:
    path = ("/desk/", "/desk/cases/", "/desk/intake/", "/desk/cases/?country=COL")[number % 4]

    def act():
        status, _, _ = browser.request("GET", path)
        return status, status == 200

    timed(load, "read", act)


def request_build(load: Load, browser: Browser) -> None:
    def act():
        hidden = browser.form("/desk/reports/")
        if not hidden:
            return 0, False
        status, location, _ = browser.request("POST", "/desk/reports/", {
            **hidden, "report": "sdg16101", "fmt": "html", "starts_on": "2025-01-01",
            "ends_on": "2025-12-31", "language": "en",
        })  # fmt: skip
        match = re.search(r"/desk/reports/([0-9a-f-]{36})/", location)
        if status == 302 and match:
            with load.lock:
                load.builds.append(match[1])
            return status, True
        return status, False

    timed(load, "build", act)


def outcome_of(cluster: Cluster, env: dict[str, str]) -> dict:
    done = cluster.manage("work2", env, "shell", "--no-imports", "-c", OUTCOME)
    if done.returncode:
        raise RuntimeError("the outcome could not be read: " + done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def replica_transactions() -> int:
    """Transactions the replica has served on Vigil's database (pg_stat_database)."""
    done = subprocess.run(
        ["psql", "-qAt", "-h", HOSTS["pg2"], "-U", "postgres", "-d", "vigil", "-c",
         "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = 'vigil'"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return int(done.stdout.strip())


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def main() -> int:
    failures: list[str] = []
    with Cluster() as cluster:
        primary = cluster.postgres_primary()
        subprocess.run(
            ["psql", "-q", "-h", HOSTS["pg1"], "-U", "postgres", "-d", "postgres",
             "-c", "CREATE DATABASE vigil"], check=True,
        )  # fmt: skip
        replica_url = cluster.postgres_replica()
        redis = cluster.redis()
        s3_key, s3_secret = "vigil-cluster", secrets.token_urlsafe(24)
        s3 = cluster.s3(s3_key, s3_secret, "vigil")
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("VIGIL_", "DATABASE_"))},
            # Keys of this run only, shared by every host as an operator would share them.
            "VIGIL_SECRET_KEY": secrets.token_urlsafe(50),
            "VIGIL_ENCRYPTION_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
            "VIGIL_AUDIT_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
            "VIGIL_ALLOWED_HOSTS": HOST_NAME,
            "VIGIL_TRUSTED_PROXIES": HOSTS["lb"],
            # No VIGIL_DATA_DIR: each host gets a folder of its own (hosts.py), so the
            # file store is shared through the object store only.
            "VIGIL_STORAGE_URL": f"s3://vigil/files?endpoint={s3}&region=us-east-1&addressing=path&insecure=1",
            "AWS_ACCESS_KEY_ID": s3_key,
            "AWS_SECRET_ACCESS_KEY": s3_secret,
            "DATABASE_URL": primary,
            "DATABASE_REPLICA_URL": replica_url,
            "VIGIL_REDIS_URL": redis,
            "VIGIL_QUEUE_NAME": "cluster",
        }
        print(
            f"cluster in {cluster.folder}: primary {primary}, replica {replica_url}, {redis}, S3 {s3}"
        )
        for step in (("migrate", "--no-input", "-v0"),):
            done = cluster.manage("web1", env, *step)
            if done.returncode:
                print(done.stderr[-3000:])
                return 1
        demo = cluster.manage("web1", {**env, "VIGIL_DEBUG": "1"}, "loaddemo")
        if demo.returncode:
            print(demo.stderr[-3000:])
            return 1
        users = cluster.manage(
            "web1", {**env, "N": str(THREADS), "PASSWORD": PASSWORD, "KEY": TOTP_KEY},
            "shell", "--no-imports", "-c", USERS,
        )  # fmt: skip
        if users.returncode:
            print(users.stderr[-3000:])
            return 1

        for host in ("web1", "web2"):
            cluster.web(host, env)
        cluster.worker("work1", env, schedules=True)
        cluster.worker("work2", env, schedules=False)
        for host in ("web1", "web2"):
            wait_for_port(HOSTS[host], 8000)
        base = cluster.nginx(["web1", "web2"])

        before = outcome_of(cluster, env)
        replica_before = replica_transactions()
        imports = cluster.manage(
            "web2", {**env, "EACH": str(IMPORT_ROWS_EACH)}, "shell", "--no-imports", "-c", IMPORTS
        )
        if imports.returncode:
            print(imports.stderr[-3000:])
            return 1

        load = Load()
        browsers = []
        for n in range(THREADS):
            browser = Browser(base, CLIENT)
            if not browser.log_in(f"load{n}"):
                print(f"load{n} could not log in")
                return 1
            browsers.append(browser)
        coordinator = Browser(base, CLIENT)
        while not coordinator.log_in("cora"):
            time.sleep(1)

        plan = [("report", n) for n in range(REPORTS)] + [("read", n) for n in range(READS)]
        plan += [("build", n) for n in range(BUILDS)]
        random.Random(72247).shuffle(plan)
        position = {"next": 0}
        plan_lock = threading.Lock()
        kill_at = len(plan) // 3
        events: dict[str, float] = {}

        def take():
            with plan_lock:
                index = position["next"]
                position["next"] += 1
            return (index, plan[index]) if index < len(plan) else (index, None)

        def killer():
            while position["next"] < kill_at:
                time.sleep(0.05)
            events["killed"] = time.monotonic()
            cluster.kill("web1")
            cluster.kill("work1")
            time.sleep(DOWN_SECONDS)
            cluster.web("web1", env)
            cluster.worker("work1", env, schedules=True)
            wait_for_port(HOSTS["web1"], 8000)
            events["back"] = time.monotonic()

        def client(index: int):
            browser = browsers[index]
            while True:
                _, item = take()
                if item is None:
                    return
                kind, number = item
                if kind == "report":
                    send_report(load, base, number)
                elif kind == "read":
                    read_desk(load, browser, number)
                else:
                    request_build(load, coordinator)

        started = time.monotonic()
        threads = [threading.Thread(target=client, args=(i,)) for i in range(THREADS)]
        threads.append(threading.Thread(target=killer))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started

        # --- every receipt opens its report --------------------------------------------
        for number, (marker, code) in enumerate(sorted(load.receipts.items())):
            browser = Browser(base, CLIENT_ADDRESSES[number % len(CLIENT_ADDRESSES)])
            hidden = browser.form("/submit/follow-up/")
            status, location, _ = browser.request(
                "POST", "/submit/follow-up/", {**hidden, "code": code}
            )
            if status != 302 or not location.endswith("/submit/follow-up/report/"):
                failures.append(f"the receipt of {marker} does not open a report ({status})")
                continue
            hidden = browser.form("/submit/follow-up/report/")
            status, _, _ = browser.request(
                "POST", "/submit/follow-up/report/", {**hidden, "text": f"Reply to {marker}"}
            )
            if status != 302:
                failures.append(f"the reporter of {marker} could not write back ({status})")

        # --- every task finished, once -------------------------------------------------
        deadline = time.monotonic() + 300
        while True:
            outcome = outcome_of(cluster, env)
            pending = [b for b in outcome["builds"] if b["state"] not in ("done", "failed")]
            pending += [s for s in outcome["imports"] if s not in ("done", "failed")]
            if not pending or time.monotonic() > deadline:
                break
            time.sleep(2)

        for marker in load.receipts:
            messages = outcome["reports"].get(marker)
            if messages is None:
                failures.append(f"{marker} has a receipt but no report")
            elif messages != [f"Reply to {marker}"]:
                failures.append(f"{marker}: the reporter's reply landed elsewhere: {messages}")
        requested = set(load.builds)
        stored = {b["pk"]: b for b in outcome["builds"]}
        for pk in requested:
            build = stored.get(pk)
            if build is None or build["state"] != "done" or not build["stored_name"]:
                failures.append(f"build {pk} did not finish: {build}")
        built = len([b for b in outcome["builds"] if b["stored_name"]])
        if outcome["stored"] != before["stored"] + built:
            failures.append(
                f"{outcome['stored'] - before['stored']} files stored for {built} builds: "
                "a build was stored twice, or a file was left behind"
            )
        imported = outcome["defenders"] - before["defenders"]
        if outcome["imports"] != ["done"] or outcome["imported_entries"] != 1:
            failures.append(f"import: {outcome['imports']}, {outcome['imported_entries']} entries")
        if imported != IMPORT_ROWS_EACH:
            failures.append(f"the import wrote {imported} defenders, not {IMPORT_ROWS_EACH}")
        replica_served = replica_transactions() - replica_before
        if replica_served <= 0:
            failures.append("the replica served no reads: statistics and builds read the primary")
        verified = cluster.manage("work2", env, "verify_audit")
        if verified.returncode:
            failures.append("verify_audit failed: " + (verified.stdout + verified.stderr)[-500:])

        # --- the figures ---------------------------------------------------------------
        killed, back = events.get("killed", elapsed), events.get("back", elapsed)
        # A request in flight when the hosts died belongs to the outage, not to before.
        phases = {
            "before the kill": [r for r in load.results if r.started + r.seconds < killed],
            "during (down and restarting)": [
                r for r in load.results if r.started + r.seconds >= killed and r.started < back
            ],
            "after the restart": [r for r in load.results if r.started >= back],
        }
        print(
            f"\n{len(load.results)} requests in {elapsed:.1f} s: "
            f"{len(load.results) / elapsed:.1f} requests/s, through nginx to 2 web hosts"
        )
        print(f"web1 and work1 killed at {killed - started:.1f} s, back at {back - started:.1f} s")
        print(f"{'phase':32} {'requests':>8} {'req/s':>7} {'p95 ms':>8} {'failed':>7}")
        for phase, results in phases.items():
            if not results:
                continue
            span = max(r.started + r.seconds for r in results) - min(r.started for r in results)
            failed = [r for r in results if not r.ok]
            print(
                f"{phase:32} {len(results):8d} {len(results) / max(span, 0.001):7.1f} "
                f"{percentile([r.seconds for r in results], 0.95) * 1000:8.0f} {len(failed):7d}"
                + (f"  statuses {sorted({r.status for r in failed})}" if failed else "")
            )
        by_kind = {}
        for result in load.results:
            by_kind.setdefault(result.kind, []).append(result)
        for kind, results in sorted(by_kind.items()):
            print(
                f"  {kind:8} {len(results):5d} requests, p95 "
                f"{percentile([r.seconds for r in results], 0.95) * 1000:.0f} ms, "
                f"{sum(not r.ok for r in results)} failed"
            )
        print(
            f"receipts shown {len(load.receipts)}, reports stored "
            f"{sum(m.startswith('Cluster report') for m in outcome['reports'])} (a report whose "
            "answer was lost with its host is stored without a receipt shown), "
            f"builds {len(requested)} (attempts {sorted(b['attempts'] for b in outcome['builds'])}), "
            f"imports {outcome['imports']}"
        )
        print(f"transactions served by the replica: {replica_served}")
        after = phases["after the restart"]
        if any(not r.ok for r in after):
            failures.append(f"{sum(not r.ok for r in after)} requests failed after the restart")
        for name in ("web1", "web2", "work1", "work2", "nginx"):
            if not cluster.alive(name):
                failures.append(f"{name} is not running at the end:\n{cluster.log_tail(name)}")

    for failure in failures:
        print("FAILED:", failure)
    print("cluster test:", "FAILED" if failures else "passed")
    return 1 if failures else 0


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    sys.exit(main())
