"""The naive baselines as tasks. Each is what the usual tutorial writes; what the shop does
instead is named in its docstring. They run on the same queue and worker as the shop's
version (bench/scenarios/ sends them there), so only the approach differs."""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from datetime import date

from celery import Task, shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import linebreaks
from django.utils.text import slugify
from PIL import Image, ImageOps

from catalog.models import RENDITION_EDGES, Category, Product, ProductImage
from catalog.rendering import ENCODE_OPTIONS
from catalog.storage import file_read, file_write
from notifications.models import Campaign, Delivery
from reporting.selectors import cents, completed_orders_between
from sync.client import SupplierClient


@shared_task(base=Task)
def campaign_send_one(campaign_id: int, recipient_id: int) -> None:
    """One task per recipient, a new SMTP connection per message.
    The shop: a batch of 500 recipients per task over one connection."""
    campaign = Campaign.objects.get(id=campaign_id)
    recipient = get_user_model().objects.get(id=recipient_id)
    context = {
        "campaign": campaign,
        "body_html": linebreaks(campaign.body_text),
        "name": recipient.first_name,
        "unsubscribe_url": settings.SITE_URL,
        "site_url": settings.SITE_URL,
    }
    email = EmailMultiAlternatives(
        subject=campaign.subject,
        body=render_to_string("notifications/campaign.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
    )
    email.attach_alternative(render_to_string("notifications/campaign.html", context), "text/html")
    email.send()
    Delivery.objects.create(
        campaign=campaign, recipient=recipient, status=Delivery.Status.SENT, sent_at=timezone.now()
    )


@shared_task(base=Task, time_limit=900, soft_time_limit=850)
def supplier_sync_loop(products: int) -> int:
    """Walk the supplier's pages and `update_or_create` each product, one by one.
    The shop: a task per page, one SELECT and one bulk upsert of only what changed."""
    page_size = settings.SUPPLIER_SYNC_PAGE_SIZE
    synced = 0
    with SupplierClient.from_settings() as client:
        for number in range(1, -(-products // page_size) + 1):
            for item in client.page(number=number, page_size=page_size).items[: products - synced]:
                category, _ = Category.objects.get_or_create(
                    name=item.category, defaults={"slug": slugify(item.category)}
                )
                fields = {
                    "sku": item.sku,
                    "name": item.name,
                    "description": item.description,
                    "category": category,
                    "price": item.price,
                    "currency": item.currency,
                    "quantity": item.stock,
                    "is_active": True,
                }
                slug = f"{slugify(item.name)[:100]}-{slugify(item.ref)}"[:140]
                Product.objects.update_or_create(
                    supplier_ref=item.ref, defaults=fields, create_defaults={**fields, "slug": slug}
                )
                synced += 1
    return synced


@shared_task(base=Task)
def rendition_thumbnail(image_id: int, size: str, image_format: str) -> None:
    """Open the original and `thumbnail()` it for every rendition (Pillow's usual recipe, which
    already decodes JPEGs in draft mode). The shop: one decode and six encodes in one task."""
    image = ProductImage.objects.only("original").get(id=image_id)
    with Image.open(io.BytesIO(file_read(image.original.name))) as original:
        original.thumbnail((RENDITION_EDGES[size], RENDITION_EDGES[size]))
        picture = ImageOps.exif_transpose(original).convert("RGB")
    buffer = io.BytesIO()
    picture.save(buffer, **ENCODE_OPTIONS[image_format])
    file_write(f"bench-naive/{image_id}/{size}.{image_format}", buffer.getvalue())


@shared_task(base=Task, time_limit=900, soft_time_limit=850)
def sales_python_loop(start: str, end: str) -> dict:
    """Load the period's completed orders and their lines, and add them up in Python.
    The shop: SQL aggregates (Sum/Count, TruncDate) per week in a chord."""
    orders = completed_orders_between(date.fromisoformat(start), date.fromisoformat(end))
    revenue = Counter()
    days: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0])
    products: defaultdict[int, list[int]] = defaultdict(lambda: [0, 0])
    categories: defaultdict[int, list[int]] = defaultdict(lambda: [0, 0])
    zone = timezone.get_default_timezone()
    for order in orders.prefetch_related("lines__product").iterator(chunk_size=2000):
        revenue["orders"] += 1
        revenue["revenue"] += cents(order.total)
        day = days[order.placed_at.astimezone(zone).date().isoformat()]
        day[0] += 1
        day[1] += cents(order.total)
        for line in order.lines.all():
            for bucket in (products[line.product_id], categories[line.product.category_id]):
                bucket[0] += line.quantity
                bucket[1] += cents(line.line_total)
    return {**revenue, "days": len(days), "products": len(products), "categories": len(categories)}
