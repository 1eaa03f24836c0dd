"""The SQL of the step events (shop.platform.jobs.services), written once per database.

Every task of a Job starts and succeeds as a step, so these run more than any other
statement of the shop. Built through the ORM (Case/When/F/Coalesce) each step cost ~5.5
CPU-ms on SQLite, most of it Django compiling the same expressions again (py-spy, issue 16);
the same statements written out cost ~0.5 ms. Each is one conditional UPDATE; standard SQL
evaluates every right-hand side against the row as it was before the statement, which is
what lets one statement count a step and decide the Job's status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from django.db import connection

from .models import Job, JobStep

_UNFINISHED = (Job.Status.PENDING, Job.Status.RUNNING)


@dataclass(frozen=True)
class _Statements:
    step_started: str
    step_revoked_exists: str
    step_retried: str
    step_succeeded: str
    step_failed: str
    step_revoked: str
    job_touched: str
    job_step_counted: str
    job_step_failed: str


@cache
def _statements(vendor: str) -> _Statements:
    quote = connection.ops.quote_name

    def columns(model) -> dict[str, str]:
        return {f.name: quote(f.column) for f in model._meta.concrete_fields}

    job, step = quote(Job._meta.db_table), quote(JobStep._meta.db_table)
    j, s = columns(Job), columns(JobStep)
    unfinished = f"{j['status']} IN (%s, %s)"
    last_step = f"{unfinished} AND {j['progress_total']} <= {j['progress_done']} + 1"
    running = f"WHEN {j['status']} = %s THEN %s ELSE {j['status']} END"
    touched = f"{j['started_at']} = COALESCE({j['started_at']}, %s), {j['updated_at']} = %s"
    return _Statements(
        step_started=f"UPDATE {step} SET {s['state']} = %s, {s['started_at']} = COALESCE({s['started_at']}, %s) "
        f"WHERE {s['task_id']} = %s AND {s['state']} NOT IN (%s, %s)",
        step_revoked_exists=f"SELECT 1 FROM {step} WHERE {s['task_id']} = %s AND {s['state']} = %s LIMIT 1",
        step_retried=f"UPDATE {step} SET {s['state']} = %s, {s['retries']} = {s['retries']} + 1, "
        f"{s['error']} = %s WHERE {s['task_id']} = %s",
        step_succeeded=f"UPDATE {step} SET {s['state']} = %s, {s['finished_at']} = %s, {s['error']} = %s "
        f"WHERE {s['task_id']} = %s AND {s['state']} <> %s",
        step_failed=f"UPDATE {step} SET {s['state']} = %s, {s['finished_at']} = %s, {s['error']} = %s "
        f"WHERE {s['task_id']} = %s",
        step_revoked=f"UPDATE {step} SET {s['state']} = %s, {s['finished_at']} = %s WHERE {s['task_id']} = %s",
        job_touched=f"UPDATE {job} SET {j['status']} = CASE {running}, {touched} WHERE {j['id']} = %s",
        job_step_counted=f"UPDATE {job} SET {j['status']} = CASE WHEN {last_step} THEN %s {running}, "
        f"{touched}, {j['finished_at']} = CASE WHEN {last_step} THEN %s ELSE {j['finished_at']} END, "
        f"{j['progress_done']} = {j['progress_done']} + 1 WHERE {j['id']} = %s",
        job_step_failed=f"UPDATE {job} SET {j['status']} = CASE WHEN {unfinished} THEN %s ELSE {j['status']} END, "
        f"{touched}, {j['finished_at']} = CASE WHEN {unfinished} THEN %s ELSE {j['finished_at']} END, "
        f"{j['error']} = CASE WHEN {j['error']} = '' THEN %s ELSE {j['error']} END WHERE {j['id']} = %s",
    )


def _run(sql: str, params: list[Any]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _at(moment: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(moment)


def _sql() -> _Statements:
    return _statements(connection.vendor)


def step_mark_started(*, task_id: str, now: datetime) -> bool:
    """The step is running, unless it succeeded or was revoked before; whether it moved."""
    State = JobStep.State
    return bool(_run(_sql().step_started, [State.STARTED, _at(now), task_id, State.SUCCESS, State.REVOKED]))


def step_is_revoked(*, task_id: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(_sql().step_revoked_exists, [task_id, JobStep.State.REVOKED])
        return cursor.fetchone() is not None


def step_mark_retried(*, task_id: str, reason: str) -> None:
    _run(_sql().step_retried, [JobStep.State.RETRY, reason, task_id])


def step_mark_succeeded(*, task_id: str, now: datetime) -> bool:
    """The step succeeded, unless it had already; whether it moved (a redelivery does not)."""
    State = JobStep.State
    return bool(_run(_sql().step_succeeded, [State.SUCCESS, _at(now), "", task_id, State.SUCCESS]))


def step_mark_failed(*, task_id: str, now: datetime, error: str) -> None:
    _run(_sql().step_failed, [JobStep.State.FAILURE, _at(now), error, task_id])


def step_mark_revoked(*, task_id: str, now: datetime) -> None:
    _run(_sql().step_revoked, [JobStep.State.REVOKED, _at(now), task_id])


def job_touch(*, job_id: int, now: datetime) -> None:
    """Step activity: a pending Job becomes running and `updated_at` moves (how
    dispatch.job_redispatch tells a stalled Job from a slow one)."""
    at = _at(now)
    _run(_sql().job_touched, [Job.Status.PENDING, Job.Status.RUNNING, at, at, job_id])


def job_step_count(*, job_id: int, now: datetime) -> None:
    """One more step done; an unfinished Job whose last step this was has succeeded."""
    at, Status = _at(now), Job.Status
    _run(
        _sql().job_step_counted,
        [*_UNFINISHED, Status.SUCCEEDED, Status.PENDING, Status.RUNNING, at, at, *_UNFINISHED, at, job_id],
    )


def job_step_fail(*, job_id: int, now: datetime, first_error: str) -> None:
    """An unfinished Job has failed; it keeps the first error it recorded."""
    at = _at(now)
    _run(
        _sql().job_step_failed,
        [*_UNFINISHED, Job.Status.FAILED, at, at, *_UNFINISHED, at, first_error, job_id],
    )
