"""Communications: letters to States, companies and others (urgent appeals,
allegation letters, other letters), their approval and sending, replies and
follow-up, publication of the public record (`public_views`: /communications/), and
country visits. The letter's text and its consent rules applied (`letters`, with
`cases.consent`).

May import: accounts, cases, core, library, measures, vault. Library: a letter cites
resolution paragraphs (`forms`). Measures: a letter's page lists the State measures
it concerns (`views`), read through `measures.access`.
"""
