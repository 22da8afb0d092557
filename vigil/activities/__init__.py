"""Activity reports: what stakeholders report doing to implement the resolution,
submitted by them and reviewed by the desk; the compilation of accepted reports is
one of the report kinds (`reports.compilation`).

May import: accounts, cases, core, library, vault.
"""
