from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed static files in production, after `collectstatic`.

    Before collectstatic has written a manifest (a developer's machine, the test
    suite), names are used as they are and the files come straight from static/.
    """

    def stored_name(self, name: str) -> str:
        if not self.hashed_files:
            return name
        return super().stored_name(name)
