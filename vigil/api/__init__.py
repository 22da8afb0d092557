"""The JSON API (/api/v1/, django-ninja): the same services, selectors and access
rules as the desk, behind personal tokens with scopes, each token made only by its
own user (`/desk/api-tokens/`).

May import: accounts, activities, cases, communications, core, library, measures,
stats.
"""
