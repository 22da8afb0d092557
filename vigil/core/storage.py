from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed static files in production (after collectstatic).

    Not strict, so that development and the test suite, which serve files
    straight from static/ without a manifest, work with the same setting.
    """

    manifest_strict = False
