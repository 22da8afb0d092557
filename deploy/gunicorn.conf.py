"""gunicorn's settings for Vigil: `gunicorn --config deploy/gunicorn.conf.py vigil.wsgi`
(deploy/systemd/vigil-web.service). Command-line options given after it win, so a
host may say `--bind 10.0.0.11:8000` or `--workers 9` without editing this file.

Why each value (docs/operations.md, "Deploy files"):

- several worker processes, each answering one request at a time: the throttles,
  the statistics cache and the queue are shared through Redis (VIGIL_REDIS_URL), so
  processes need not share memory. Without Redis, run one worker with threads
  (`--workers 1 --threads 8`): the login throttle would otherwise count per process;
- a request never runs long (builds and imports are tasks of the queue), so a worker
  silent for `timeout` seconds is stuck and is replaced;
- workers are not recycled after a number of requests: each worker that ever ran
  leaves its count files for the metrics to sum, so recycling (which anyone sending
  cheap requests would speed up) would pile files up and slow every scrape; a worker
  killed or timed out is replaced, and a restart of the service starts the counts
  afresh;
- no access log here: nginx writes one without query strings (deploy/nginx/vigil.conf),
  and gunicorn's would hold them;
- the metrics of all workers are added up by prometheus_client's multi-process mode:
  each worker writes its counts to files in `PROMETHEUS_MULTIPROC_DIR`, which must be
  set before the application is loaded (so it is set here, in the master), emptied
  when the master starts (counts of an earlier run would be added to this one's), and
  private to this server: two masters must never share it.
"""

import multiprocessing
import os
import stat
import tempfile
from pathlib import Path

bind = "127.0.0.1:8000"
workers = min(2 * multiprocessing.cpu_count() + 1, 9)
worker_class = "sync"
timeout = 60
graceful_timeout = 30
keepalive = 5  # nginx keeps connections to the upstream open (keepalive 16)
max_requests = 0  # see above
accesslog = None
errorlog = "-"
loglevel = "info"
# Only nginx, on this host or another, may set X-Forwarded-*; Vigil reads them itself
# (SECURE_PROXY_SSL_HEADER, VIGIL_TRUSTED_PROXIES), gunicorn need not believe anyone.
forwarded_allow_ips = "127.0.0.1,::1"
proc_name = "vigil-web"

# systemd gives the service a private folder of its own (RuntimeDirectory=vigil-web,
# /run/vigil-web); elsewhere a new private folder (mkdtemp: mode 0700, a name nobody
# could have made first), so that two servers on one machine keep apart.
_runtime = os.environ.get("RUNTIME_DIRECTORY", "").split(":")[0]
if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = (
        str(Path(_runtime) / "metrics") if _runtime else tempfile.mkdtemp(prefix="vigil-metrics-")
    )

# gunicorn's own lines (a worker started, a worker timed out, "Error handling request
# GET <uri>") go through Vigil's formatters, which withhold credentials and a request
# line's query string; with VIGIL_LOG_FORMAT=json they are JSON objects as well, so
# that a shipper reads one format.
_json = os.environ.get("VIGIL_LOG_FORMAT", "").strip().lower() == "json"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "vigil": {
            "()": "vigil.core.logs.JsonFormatter"
            if _json
            else "vigil.core.logs.RedactingFormatter",
            **({} if _json else {"format": "%(asctime)s [%(process)d] %(levelname)s %(message)s"}),
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "vigil",
            "stream": "ext://sys.stderr",
        }
    },
    "loggers": {"gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}


def on_starting(server) -> None:  # noqa: ANN001 - gunicorn's hook signature
    """Start the metrics afresh: the count files left by an earlier run are removed
    (those only: a folder set by mistake to somewhere else loses nothing else)."""
    folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    # A folder someone else made, or a link to one, could feed false counts or point
    # the workers' writes elsewhere: only our own private folder is used.
    found = folder.lstat()
    if (
        stat.S_ISLNK(found.st_mode)
        or found.st_uid != os.getuid()
        or stat.S_IMODE(found.st_mode) & 0o077
    ):
        raise SystemExit(f"{folder} must be a folder of this user's, mode 0700, not a link")
    for stale in folder.glob("*.db"):
        stale.unlink()


def child_exit(server, worker) -> None:  # noqa: ANN001
    """A worker that ended (recycled, killed) leaves its counts to be summed, and
    its live gauges, if any, are dropped."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
