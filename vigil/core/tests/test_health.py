"""The load balancer's probes: answered by address, over plain HTTP, with no session,
and saying which part is failing without saying anything else."""

import json

import pytest
from django.test import override_settings


def probe(client, path, **extra):
    return client.get(path, HTTP_HOST="10.0.0.7", **extra)  # an address, not an allowed host


@pytest.mark.django_db
def test_healthz_answers_by_address_over_http_without_touching_the_database(
    client, settings, django_assert_num_queries
):
    settings.SECURE_SSL_REDIRECT = True
    with django_assert_num_queries(0):
        response = probe(client, "/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert not response.cookies


@pytest.mark.django_db
def test_readyz_says_ready_when_the_database_the_cache_the_file_store_and_the_queue_work(
    client,
):
    response = probe(client, "/readyz")
    assert response.status_code == 200
    assert json.loads(response.content) == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "files": "ok", "queue": "ok"},
    }


@pytest.mark.django_db
def test_readyz_names_an_unreachable_cache_and_nothing_more(client):
    # A real Redis client, pointed at a port where nothing listens.
    unreachable = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    with override_settings(CACHES=unreachable):
        response = probe(client, "/readyz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body == {
        "status": "unavailable",
        "checks": {"database": "ok", "cache": "failing", "files": "ok", "queue": "ok"},
    }
    assert b"127.0.0.1" not in response.content and b"redis" not in response.content


@pytest.mark.django_db
def test_readyz_names_a_file_store_that_cannot_be_made(client, settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    settings.DATA_DIR = blocker  # the store's folder cannot be made inside a file
    response = probe(client, "/readyz")
    assert response.status_code == 503
    assert json.loads(response.content)["checks"]["files"] == "failing"
    assert str(tmp_path).encode() not in response.content


def test_the_probes_only_answer_reads(client):
    assert client.post("/healthz", HTTP_HOST="10.0.0.7").status_code == 405
    assert client.post("/readyz", HTTP_HOST="10.0.0.7").status_code == 405


@pytest.mark.django_db
def test_readyz_names_a_task_queue_out_of_reach(client, monkeypatch):
    import socket

    from huey import RedisHuey

    from vigil.core import queue

    with socket.socket() as s:  # a port where nothing listens
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    unreachable = RedisHuey("vigil-readyz-test", url=f"redis://127.0.0.1:{port}/0")
    monkeypatch.setattr(queue, "huey", lambda: unreachable)
    response = probe(client, "/readyz")
    assert response.status_code == 503
    assert json.loads(response.content)["checks"] == {
        "database": "ok", "cache": "ok", "files": "ok", "queue": "failing",
    }  # fmt: skip
