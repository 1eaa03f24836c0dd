"""Every workflow that writes or reads media works on a storage that is not a local folder.

STORAGES["default"] points at RemoteLikeStorage (tests/harness/remote_storage.py): files in
a folder of its own, `.path()` refused, as with S3. MEDIA_ROOT points at a folder that must
stay empty. The invoice mailed with the confirmation, the report PDF mailed and downloaded,
and the product picture's renditions served at their URLs all come from that storage, on the
real worker.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from catalog import storage
from catalog.models import ProductImage
from reporting import services as reporting_services
from shop.orders.models import Order
from shop.platform.jobs.models import Job
from tests.catalog import pictures
from tests.catalog.conftest import upload
from tests.factories import ProductFactory, StaffFactory
from tests.harness.jobs import wait_for_job
from tests.orders.conftest import checkout, client_for

REMOTE_STORAGE = "tests.harness.remote_storage.RemoteLikeStorage"


@pytest.fixture
def bucket(settings, tmp_path) -> Path:
    """The remote-like storage's own folder; MEDIA_ROOT is a folder nothing may write to."""
    location = tmp_path / "bucket"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": REMOTE_STORAGE, "OPTIONS": {"location": str(location)}},
    }
    settings.MEDIA_ROOT = tmp_path / "media-root"
    yield location
    assert not Path(settings.MEDIA_ROOT).exists(), "something wrote under MEDIA_ROOT"


def stored(bucket: Path, name: str) -> bytes:
    return (bucket / name).read_bytes()


def test_the_storage_refuses_paths_as_a_remote_one_does(bucket):
    default_storage.save("catalog/probe.txt", ContentFile(b"probe"))

    assert stored(bucket, "catalog/probe.txt") == b"probe"
    with pytest.raises(NotImplementedError):
        default_storage.path("catalog/probe.txt")


def test_the_invoice_is_written_mailed_and_downloaded_through_the_storage(worker, mailbox, bucket):
    shopper = StaffFactory(email="ada@example.test")
    apples = ProductFactory(name="Apples", price="2.50", quantity=10)
    response = checkout(client_for(shopper), [(apples.id, 2)])
    assert response.status_code == 201, response.content
    job = wait_for_job(response.json()["job"]["id"], timeout=60)
    assert job.status == Job.Status.SUCCEEDED, job.error

    order = Order.objects.get(id=response.json()["id"])
    invoice = stored(bucket, order.invoice.name)
    assert invoice.startswith(b"%PDF")
    [mail] = mailbox.wait_for(1)
    [pdf] = [part for part in mail.iter_attachments() if part.get_content_type() == "application/pdf"]
    assert (pdf.get_filename(), pdf.get_content()) == (f"invoice-{order.number}.pdf", invoice)
    download = client_for(shopper).get(f"/api/orders/{order.id}/invoice/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == invoice


def test_the_report_pdf_is_mailed_and_downloaded_through_the_storage(worker, mailbox, bucket):
    requester = StaffFactory(email="ria@greengrocer.test")
    report = reporting_services.report_request(
        kind="daily", period_start=date(2026, 10, 14), requested_by=requester
    )
    job = wait_for_job(report.job, timeout=90)
    assert job.status == Job.Status.SUCCEEDED, job.error
    report.refresh_from_db()

    pdf = stored(bucket, report.pdf.name)
    assert pdf.startswith(b"%PDF")
    [mail] = mailbox.wait_for(1)
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_content() == pdf
    download = client_for(requester).get(f"/api/reports/{report.id}/pdf/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == pdf


def test_renditions_are_rendered_into_the_storage_and_served_from_it(worker, client, bucket):
    staff = StaffFactory()
    product = ProductFactory()
    response = upload(client_for(staff), product.id, pictures.jpeg(1600, 1200))
    assert response.status_code == 202
    job = wait_for_job(response.json()["job"]["id"])
    assert job.status == Job.Status.SUCCEEDED, job.error
    image = ProductImage.objects.get(id=response.json()["id"])

    renditions = list(image.renditions.all())
    assert len(renditions) == 6
    for rendition in renditions:
        served = client.get(rendition.file.url)
        assert served.status_code == 200, rendition.file.url
        content = b"".join(served.streaming_content)
        assert content == stored(bucket, rendition.file.name)
        with Image.open(io.BytesIO(content)) as decoded:
            assert decoded.size == (rendition.width, rendition.height)
    assert client.get(f"/media/{image.original.name.replace('original', 'missing')}").status_code == 404

    image.delete()
    assert not (bucket / storage.image_folder(image.id)).exists()
