"""The reports room: every report Vigil writes to a file, and how it is built.

One pipeline (`pipeline`: compose once, then render to HTML, PDF or Word), one
module per report kind (`annual`, `assessment`, `reprisals`, `sdg16101`,
`communications`, `compilation`, listed in `registry`), the background builds the
desk asks for (`builds`, `ReportBuild`), the assessment's narrative (`Narrative`),
their pages (`views`, `urls`: /desk/reports/) and the `build_report` command.

It sits above the capability apps: it reads their models and selectors (cases,
communications, measures, activities, stats) and the shared rooms (core, vault).
Nothing imports it but the URL configuration, the route table and the two desk
pages that hand a report over on the spot (communications' report page and the
activities' compilation page, which call `registry.build`).
"""
