"""The staff console: pages that read through the feature apps' selectors; the panels'
actions call the staff APIs from JavaScript (frontend/static/frontend/staff.js)."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import render

from catalog.selectors import product_list
from notifications.models import Campaign
from reporting.models import Report
from shop.platform.api_errors import json_error
from shop.platform.jobs.models import Job
from shop.platform.jobs.selectors import job_get, job_list
from shop.platform.observability import charts

from .jobs import job_context

RECENT_JOBS = 15


def staff_required(view):
    """Anonymous visitors go to the login page; logged-in shoppers get a 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_staff:
            raise PermissionDenied("The staff console is for staff only.")
        return view(request, *args, **kwargs)

    return wrapper


def _page(request, template: str, section: str, **context):
    # With the demo on, its panels and pages are mounted too (shop/urls.py).
    return render(
        request, f"frontend/staff/{template}", {"section": section, "demo": settings.DEMO_MODE, **context}
    )


@staff_required
def home(request):
    jobs = job_list(user=request.user)[:RECENT_JOBS]
    return _page(request, "home.html", "home", jobs=jobs)


@staff_required
def job_detail(request, job_id: int):
    try:
        job = job_get(user=request.user, job_id=job_id)
    except Job.DoesNotExist:
        raise Http404("No such job.") from None
    return _page(request, "job.html", "home", job_obj=job, **job_context(user=request.user, job=job))


@staff_required
def images(request):
    products = product_list(unpublished=True).order_by("name")
    return _page(request, "images.html", "images", products=products)


@staff_required
def reports(request):
    return _page(request, "reports.html", "reports", kinds=Report.Kind.choices)


@staff_required
def campaigns(request):
    return _page(request, "campaigns.html", "campaigns", audiences=Campaign.Audience.choices)


@staff_required
def sync(request):
    return _page(request, "sync.html", "sync")


@staff_required
def mailbox(request):
    return _page(request, "mailbox.html", "mailbox")


@staff_required
def monitoring(request):
    return _page(request, "monitoring.html", "monitoring")


def monitoring_data(request):
    """The charts' data and active alerts (JSON), drawn from Prometheus on the server."""
    if not request.user.is_authenticated:
        return json_error(401, "not_authenticated", "Log in as staff to see the charts.")
    if not request.user.is_staff:
        return json_error(403, "permission_denied", "The charts are for staff only.")
    try:
        return JsonResponse({"charts": charts.chart_series(), "alerts": charts.active_alerts()})
    except charts.PrometheusUnavailable:
        return json_error(
            503, "charts_unavailable", "The charts are unavailable: Prometheus does not answer."
        )
