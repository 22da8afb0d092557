"""Running `verify_audit` in tests, as the shell would see it (shared by the audit
trail's unit tests and the adversary suite)."""

from io import StringIO

from django.core.management import CommandError, call_command


def verify_audit(*args: str) -> tuple[int, str, str]:
    """verify_audit's exit status, output and error, as the shell would see them."""
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_audit", *args, stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, out.getvalue(), str(error)
    return 0, out.getvalue(), err.getvalue()
