from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import SupplierFaultsView, SyncRunViewSet

router = SimpleRouter()
router.register("sync-runs", SyncRunViewSet, basename="sync-run")
urlpatterns = router.urls

# The supplier stub's fault switches (devservers/): shop/urls.py mounts them with the demo only.
demo_urlpatterns = [path("supplier/faults/", SupplierFaultsView.as_view(), name="supplier-faults")]
