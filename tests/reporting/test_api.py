"""The reports API: staff only, validation as JSON 400s, 202 with the Job, PDF when ready."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from rest_framework.test import APIClient

from reporting.models import Report
from reporting.periods import shop_today
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client():
    client = APIClient()
    client.force_authenticate(StaffFactory())
    return client


def test_only_staff_may_use_reports():
    anonymous, shopper = APIClient(), APIClient()
    shopper.force_authenticate(UserFactory())
    assert anonymous.get("/api/reports/").status_code in (401, 403)
    for client in (anonymous, shopper):
        response = client.post("/api/reports/", {"kind": "daily"}, format="json")
        assert response.status_code in (401, 403)
        assert "error" in response.json()
    assert Report.objects.count() == 0


def test_requesting_a_report_answers_202_with_the_report_and_its_job(staff_client):
    response = staff_client.post("/api/reports/", {"kind": "weekly"}, format="json")

    assert response.status_code == 202, response.content
    body = response.json()
    last_monday = shop_today() - timedelta(days=shop_today().weekday() + 7)
    assert (body["kind"], body["status"], body["progress"]) == ("weekly", "pending", 0)
    assert body["period_start"] == last_monday.isoformat()
    assert body["period_end"] == (last_monday + timedelta(days=6)).isoformat()
    assert body["pdf_url"] is None
    assert body["job"]["kind"] == "report"
    # a week aggregated in two halves, the PDF, the requester's mail prepared and sent
    assert body["job"]["progress_total"] == 5
    assert body["job"]["subject"] == f"report:{body['id']}"

    listed = staff_client.get("/api/reports/").json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == body["id"]
    assert staff_client.get(f"/api/reports/{body['id']}/").json()["figures"] == {}


@pytest.mark.parametrize(
    ("payload", "field_hint"),
    [
        ({}, "kind"),
        ({"kind": "yearly"}, "kind"),
        ({"kind": "custom", "period_start": "2026-10-01"}, "needs both"),
        ({"kind": "custom", "period_start": "2026-10-05", "period_end": "2026-10-01"}, "not be after"),
        ({"kind": "custom", "period_start": "2020-01-01", "period_end": "2026-01-01"}, "at most 366"),
        ({"kind": "daily", "period_start": "not a date"}, "period_start"),
        ({"kind": "daily", "period_start": (date.today() + timedelta(days=5)).isoformat()}, "not started"),
    ],
)
def test_bad_requests_get_a_json_400(staff_client, payload, field_hint):
    response = staff_client.post("/api/reports/", payload, format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field_hint in str(error)
    assert Report.objects.count() == 0


def test_the_pdf_is_a_409_until_ready_then_a_pdf_and_unknown_reports_are_404(staff_client):
    report = Report.objects.create(kind="daily", period_start=date(2026, 11, 1), period_end=date(2026, 11, 1))

    pending = staff_client.get(f"/api/reports/{report.id}/pdf/")
    assert pending.status_code == 409
    assert pending.json()["error"]["code"] == "report_not_ready"
    assert "try again" in pending.json()["error"]["message"]

    report.pdf.save("test.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
    report.status = Report.Status.READY
    report.save()
    ready = staff_client.get(f"/api/reports/{report.id}/pdf/")
    assert ready.status_code == 200
    assert ready["Content-Type"] == "application/pdf"
    assert b"".join(ready.streaming_content).startswith(b"%PDF")

    Report.objects.filter(id=report.id).update(status=Report.Status.FAILED, error="boom")
    failed = staff_client.get(f"/api/reports/{report.id}/pdf/")
    assert failed.status_code == 409 and failed.json()["error"]["code"] == "report_failed"

    missing = staff_client.get("/api/reports/999999/pdf/")
    assert missing.status_code == 404 and "error" in missing.json()
