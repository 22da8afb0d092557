"""Backups: one sealed archive of the whole database and the file store
(`manage.py backup`), and bringing it back into an empty installation
(`manage.py restore`).

The threat: a backup sits on other disks, in other hands, for years. It must tell
whoever copies it nothing, it must not be alterable without the restore noticing, and
a restore must give back exactly what was there (the audit trail hash for hash) or
nothing at all. docs/backups.md says it for operators.

- `archive`: the file's format: frames sealed by the vault, the parts of the tar
  stream inside them, and the errors a foreign or damaged file gives;
- `tables`: which tables are walked, in what order, and rows to and from the
  archive's records (encrypted columns as their ciphertext); auto-increment counters;
- `backup`: making one (`make`), from one consistent snapshot;
- `restore`: the checks and refusals, and the restore itself, in one transaction.

It may import the vault (sealing, the file store, encrypted fields) and core (the
audit trail). The tables of the other apps are found through Django's app registry,
never imported by name, so that a new app's tables are backed up without a change
here, and no app imports this one.

May import: core, vault.
"""
