"""The public home page. The other public pages live with their rooms, in modules
named `public_views` and `public_urls` (intake, communications, library, stats).

May import: no other Vigil app.
"""
