from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from .models import Job


def job_list(*, user: AbstractBaseUser) -> QuerySet[Job]:
    """Jobs a user may see: their own; staff see all."""
    jobs = Job.objects.select_related("owner").prefetch_related("steps")
    return jobs if user.is_staff else jobs.filter(owner=user)


def job_get(*, user: AbstractBaseUser, job_id: int) -> Job:
    return job_list(user=user).get(id=job_id)
