from django.http import HttpRequest

from vigil.core.permissions import PermissionFlags


def vigil(request: HttpRequest) -> dict:
    return {"can": PermissionFlags(getattr(request, "user", None))}
