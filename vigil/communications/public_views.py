"""The public record: published communications, searched and read by anyone.

Only published letters are reachable; names of people who did not consent to
publication are withheld in every text shown (cases/consent.py, through
letters.public_withholder).
"""

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from vigil.communications import letters, selectors
from vigil.communications.forms import PublicSearchForm
from vigil.core import posted_search

PUBLIC_PAGE_SIZE = 20


def public_list(request: HttpRequest) -> HttpResponse:
    """Published communications, searched by country, addressee, type, year, theme and
    words. Words are posted and kept under a random token (see core.posted_search),
    so that what a visitor searched for never reaches a URL or a log."""
    if request.method == "POST":
        return redirect(posted_search.redirect_url(request, "published:list", scope="public"))
    data = posted_search.restore(request, scope="public")
    form = PublicSearchForm(data or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    results = selectors.public_search(filters)
    page = Paginator(results, PUBLIC_PAGE_SIZE).get_page(request.GET.get("page"))
    entries = [(c, letters.public_summary(c)) for c in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "communications/public/list.html",
        {"form": form, "page": page, "entries": entries, "query": query.urlencode()},
    )


def public_detail(request: HttpRequest, communication_id: int) -> HttpResponse:
    communication = selectors.published().filter(pk=communication_id).first()
    if communication is None:
        raise Http404
    withhold = letters.public_withholder(communication)
    return render(
        request,
        "communications/public/detail.html",
        {
            "communication": communication,
            "summary": withhold(communication.summary),
            "mandates": [withhold(m) for m in letters.mandates(communication)],
            "letter": letters.build(communication, public=True),
            "headings": letters.headings(),
            "replies": [(reply, withhold(reply.sender)) for reply in communication.replies.all()],
        },
    )
