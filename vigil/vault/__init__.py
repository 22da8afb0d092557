"""The vault: everything that keeps secrets at rest.

Ciphers and keys (`encryption`), encrypted model fields (`fields`), the blind index
and its keys (`index`), full-text search over hashed words (`search`), the sealed
file store (`files`), key rotation (`rotation`) and what migrations need to seal
existing columns (`migration_ops`). It imports no other Vigil app: `core` and the
apps above it import it. docs/threat-model.md says what each part protects from whom.

May import: no other Vigil app.
"""
