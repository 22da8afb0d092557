"""The State measures desk. Staff keep measures; stakeholders propose them."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vigil.cases.access import cases_for_user
from vigil.cases.views import STALE_MESSAGE, _attempt
from vigil.communications.access import communications_for_user
from vigil.core.links import visible
from vigil.core.permissions import Perm, has_perm, permission_required
from vigil.measures import access, selectors, services
from vigil.measures.forms import (
    MeasureEditForm,
    MeasureFilterForm,
    MeasureForm,
    RecommendationForm,
    ReviewForm,
    StaffMeasureForm,
    StatusForm,
)
from vigil.measures.models import Recommendation, Uptake

# Staff who keep measures, and stakeholders who propose them; others get 404. The
# pages that change a measure are for staff alone: a stakeholder gets the same 404,
# even for their own proposal.
_keeps_or_proposes = permission_required(Perm.MANAGE_MEASURES, Perm.PROPOSE_MEASURES, hidden=True)
_keeps = permission_required(Perm.MANAGE_MEASURES, hidden=True)


def _staff(user: Any) -> bool:
    return has_perm(user, Perm.MANAGE_MEASURES)


def _page(request: HttpRequest, form: Any, *, title: str, back: str) -> HttpResponse:
    return render(request, "cases/form.html", {"form": form, "title": title, "back": back})


@_keeps_or_proposes
def measure_list(request: HttpRequest) -> HttpResponse:
    form = MeasureFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    page = selectors.desk_list(request.user, filters, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "measures/list.html",
        {"form": form, "page": page, "query": query.urlencode(), "staff": _staff(request.user)},
    )


@_keeps_or_proposes
def measure_create(request: HttpRequest) -> HttpResponse:
    form_class = StaffMeasureForm if _staff(request.user) else MeasureForm
    form = form_class(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        measure = _attempt(
            form, services.measure_create, actor=request.user, **form.service_fields()
        )
        if measure is not None:
            if _staff(request.user):
                messages.success(request, _("Measure recorded."))
            else:
                messages.success(request, _("Thank you. The desk will review your proposal."))
            return redirect("measures:detail", measure_id=measure.pk)
    title = _("Record a State measure") if _staff(request.user) else _("Propose a State measure")
    return _page(request, form, title=title, back=reverse("measures:list"))


@_keeps_or_proposes
def measure_detail(request: HttpRequest, measure_id: int) -> HttpResponse:
    measure = access.get_measure_for_user(request.user, measure_id)
    return _detail(request, measure)


def _detail(request: HttpRequest, measure: Any, **forms: Any) -> HttpResponse:
    staff = _staff(request.user)
    return render(
        request,
        "measures/detail.html",
        {
            "measure": measure,
            "staff": staff,
            "history": list(measure.history.all()),
            "recommendations": list(measure.recommendations.all()),
            "status_form": forms.get("status_form") or StatusForm(),
            "recommendation_form": forms.get("recommendation_form") or RecommendationForm(),
            "review_form": forms.get("review_form")
            or ReviewForm(initial={"version": measure.version}),
            "uptake_choices": Uptake.choices,
            # Only the letters and cases the reader may open (core/links.py).
            "communications": list(
                visible(measure.communications.all(), communications_for_user(request.user))
            )
            if staff
            else [],
            "cases": list(visible(measure.cases.all(), cases_for_user(request.user)))
            if staff
            else [],
        },
    )


@_keeps
def measure_edit(request: HttpRequest, measure_id: int) -> HttpResponse:
    measure = access.get_measure_for_user(request.user, measure_id)
    back = reverse("measures:detail", args=[measure.pk])
    form = MeasureEditForm(
        request.POST or None, instance=measure, user=request.user,
        initial={"version": measure.version},
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        data = form.service_fields()
        saved = _attempt(
            form, services.measure_update, actor=request.user, measure=measure,
            version=data.pop("version"), **data,
        )  # fmt: skip
        if saved is not None:
            messages.success(request, _("The measure has been saved."))
            return redirect(back)
    return _page(request, form, title=_("Change the measure"), back=back)


@_keeps
@require_POST
def status_add(request: HttpRequest, measure_id: int) -> HttpResponse:
    measure = access.get_measure_for_user(request.user, measure_id)
    form = StatusForm(request.POST)
    if form.is_valid():
        saved = _attempt(
            form, services.measure_status_add, actor=request.user, measure=measure,
            **form.cleaned_data,
        )  # fmt: skip
        if saved is not None:
            messages.success(request, _("Status recorded."))
            return redirect(reverse("measures:detail", args=[measure.pk]) + "#history")
    return _detail(request, measure, status_form=form)


@_keeps
@require_POST
def recommendation_add(request: HttpRequest, measure_id: int) -> HttpResponse:
    measure = access.get_measure_for_user(request.user, measure_id)
    form = RecommendationForm(request.POST)
    if form.is_valid():
        services.recommendation_add(actor=request.user, measure=measure, **form.cleaned_data)
        messages.success(request, _("Recommendation recorded."))
        return redirect(reverse("measures:detail", args=[measure.pk]) + "#recommendations")
    return _detail(request, measure, recommendation_form=form)


@_keeps
@require_POST
def uptake(request: HttpRequest, recommendation_id: int) -> HttpResponse:
    recommendation = Recommendation.objects.filter(pk=recommendation_id).first()
    measure = access.get_measure_for_user(
        request.user, recommendation.measure_id if recommendation else None
    )
    try:
        services.recommendation_uptake(
            actor=request.user, recommendation=recommendation, uptake=request.POST.get("uptake", "")
        )
    except ValidationError:
        messages.error(request, _("Choose whether it was taken up."))
    return redirect(reverse("measures:detail", args=[measure.pk]) + "#recommendations")


@_keeps
@require_POST
def review(request: HttpRequest, measure_id: int) -> HttpResponse:
    measure = access.get_measure_for_user(request.user, measure_id)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.measure_review(actor=request.user, measure=measure, **form.cleaned_data)
        except services.StaleRecord:
            form.add_error(None, STALE_MESSAGE)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Review saved."))
            return redirect("measures:detail", measure_id=measure.pk)
    return _detail(request, measure, review_form=form)
