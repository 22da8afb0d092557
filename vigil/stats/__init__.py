"""Statistics: counting (`counting`), when counts are recounted (`freshness`),
how counts become charts (`charts`), what is exported (`exports`, Vigil's one
CSV/XLSX writer), the SDG 16.10.1 indicator (`sdg16101`: its categories and its
counting rules), small-number suppression and its audit (`suppression`, `audit`),
the desk's dashboard (`views`) and the public statistics (`public_views`,
`public`: /statistics/).

May import: accounts, activities, cases, communications, core, measures.
"""
