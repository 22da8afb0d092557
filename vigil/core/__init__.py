"""Core: what every room shares and none owns.

Countries with their UN regional groups, roles, themes and date precision
(`vocabularies`), permissions (`permissions`: who may do what, decided here and
nowhere else), the audit trail (`audit`, keyed and chained), throttling and client
addresses, dates known to the month or year, the document toolkit of letters and
reports (`documents`: PDF without fetching, Word helpers), spreadsheet cells that
cannot attack (`spreadsheets`), posted searches, uploads, the desk dashboard, the
task queue (`queue`: Huey, and which errors are worth a retry), the job rows that
make background work survive a killed worker (`jobs`), the daily schedule (`tasks`),
the probes (`health`), which reads may go to a read replica (`reading`), what each
process counts for the metrics and the request id of its log lines (`metrics`), and
the commands that run across apps by discovery (`loaddemo`, `purge_expired`: each
app's `demo` and `retention` module, never named here).

May import: vault.
"""
