"""A Job's live panel (diagram + timeline) as an HTML fragment, for pages that follow a new Job."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from shop.platform.jobs.models import Job
from shop.platform.jobs.selectors import job_get
from shop.platform.jobs.serializers import JobSerializer


def job_context(*, user, job: Job, title: str = "Workflow") -> dict:
    """What frontend/includes/job.html needs: the job as the API shows it."""
    return {"job": JobSerializer(job).data, "show_flower": user.is_staff, "title": title}


@login_required
def job_panel(request, job_id: int):
    try:
        job = job_get(user=request.user, job_id=job_id)
    except Job.DoesNotExist:
        raise Http404("No such job.") from None
    title = request.GET.get("title", "Workflow")[:80]
    return render(request, "frontend/includes/job.html", job_context(user=request.user, job=job, title=title))
