"""A member of staff in Chromium against the whole stack: image upload, reports, campaigns,
the supplier sync, the queues and the mailbox."""

from __future__ import annotations

import re
import uuid

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

WORKFLOW_TIMEOUT = 90_000


def test_an_uploaded_image_is_rendered_and_its_thumbnail_appears(staff_page: Page, tmp_path):
    picture = tmp_path / "pear.png"
    Image.new("RGB", (900, 600), (120, 190, 90)).save(picture)
    staff_page.goto("/staff/images/")
    staff_page.get_by_label("Product").select_option(label="Heritage Apple (GG-FRU-001)")
    staff_page.get_by_label("Picture").set_input_files(picture)
    staff_page.get_by_role("button", name="Upload and process").click()

    expect(staff_page.locator("[data-job-status]")).to_have_text("succeeded", timeout=WORKFLOW_TIMEOUT)
    thumbnail = staff_page.get_by_role("img", name="thumb jpeg")
    expect(thumbnail).to_be_visible()
    assert thumbnail.evaluate("img => img.naturalWidth") == 160
    expect(staff_page.get_by_role("link", name=re.compile("task in Flower")).first).to_have_attribute(
        "href", re.compile(r"/task/[0-9a-f-]{36}$")
    )

    staff_page.goto("/?search=Heritage+Apple")
    expect(staff_page.locator(".product-card img").first).to_have_attribute("loading", "lazy")


def test_a_file_that_is_not_an_image_is_refused_with_a_clear_message(staff_page: Page, tmp_path):
    fake = tmp_path / "notes.png"
    fake.write_text("these are not pixels")
    staff_page.goto("/staff/images/")
    staff_page.get_by_label("Picture").set_input_files(fake)
    staff_page.get_by_role("button", name="Upload and process").click()

    expect(staff_page.get_by_role("alert").filter(has_text=re.compile(r"\w"))).to_be_visible()
    expect(staff_page.locator("section[data-job]")).to_have_count(0)


def test_a_requested_report_finishes_and_its_pdf_downloads(staff_page: Page):
    staff_page.goto("/staff/reports/")
    staff_page.get_by_label("Period").select_option("weekly")
    staff_page.get_by_role("button", name="Request the report").click()

    expect(staff_page.locator("[data-job-status]")).to_have_text("succeeded", timeout=WORKFLOW_TIMEOUT)
    link = staff_page.get_by_role("link", name="Download PDF").first
    expect(link).to_be_visible()
    with staff_page.expect_download() as download:
        link.click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def test_a_campaign_is_composed_sent_and_counted(staff_page: Page):
    name = f"Plums are in {uuid.uuid4().hex[:6]}"
    staff_page.goto("/staff/campaigns/")
    staff_page.get_by_label("Name").fill(name)
    staff_page.get_by_label("Subject").fill("Fresh plums this week")
    staff_page.get_by_label("Message").fill("Sweet and ripe.")
    staff_page.get_by_label("Audience").select_option("staff")
    staff_page.get_by_role("button", name="Save as draft").click()

    staff_page.get_by_role("button", name=f"Send {name}").click()

    row = staff_page.get_by_role("row").filter(has_text=name)
    expect(row.locator(".badge")).to_have_text("sent", timeout=WORKFLOW_TIMEOUT)
    expect(staff_page.locator("[data-job-status]")).to_have_text("succeeded")

    staff_page.get_by_role("link", name="Mailbox").click()
    expect(staff_page.get_by_role("button", name=re.compile("Fresh plums this week")).first).to_be_visible()


def test_a_supplier_sync_runs_and_shows_its_counts(staff_page: Page):
    staff_page.goto("/staff/sync/")
    expect(staff_page.locator("[data-faults-state]")).to_contain_text("Catalog version")
    staff_page.get_by_role("button", name="Run a sync now").click()

    expect(staff_page.locator("[data-job-status]")).to_have_text("succeeded", timeout=WORKFLOW_TIMEOUT)
    history = staff_page.locator("[data-sync-list] tbody tr").first
    expect(history.locator(".badge")).to_have_text("succeeded")
    # Earlier tests of the session may have synced already: the run's counts add up to what
    # the supplier listed, whichever of created, updated or unchanged they fall in.
    answer = staff_page.request.get("/api/sync-runs/").json()
    run = (answer["results"] if isinstance(answer, dict) else answer)[0]
    counts = [run["products_created"], run["products_updated"], run["products_unchanged"]]
    assert sum(counts) == run["listed_total"] > 0, run
    cells = history.locator("td")
    for column, count in zip((3, 4, 5), counts, strict=True):
        expect(cells.nth(column)).to_have_text(str(count))


def test_the_overview_shows_queue_depths_and_a_demo_workflow_runs(staff_page: Page):
    staff_page.goto("/staff/")
    expect(staff_page.get_by_role("row", name=re.compile(r"^orders"))).to_be_visible()
    staff_page.get_by_role("button", name="Start the demo workflow").click()

    expect(staff_page).to_have_url(re.compile(r"/staff/jobs/\d+/$"))
    expect(staff_page.locator("[data-job-status]")).to_have_text("succeeded", timeout=WORKFLOW_TIMEOUT)
    expect(staff_page.get_by_label("Workflow diagram").locator(".wf-chord")).to_have_count(1)


def test_a_shopper_cannot_open_the_staff_console(page: Page):
    page.goto("/staff/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/staff/"))
