"""The database router without a replica (the embedded default and a single
PostgreSQL): every query on the primary, as before. A replica is refused behind a
primary that is not PostgreSQL. The router with a real replica is tested in
tests/replica/."""

import pytest
from django.db import router

from conftest import manage_env, run_manage
from vigil.core import reading
from vigil.exchange.models import ExternalRef


@pytest.mark.django_db
def test_without_a_replica_every_query_goes_to_the_primary():
    assert not reading.configured()
    with reading.from_replica() as from_the_replica:
        assert not from_the_replica
        assert ExternalRef.objects.all().db == "default"
        assert router.db_for_read(ExternalRef) == "default"
        assert router.db_for_write(ExternalRef) == "default"
        ref = ExternalRef.objects.create(kind="defenders", external_id="ext-1", object_id=1)
        assert ExternalRef.objects.get(pk=ref.pk)._state.db == "default"
    assert reading.Router().allow_migrate("default", "exchange") is None


def test_the_replica_never_takes_migrations():
    assert reading.Router().allow_migrate("replica", "exchange") is False


def test_a_replica_is_refused_behind_an_embedded_primary(tmp_path):
    result = run_manage(
        "check",
        env=manage_env(
            tmp_path, VIGIL_DEBUG="1", DATABASE_REPLICA_URL="postgres://postgres@127.0.0.1:1/x"
        ),
    )
    assert result.returncode != 0
    assert "DATABASE_REPLICA_URL needs a PostgreSQL primary" in result.stderr


def test_a_replica_that_is_not_postgresql_is_refused(tmp_path):
    result = run_manage(
        "check",
        env=manage_env(
            tmp_path,
            VIGIL_DEBUG="1",
            DATABASE_URL="postgres://postgres@127.0.0.1:1/x",
            DATABASE_REPLICA_URL=f"sqlite:///{tmp_path / 'copy.sqlite3'}",
        ),
    )
    assert result.returncode != 0
    assert "DATABASE_REPLICA_URL must name a PostgreSQL database" in result.stderr
