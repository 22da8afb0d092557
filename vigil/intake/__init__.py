"""Intake: the reporter's side (`public_views`, `public_urls`: /submit/) and the
desk's triage queue (`views`, `urls`: /desk/intake/). A report arrives with nothing
about how it came (no address, browser or time zone), its files sealed, a receipt
code only its reporter holds; the desk reads it, answers, takes it up as a case or
closes it, and closed reports expire (`retention`).

May import: accounts, cases, core, vault.
"""
