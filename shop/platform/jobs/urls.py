from rest_framework.routers import SimpleRouter

from .api import JobViewSet

router = SimpleRouter()
router.register("jobs", JobViewSet, basename="job")
# POST jobs/demo/ starts the demo workflow: shop/urls.py mounts it with the demo only.
DEMO_ROUTES = {"job-demo"}
urlpatterns = [route for route in router.urls if route.name not in DEMO_ROUTES]
demo_urlpatterns = [route for route in router.urls if route.name in DEMO_ROUTES]
