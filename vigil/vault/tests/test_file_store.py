"""The sealed file store on both of its backends: a folder (the default) and an
S3-compatible object store (a real SeaweedFS the suite starts, conftest.py).

Whatever the backend, a stored file is ciphertext bound to a random name, nothing
links to it, and without the keys nothing can be read or listed."""

import json
import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ClientError
from cryptography.fernet import Fernet
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured

from conftest import S3_BUCKET, s3_client
from vigil.settings import file_store
from vigil.vault import encryption, files
from vigil.vault.stores import LocalStore, ObjectStore

SECRET = "Testimony of Marta Quispe Huamán: the soldiers came at night.".encode()


def test_it_seals_gives_back_lists_and_deletes_files(either_store):
    first, second = files.save(SECRET), files.save(b"a second file")
    assert len(first.name) == 40 and int(first.name, 16) >= 0  # random hex, nothing else
    assert first.size == len(SECRET)
    assert files.read(first.name) == SECRET
    assert files.names() == sorted([first.name, second.name])
    assert files.exists(first.name)
    with files.open_sealed(first.name) as sealed:
        token = sealed.read()
        assert sealed.size == len(token)
    assert SECRET not in token and b"Marta" not in token
    assert files.readable(first.name, token)
    assert not files.readable(second.name, token)  # bound to its own name

    files.delete(first.name)
    files.delete(first.name)  # deleting twice is no error
    assert files.names() == [second.name]
    assert not files.exists(first.name)
    with pytest.raises(FileNotFoundError):
        files.read(first.name)
    with pytest.raises(FileNotFoundError):
        files.open_sealed(first.name)


def test_a_file_is_resealed_under_the_newest_key_and_only_once(either_store, settings_keys):
    old = django_settings.ENCRYPTION_KEYS[0]
    stored = files.save(SECRET)
    new = Fernet.generate_key().decode()
    settings_keys([new, old])
    assert files.reseal(stored.name) is True
    assert files.reseal(stored.name) is False  # already under the newest key
    settings_keys([new])  # the old key is gone, and the file still opens
    assert files.read(stored.name) == SECRET
    with files.open_sealed(stored.name) as sealed:
        assert encryption.is_current(sealed.read())
    files.delete(stored.name)
    assert files.reseal(stored.name) is False  # a deleted file is not brought back
    assert files.names() == []


def test_a_name_of_another_shape_is_refused(either_store):
    for name in ["../../etc/passwd", "ab/cdef", "a.b.c", ""]:
        with pytest.raises(files.StoreError):
            files.read(name)
        with pytest.raises(files.StoreError):
            files.delete(name)


def test_the_store_is_ready_and_says_where_it_is(either_store):
    assert files.ready()
    where = files.where()
    assert where.startswith("s3://vigil-test/") if either_store == "s3" else "files" in where


@pytest.mark.django_db
def test_readyz_passes_on_the_object_store(client, store_on_s3):
    response = client.get("/readyz", HTTP_HOST="10.0.0.7")
    assert response.status_code == 200
    assert json.loads(response.content)["checks"]["files"] == "ok"


def test_an_object_fetched_with_the_credentials_is_ciphertext_under_a_random_name(
    seaweedfs, store_on_s3
):
    stored = files.save(SECRET)
    client = s3_client(seaweedfs)
    listed = client.list_objects_v2(Bucket=S3_BUCKET, Prefix=store_on_s3["location"] + "/")
    keys = [entry["Key"] for entry in listed["Contents"]]
    assert keys == [f"{store_on_s3['location']}/{stored.name[:2]}/{stored.name}"]
    got = client.get_object(Bucket=S3_BUCKET, Key=keys[0])
    body = got["Body"].read()
    assert SECRET not in body and b"Marta" not in body and b"Testimony" not in body
    assert files.readable(stored.name, body)
    assert got["Metadata"] == {}  # no original name, nothing but the sealed bytes
    assert got["ContentType"] == "application/octet-stream"
    # No ACL was sent: the object is the owner's alone.
    grants = client.get_object_acl(Bucket=S3_BUCKET, Key=keys[0])["Grants"]
    assert not [g for g in grants if g["Grantee"].get("URI", "").endswith("AllUsers")]


def test_the_bucket_refuses_anonymous_reads_and_listings(seaweedfs, store_on_s3):
    stored = files.save(SECRET)
    key = f"{store_on_s3['location']}/{stored.name[:2]}/{stored.name}"
    anonymous = s3_client(seaweedfs, unsigned=True)
    with pytest.raises(ClientError) as refused:
        anonymous.get_object(Bucket=S3_BUCKET, Key=key)
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    with pytest.raises(ClientError) as refused:
        anonymous.list_objects_v2(Bucket=S3_BUCKET)
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    # Plain HTTP, as a browser would ask: refused too, and the body says nothing.
    for url in [f"{seaweedfs}/{S3_BUCKET}/{key}", f"{seaweedfs}/{S3_BUCKET}"]:
        with pytest.raises(urllib.error.HTTPError) as http:
            urllib.request.urlopen(url, timeout=10)  # noqa: S310 (our own loopback server)
        assert http.value.code == 403
        assert SECRET not in http.value.read()
    # And wrong credentials are no better than none.
    stranger = s3_client(seaweedfs, aws_access_key_id="stranger", aws_secret_access_key="x" * 40)
    with pytest.raises(ClientError):
        stranger.get_object(Bucket=S3_BUCKET, Key=key)


def test_the_object_store_makes_no_links(store_on_s3):
    stored = files.save(SECRET)
    with pytest.raises(NotImplementedError):
        files._store().url(f"{stored.name[:2]}/{stored.name}")


def test_it_is_private_whatever_the_options_say(store_on_s3):
    store = ObjectStore(**store_on_s3, default_acl="public-read", gzip=True)
    assert store.default_acl is None and store.gzip is False and store.file_overwrite


@pytest.mark.django_db
def test_readyz_names_an_object_store_that_does_not_answer(client, settings, store_on_s3):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]  # nothing listens here once the socket is closed
    url = f"s3://{S3_BUCKET}/x?endpoint=http://127.0.0.1:{closed}&region=us-east-1"
    settings.STORAGES = {**settings.STORAGES, "vault": file_store(url)}
    assert not files.ready()
    response = client.get("/readyz", HTTP_HOST="10.0.0.7")
    assert response.status_code == 503
    assert json.loads(response.content)["checks"]["files"] == "failing"
    assert str(closed).encode() not in response.content and b"s3" not in response.content


def test_the_storage_url_names_a_bucket_a_prefix_an_endpoint_and_a_region():
    assert file_store("") == {"BACKEND": "vigil.vault.stores.LocalStore"}
    assert file_store(
        "s3://vigil-files/office/geneva?endpoint=https://s3.example.org&region=eu-west-1"
        "&addressing=path"
    ) == {
        "BACKEND": "vigil.vault.stores.ObjectStore",
        "OPTIONS": {
            "bucket_name": "vigil-files",
            "location": "office/geneva",
            "endpoint_url": "https://s3.example.org",
            "region_name": "eu-west-1",
            "addressing_style": "path",
        },
    }
    assert file_store("s3://vigil-files")["OPTIONS"] == {
        "bucket_name": "vigil-files",
        "location": "",
    }


@pytest.mark.parametrize(
    "url",
    [
        "s3://KEY:hunter2pass@vigil-files/prefix",  # credentials belong in the environment
        "https://vigil-files/prefix",
        "s3:///prefix",
        "s3://vigil-files/prefix?acl=public-read",
        # The endpoint too: credentials, a path, a query, or plain http across a network.
        "s3://vigil-files/p?endpoint=https://AKIA:hunter2pass@s3.example.org",
        "s3://vigil-files/p?endpoint=https://s3.example.org/elsewhere",
        "s3://vigil-files/p?endpoint=ftp://s3.example.org",
        "s3://vigil-files/p?endpoint=http://s3.example.org",
        "s3://vigil-files/p?endpoint=http://10.0.0.51:8333",
    ],
)
def test_a_storage_url_of_another_shape_is_refused(url):
    with pytest.raises(ImproperlyConfigured) as refused:
        file_store(url)
    assert "hunter2pass" not in str(refused.value)


def test_plain_http_is_taken_on_loopback_or_when_the_network_is_said_to_be_private():
    on_loopback = file_store("s3://vigil-files/p?endpoint=http://127.0.0.1:8333")
    assert on_loopback["OPTIONS"]["endpoint_url"] == "http://127.0.0.1:8333"
    private = file_store("s3://vigil-files/p?endpoint=http://10.0.0.51:8333&insecure=1")
    assert private["OPTIONS"]["endpoint_url"] == "http://10.0.0.51:8333"
    assert "insecure" not in private["OPTIONS"]


def test_the_default_store_is_the_folder_in_the_data_directory(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    stored = files.save(SECRET)
    assert isinstance(files._store(), LocalStore)
    path = tmp_path / "files" / stored.name[:2] / stored.name
    assert path.is_file() and SECRET not in path.read_bytes()
    assert (tmp_path / "files").stat().st_mode & 0o777 == 0o700
    assert not list(tmp_path.rglob("*.partial"))  # written whole, then renamed


def test_readiness_gives_up_on_a_silent_object_store_within_seconds(settings, store_on_s3):
    import socket
    import time

    # A server that takes connections and never answers (the kernel completes the
    # handshake for a listening socket that nobody accepts from).
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"s3://{S3_BUCKET}/x?endpoint=http://127.0.0.1:{silent.getsockname()[1]}"
        settings.STORAGES = {**settings.STORAGES, "vault": file_store(url + "&region=us-east-1")}
        started = time.monotonic()
        assert not files.ready()
        assert time.monotonic() - started < 5  # one try, a read timeout of 3 s


def test_a_bucket_that_keeps_versions_is_refused_before_a_file_is_written(
    client, settings, seaweedfs, monkeypatch
):
    """In a versioned bucket a deletion only adds a marker: the purged report, the
    erased name and the ciphertext under a retired key would all stay readable."""
    from django.core.exceptions import ImproperlyConfigured

    from conftest import S3_ACCESS_KEY, S3_SECRET_KEY, s3_client

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", S3_ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", S3_SECRET_KEY)
    bucket = "vigil-versioned"
    s3 = s3_client(seaweedfs)
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    url = f"s3://{bucket}/files?endpoint={seaweedfs}&region=us-east-1&addressing=path"
    settings.STORAGES = {**settings.STORAGES, "vault": file_store(url)}
    with pytest.raises(ImproperlyConfigured, match="keeps old versions"):
        files.save(SECRET)
    with pytest.raises(ImproperlyConfigured, match="keeps old versions"):
        files.delete("ab" + "0" * 38)
    assert s3.list_object_versions(Bucket=bucket).get("Versions", []) == []
    response = client.get("/readyz", HTTP_HOST="10.0.0.7")
    assert json.loads(response.content)["checks"]["files"] == "failing"


def test_the_object_stores_readiness_stands_a_few_seconds(store_on_s3, monkeypatch):
    """/readyz answers anyone who reaches it: a flood of probes must not become a flood
    of listings of the bucket."""
    store = files._store()
    assert store.ready()
    asked = []
    store._probe.meta.events.register("before-call.s3.ListObjectsV2", lambda **_: asked.append(1))
    assert store.ready() and store.ready()
    assert asked == []
    monkeypatch.setattr(store, "_ready_until", 0.0)  # the few seconds have passed
    assert store.ready()
    assert asked == [1]
