"""Cases: the documentation of what happened to defenders, after the HURIDOCS events
model. Defenders, incidents, acts (one violation against one victim), perpetrators,
sources and verification, cases with their status and outcome; the case
vocabularies (`vocabularies`), who may see which record (`access`), consent: whose
name may reach whom (`consent`), and the case record as a document.

May import: accounts, core, library, stats, vault. Library: an act or case is linked
to resolution paragraphs (`forms`). Stats: only `stats.sdg16101.categories`, the
16.10.1 categories a case page shows and its list filters by, which import nothing
but the case vocabularies.
"""
