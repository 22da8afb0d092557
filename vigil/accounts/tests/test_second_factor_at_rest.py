"""The second factor at rest: the app's secret encrypted, recovery codes hashed, and the
migration that moves what django-otp kept in plain text out of its tables."""

import importlib
import time
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django_otp.oath import TOTP

from conftest import TOTP_KEY
from vigil.accounts import two_factor
from vigil.accounts.models import AuthenticatorApp, RecoveryCode, RecoveryCodes
from vigil.vault import encryption

pytestmark = pytest.mark.django_db

migration = importlib.import_module(
    "vigil.accounts.migrations.0004_second_factor_encrypted_and_hashed"
)


def column(table: str, name: str) -> list:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {name} FROM {table}")  # noqa: S608 (our own names)
        return [row[0] for row in cursor.fetchall()]


def test_it_stores_the_app_secret_encrypted_and_reads_it_back(alice):
    stored = column("accounts_authenticatorapp", "key")
    assert len(stored) == 1 and TOTP_KEY not in stored[0]
    assert encryption.decrypt(stored[0], where="accounts_authenticatorapp.key") == TOTP_KEY
    assert AuthenticatorApp.objects.get(user=alice).bin_key == bytes.fromhex(TOTP_KEY)


def test_it_keeps_recovery_codes_only_as_hashes_that_work_once(alice):
    codes = two_factor.renew_recovery_codes(user=alice)
    digests = column("accounts_recoverycode", "digest")
    assert len(digests) == 10 and not set(codes) & set(digests)
    device = RecoveryCodes.objects.get(user=alice)
    assert device.verify_token(codes[3].upper()) is True
    assert device.verify_token(codes[3]) is False
    assert device.verify_token("abcdefgh") is False
    assert RecoveryCode.objects.filter(device=device).count() == 9


def test_it_moves_django_otps_plain_rows_into_encrypted_and_hashed_ones(alice):
    AuthenticatorApp.objects.filter(user=alice).delete()
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE otp_totp_totpdevice (id integer PRIMARY KEY, user_id integer, "
            "name varchar(64), confirmed boolean, key varchar(80), step integer, t0 bigint, "
            "digits integer, tolerance integer, drift integer, last_t bigint)"
        )
        cursor.execute(
            "INSERT INTO otp_totp_totpdevice VALUES (1, %s, 'app', %s, %s, 30, 0, 6, 1, 0, -1)",
            [alice.pk, True, TOTP_KEY.upper()],
        )
        cursor.execute(
            "CREATE TABLE otp_static_staticdevice (id integer PRIMARY KEY, user_id integer, "
            "name varchar(64), confirmed boolean)"
        )
        cursor.execute(
            "INSERT INTO otp_static_staticdevice VALUES (7, %s, 'recovery codes', %s)",
            [alice.pk, True],
        )
        cursor.execute(
            "CREATE TABLE otp_static_statictoken (id integer PRIMARY KEY, device_id integer, "
            "token varchar(16))"
        )
        cursor.execute("INSERT INTO otp_static_statictoken VALUES (1, 7, 'abcd2345')")
        cursor.execute("INSERT INTO otp_static_statictoken VALUES (2, 7, 'efgh6723')")

    migration.move_from_django_otp(apps, SimpleNamespace(connection=connection))

    assert column("otp_totp_totpdevice", "key") == []
    assert column("otp_static_statictoken", "token") == []
    assert column("otp_static_staticdevice", "id") == []
    app = AuthenticatorApp.objects.get(user=alice)
    assert app.confirmed and app.key == TOTP_KEY
    assert TOTP_KEY not in column("accounts_authenticatorapp", "key")[0]
    totp = TOTP(app.bin_key)
    totp.time = time.time()
    assert app.verify_token(f"{totp.token():06d}")
    recovery = RecoveryCodes.objects.get(user=alice)
    assert set(column("accounts_recoverycode", "digest")) == {
        recovery.digest("abcd2345"),
        recovery.digest("efgh6723"),
    }
    assert recovery.verify_token("ABCD 2345")
    assert two_factor.recovery_codes_left(alice) == 1
