"""Exchange: records in and out in bulk. Import files (CSV, XLSX) checked row by row
before anything is written, and export files of the records a reader may see, in
the exchange layout (`layout`).

May import: accounts, cases, core, stats, vault. Stats: files are written through
`stats.exports`, the one CSV/XLSX writer.
"""
