from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vigil.core import selectors
from vigil.core.permissions import Perm, country_scope, permission_required


@permission_required(Perm.VIEW_DESK)
def dashboard(request: HttpRequest) -> HttpResponse:
    scope = country_scope(request.user)
    return render(
        request,
        "desk/dashboard.html",
        {
            "figures": selectors.dashboard_figures(request.user),
            "panels": selectors.dashboard_panels(request.user),
            "scoped": scope is not None,
            "country_names": request.user.country_names(),
        },
    )
