"""What `manage.py purge_expired` deletes from intake: reports closed without becoming
a case, `VIGIL_INTAKE_RETENTION_DAYS` after closing, with their messages and files."""

from vigil.intake import services


def purge() -> str:
    return f"{services.purge_expired()} closed reports deleted"
