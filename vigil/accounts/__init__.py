"""Accounts: the people who use the desk. The User model (role, assigned countries),
login with a second factor kept encrypted and hashed, password rules, idle sessions,
the audited admin site (accounts and API tokens only), and the demo accounts.

May import: core, vault.
"""
