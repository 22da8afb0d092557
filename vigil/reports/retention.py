"""What `manage.py purge_expired` deletes from reports: built files older than seven
days (the desk deletes them too whenever the list of builds is shown)."""

from vigil.reports import builds


def purge() -> str:
    return f"{builds.purge_expired()} report files deleted"
