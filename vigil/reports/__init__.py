"""The reports room: every report Vigil writes to a file, and how it is built.

One pipeline (`pipeline`: compose once, then render to HTML, PDF or Word), one
module per report kind (`annual`, `assessment`, `reprisals`, `sdg16101`,
`communications`, `compilation`, listed in `registry`), the background builds the
desk asks for (`builds`, `ReportBuild`), the assessment's narrative (`Narrative`),
their pages (`views`, `urls`: /desk/reports/) and the `build_report` command.

It sits above the capability apps: it reads their models and selectors. Nothing
imports it but the URL configuration and the route table; the two reports built on
the spot (the communications report and the compilation) have their pages here too,
at paths beside the lists they are reached from.

May import: accounts, activities, cases, communications, core, measures, stats, vault.
"""
