"""State measures: laws, policies and other measures that shape defenders' work, their
status over time, effect and review, proposed by stakeholders and reviewed by the
desk.

May import: accounts, cases, communications, core, library. Communications: a
measure is linked to the letters written about it.
"""
