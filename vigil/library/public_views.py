"""The public legal library: each resolution with its languages side by side, and
under each paragraph what has been done under it."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from vigil.library import selectors
from vigil.library.models import Resolution


def resolution_list(request: HttpRequest) -> HttpResponse:
    return render(request, "library/list.html", {"resolutions": list(selectors.resolutions())})


def resolution_detail(request: HttpRequest, resolution_id: int) -> HttpResponse:
    resolution = Resolution.objects.filter(pk=resolution_id).first()
    if resolution is None:
        raise Http404
    versions = selectors.versions_for_reader(resolution)
    return render(
        request,
        "library/detail.html",
        {
            "resolution": resolution,
            "versions": versions,
            "rows": selectors.rows(resolution, versions, request.user),
        },
    )
