"""The shop's URLs plus a bare Django JSON view: the ceiling the product list is measured against."""

from django.http import JsonResponse
from django.urls import path

from shop.urls import handler404, handler500
from shop.urls import urlpatterns as shop_urlpatterns

BARE_VIEW_PATH = "bench/bare/"


def bare_json(request):
    """The least a Django view can do: the same middleware, no database, a tiny JSON body."""
    return JsonResponse({"ok": True})


urlpatterns = [path(BARE_VIEW_PATH, bare_json, name="bench-bare"), *shop_urlpatterns]
__all__ = ["handler404", "handler500", "urlpatterns"]
