"""Where the sealed files lie: two Django storage backends behind `files`.

`LocalStore`, the default, is a folder under VIGIL_DATA_DIR/files on this machine,
written durably (fsync of the file and of its folder, so that a power cut cannot
forget a file the database already names). `ObjectStore` is any S3-compatible object
store (django-storages with boto3), for several app servers that must share one
store: `VIGIL_STORAGE_URL=s3://BUCKET/PREFIX`.

Both hold only what `files` gives them: content already encrypted and bound to its
random name, under that name (`ab/abcdef...`). Neither hands out a link: nothing
stored is ever served by anything but Vigil's own views, which check access first.
So the object store's objects are private (no ACL is sent, the bucket's own policy
applies), and `url()` refuses.

Each backend also knows the few things a Django storage does not say: every name
it holds (`names`), whether it can be reached (`ready`, which writes nothing), where
it is (`where`, for an operator's message) and how a restore's staged files become
the store (`replace_with`).
"""

import errno
import os
import re
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files import File
from django.core.files.storage import FileSystemStorage
from storages.backends.s3 import S3Storage

# A stored file's key: its folder (the name's first two characters), then its name. A
# copy under another folder is no stored file (listed, it would go twice into a backup,
# which no restore could then take).
KEY = re.compile(r"([A-Za-z0-9_-]{2})/(\1[A-Za-z0-9_-]{1,98})")


def _stamp() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}"


def _staged(folder: Path) -> list[tuple[str, Path]]:
    """The files a restore laid out in `folder`, by key."""
    found = []
    for path in sorted(folder.glob("*/*")):
        key = f"{path.parent.name}/{path.name}"
        if path.is_file() and KEY.fullmatch(key):
            found.append((key, path))
    return found


class LocalStore(FileSystemStorage):
    """The store as a folder on this machine: VIGIL_DATA_DIR/files, mode 0700.

    Its place follows the setting at each call (a test, or a restore, may point
    VIGIL_DATA_DIR elsewhere), and a file is written under its final name only once
    it is whole and on disk."""

    @property
    def root(self) -> Path:
        return Path(settings.DATA_DIR) / "files"

    @property
    def base_location(self) -> str:  # type: ignore[override]
        return str(self.root)

    @property
    def location(self) -> str:  # type: ignore[override]
        root = self.root
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        return str(root.resolve())

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        # Names are random and chosen by `files`; a reseal rewrites a file in place.
        return name

    def _save(self, name: str, content: File) -> str:
        path = Path(self.path(name))
        path.parent.mkdir(mode=0o700, exist_ok=True)
        temporary = path.with_suffix(".partial")
        with open(temporary, "wb") as handle:
            for chunk in content.chunks():
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
        # The rename itself must reach the disk too, or a crash could forget it.
        fsync_folder(path.parent)
        return name

    def names(self) -> list[str]:
        return sorted(
            p.name
            for p in Path(self.location).glob("*/*")
            if p.is_file() and KEY.fullmatch(f"{p.parent.name}/{p.name}")
        )

    def ready(self) -> bool:
        try:
            root = Path(self.location)
        except OSError:
            return False
        return os.access(root, os.W_OK | os.X_OK)

    def where(self) -> str:
        return str(self.root)

    def replace_with(self, folder: Path) -> str | None:
        """Make `folder` the store, by renaming it. A store that holds anything but
        empty folders is moved aside to `files-replaced-<time>` beside it, not deleted;
        returns where it went, or None."""
        root = self.root
        aside = None
        if root.exists():
            if any(not path.is_dir() for path in root.rglob("*")):
                aside = root.with_name(f"files-replaced-{_stamp()}")
                os.rename(root, aside)
            else:
                shutil.rmtree(root)
        os.rename(folder, root)
        fsync_folder(root.parent)
        return None if aside is None else str(aside)


def fsync_folder(folder: Path) -> None:
    """Make a rename or a new file in `folder` reach the disk (the backup uses it too)."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class ObjectStore(S3Storage):
    """The store as objects in an S3-compatible bucket, under a prefix of its own.

    Private whatever the options say: no ACL is sent with an object (the bucket's
    policy, private by default, applies), no link is ever made, and a file larger
    than 16 MiB is buffered in a temporary file, not in memory, while it is read."""

    def __init__(self, **options: Any) -> None:
        options.update(default_acl=None, file_overwrite=True, gzip=False)
        options.setdefault("max_memory_size", 16 * 1024 * 1024)
        options.setdefault(
            "client_config",
            Config(
                s3={"addressing_style": options.pop("addressing_style", None) or "auto"},
                connect_timeout=5,
                read_timeout=60,
                retries={"max_attempts": 4, "mode": "standard"},
            ),
        )
        super().__init__(**options)
        self._probe = None  # the readiness probe's client (boto3 clients are thread-safe)
        self._unversioned = False  # checked once, before the first write or deletion
        self._ready, self._ready_until = False, 0.0

    # A bucket that keeps versions keeps every file Vigil deletes or re-seals: a
    # deletion only adds a marker, and the purged report, the erased name or the
    # ciphertext under a retired key stays readable to whoever can read the bucket.
    VERSIONED = (
        "The bucket of VIGIL_STORAGE_URL keeps old versions of objects (versioning is "
        "on, or was: 'Suspended' keeps the versions made before), so files Vigil deletes "
        "would stay in it. Use a bucket that never had versioning, and grant "
        "s3:GetBucketVersioning so that Vigil can check."
    )

    def _refuse_a_versioned_bucket(self, client: Any = None) -> None:
        if self._unversioned:
            return
        client = client or self.connection.meta.client
        try:
            status = client.get_bucket_versioning(Bucket=self.bucket_name).get("Status")
        except ClientError as error:
            raise ImproperlyConfigured(self.VERSIONED) from error
        if status in ("Enabled", "Suspended"):
            raise ImproperlyConfigured(self.VERSIONED)
        self._unversioned = True

    def _save(self, name: str, content: File) -> str:
        self._refuse_a_versioned_bucket()
        return super()._save(name, content)

    def delete(self, name: str) -> None:
        self._refuse_a_versioned_bucket()
        super().delete(name)

    def url(self, name: str | None, *args: Any, **kwargs: Any) -> str:
        raise NotImplementedError(
            "The file store makes no links: files leave only through Vigil's views."
        )

    @property
    def _prefix(self) -> str:
        return f"{self.location}/" if self.location else ""

    def _keys(self, prefix: str) -> list[str]:
        client = self.connection.meta.client
        keys = []
        for page in client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket_name, Prefix=prefix
        ):
            keys += [entry["Key"] for entry in page.get("Contents", ())]
        return keys

    def names(self) -> list[str]:
        prefix = self._prefix
        found = []
        for key in self._keys(prefix):
            if match := KEY.fullmatch(key[len(prefix) :]):
                found.append(match.group(2))
        return sorted(found)

    READY_SECONDS = 5.0  # how long a probe's answer stands

    def ready(self) -> bool:
        """The bucket answers a listing of our prefix with these credentials (one
        object at most, nothing written), within seconds and at the first try: a load
        balancer's probe must not wait out the retries that a file's upload deserves.
        The answer stands for a few seconds: /readyz answers anyone who reaches it, and
        each of its requests must not become a request to the object store."""
        now = time.monotonic()
        if now < self._ready_until:
            return self._ready
        self._ready = self._ask_ready()
        self._ready_until = now + self.READY_SECONDS
        return self._ready

    def _ask_ready(self) -> bool:
        try:
            if self._probe is None:
                self._probe = self._create_session().client(
                    "s3",
                    region_name=self.region_name,
                    use_ssl=self.use_ssl,
                    endpoint_url=self.endpoint_url,
                    verify=self.verify,
                    config=self.client_config.merge(
                        Config(connect_timeout=2, read_timeout=3, retries={"total_max_attempts": 1})
                    ),
                )
            self._probe.list_objects_v2(Bucket=self.bucket_name, Prefix=self._prefix, MaxKeys=1)
            self._refuse_a_versioned_bucket(self._probe)
        except Exception:  # noqa: BLE001 - any failure means "not ready"
            return False
        return True

    def where(self) -> str:
        return f"s3://{self.bucket_name}/{self._prefix}"

    def replace_with(self, folder: Path) -> str | None:
        """Put the files staged in `folder` into the bucket, object by object.

        Called once the database restore has committed. Every object already under
        the prefix is first copied aside, to `<prefix>-replaced-<time>/` (the same
        promise as the folder's: replaced, not deleted); then the staged files are
        uploaded, then the objects the archive did not hold are deleted, then
        `folder` is removed. Each step can be run again: a restore interrupted here
        is finished by uploading `folder` under the prefix. Returns where the old
        objects went, or None."""
        client = self.connection.meta.client
        try:
            prefix = self._prefix
            held = [k for k in self._keys(prefix) if KEY.fullmatch(k[len(prefix) :])]
            aside = None
            if held:
                aside = f"{self.location or 'files'}-replaced-{_stamp()}/"
                for key in held:
                    client.copy_object(
                        Bucket=self.bucket_name,
                        CopySource={"Bucket": self.bucket_name, "Key": key},
                        Key=aside + key[len(prefix) :],
                    )
            staged = _staged(folder)
            for key, path in staged:
                with open(path, "rb") as handle:
                    self.save(key, File(handle))
            keep = {prefix + key for key, _path in staged}
            for key in held:
                if key not in keep:
                    client.delete_object(Bucket=self.bucket_name, Key=key)
        except (BotoCoreError, ClientError) as error:
            raise OSError(errno.EIO, f"the object store refused ({type(error).__name__})") from None
        shutil.rmtree(folder)
        return None if aside is None else f"s3://{self.bucket_name}/{aside}"
