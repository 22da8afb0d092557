"""Monitoring: the metrics a Prometheus server scrapes at `/metrics`, with a bearer
token (`VIGIL_METRICS_TOKEN`). It owns the endpoint and the figures read from the
database when a scrape comes (job rows by kind and state, reports awaiting triage,
the queue's length, the age of the audit trail's last anchor; job rows are found
by their fields, as backups find tables, not named); the per-process request
counts are core's (`core/metrics.py`). Counts only: no label carries a name, a
path, a receipt or any value someone typed.

May import: core, intake.
"""
