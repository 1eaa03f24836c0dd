"""Reports made end to end on the real worker: figures, PDF, progress and mail."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from pypdf import PdfReader

from reporting import services
from reporting.brand import euros
from reporting.models import Report
from shop.platform.jobs.models import Job
from tests.factories import StaffFactory
from tests.harness.jobs import wait_for_job
from tests.reporting.sales import catalog_create, expected_figures, month_of_sales_create


def pdf_text(report: Report) -> str:
    with report.pdf.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_a_monthly_report_matches_the_orders_renders_and_mails_the_requester(worker, mailbox):
    products = catalog_create()
    start, end = date(2026, 10, 1), date(2026, 10, 31)
    orders = month_of_sales_create(start=start, days=31, products=products)
    requester = StaffFactory(email="ria@greengrocer.test", first_name="Ria")

    report = services.report_request(kind="monthly", period_start=date(2026, 10, 14), requested_by=requester)
    job = wait_for_job(report.job, timeout=90)
    report.refresh_from_db()

    assert job.status == Job.Status.SUCCEEDED, job.error
    assert (report.status, report.progress, job.percent) == (Report.Status.READY, 100, 100)
    assert job.steps.filter(name="sales_aggregate").count() == 4  # four day ranges, two per process
    assert report.requested_at <= report.started_at <= report.finished_at

    expected = expected_figures(orders, start=start, end=end)
    figures = report.figures
    assert (report.period_start, report.period_end) == (start, end)
    assert figures["orders"] == expected["orders"]
    assert Decimal(figures["revenue"]) == expected["revenue"]
    assert Decimal(figures["goods"]) == expected["goods"]
    assert Decimal(figures["shipping"]) == expected["shipping"]
    assert Decimal(figures["average_basket"]) == expected["average_basket"]
    assert figures["units"] == expected["units"]
    assert len(figures["days"]) == 31
    assert {d["date"]: Decimal(d["revenue"]) for d in figures["days"] if d["orders"]} == expected[
        "revenue_by_day"
    ]
    assert {c["name"]: (c["units"], Decimal(c["revenue"])) for c in figures["categories"]} == expected[
        "by_category"
    ]
    best = max(expected["by_product"].items(), key=lambda item: (item[1][1], item[1][0]))
    assert figures["top_products"][0]["product_id"] == best[0]
    assert (figures["top_products"][0]["units"], Decimal(figures["top_products"][0]["revenue"])) == best[1]

    text = pdf_text(report)
    assert "Monthly sales" in text and "October 2026" in text
    assert euros(expected["revenue"]) in text
    assert euros(expected["average_basket"]) in text
    assert f"{expected['orders']:,}" in text
    assert "Revenue by day" in text and "Revenue by category" in text and "Top 10 products" in text
    assert "Page 1 of 3" in text and "Page 3 of 3" in text

    (mail,) = mailbox.wait_for(1)
    assert mail["To"] == "ria@greengrocer.test"
    assert "October 2026" in mail["Subject"]
    (attachment,) = list(mail.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content().startswith(b"%PDF")


def test_a_scheduled_report_of_a_day_without_sales_says_so_and_reaches_all_staff(worker, mailbox):
    StaffFactory(email="sam@greengrocer.test")
    StaffFactory(email="kim@greengrocer.test")

    report = services.scheduled_report(kind="daily", today=date(2026, 3, 2))
    job = wait_for_job(report.job, timeout=60)
    report.refresh_from_db()

    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.priority == "low"
    assert (report.period_start, report.audience, report.status) == (
        date(2026, 3, 1), Report.Audience.STAFF, Report.Status.READY,
    )  # fmt: skip
    assert report.figures["orders"] == 0 and report.figures["revenue"] == "0.00"
    text = pdf_text(report)
    assert "No sales in this period" in text
    assert "Page 1 of 1" in text

    mailbox.wait_for(2)
    assert set(mailbox.recipients()) == {"sam@greengrocer.test", "kim@greengrocer.test"}
    assert all(any(part.get_filename().endswith(".pdf") for part in mail.iter_attachments())
               for mail in mailbox.messages())  # fmt: skip
