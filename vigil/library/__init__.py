"""Library: the resolutions and instruments Vigil works from, read into paragraphs
(`parsing`, which imports no Vigil app), their translations, and the public pages
(`public_views`: /library/) that show what cites each paragraph.

May import: cases, communications, core, stats. Cases and stats: the public pages
count verified cases citing a paragraph, with the statistics' small-number rule
(`selectors`). Cases and communications: the demo links paragraphs to demo records
(`demo`).
"""
