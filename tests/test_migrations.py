from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_model_change_is_missing_a_migration():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit:  # --check exits 1 when a migration is missing
        pytest.fail(f"a migration is missing (run makemigrations): {out.getvalue()}")
    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("app", "old", "models"),
    [("reports", "stats", ("narrative", "reportbuild")), ("vault", "core", ("wrappedkey",))],
)
def test_moved_models_take_their_content_types_and_permissions_along(app, old, models):
    """An installation upgraded across a move keeps no stale `old.*` content type: the
    one without a twin is renamed (its permissions follow), the one with a twin goes."""
    from importlib import import_module
    from types import SimpleNamespace

    from django.apps import apps
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    renamed, twinned = models[0], models[-1]
    ContentType.objects.filter(app_label=app, model=renamed).delete()
    stale = ContentType.objects.create(app_label=old, model=renamed)
    permission = Permission.objects.create(content_type=stale, codename="x", name="x")
    if twinned != renamed:
        ContentType.objects.create(app_label=old, model=twinned)
    migration = import_module(f"vigil.{app}.migrations.0002_content_types_follow_the_models")
    migration.follow(apps, SimpleNamespace(connection=connection))

    assert not ContentType.objects.filter(app_label=old, model__in=models).exists()
    permission.refresh_from_db()
    assert (permission.content_type.app_label, permission.content_type.model) == (app, renamed)
    assert ContentType.objects.filter(app_label=app, model=twinned).count() == 1
