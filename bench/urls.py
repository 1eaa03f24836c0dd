"""The shop's URLs plus the bench's baselines: a bare Django JSON view (the ceiling the product
list is measured against) and a synchronous checkout (bench/sync_checkout.py)."""

from django.http import JsonResponse
from django.urls import path

from bench.sync_checkout import SYNC_CHECKOUT_PATH, SyncCheckoutView
from shop.urls import handler404, handler500
from shop.urls import urlpatterns as shop_urlpatterns

BARE_VIEW_PATH = "bench/bare/"


def bare_json(request):
    """The least a Django view can do: the same middleware, no database, a tiny JSON body."""
    return JsonResponse({"ok": True})


urlpatterns = [
    path(BARE_VIEW_PATH, bare_json, name="bench-bare"),
    path(SYNC_CHECKOUT_PATH, SyncCheckoutView.as_view(), name="bench-sync-checkout"),
    *shop_urlpatterns,
]
__all__ = ["handler404", "handler500", "urlpatterns"]
