from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from frontend import urls as frontend_urls
from notifications import urls as notifications_urls
from sync import urls as sync_urls

from .accounts import api as accounts_api
from .platform import health
from .platform.jobs import urls as jobs_urls
from .platform.media import PUBLIC_MEDIA_FOLDER, public_media
from .platform.observability.views import metrics_view

api_patterns = [
    path("auth/", include(accounts_api.urlpatterns)),
    path("", include("shop.platform.jobs.urls")),
    path("", include("catalog.urls")),
    path("", include("shop.orders.urls")),
    path("", include("notifications.urls")),
    path("", include("reporting.urls")),
    path("", include("sync.urls")),
    path("", include("shop.platform.queues.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
]

# The demo's own endpoints (settings.DEMO_MODE): the pages that drive the development servers
# (devservers/) and the demo workflow. First, or jobs/<id>/ would take jobs/demo/ as a Job.
demo_api_patterns = [
    *jobs_urls.demo_urlpatterns,
    *notifications_urls.demo_urlpatterns,
    *sync_urls.demo_urlpatterns,
]
demo_patterns = [path("api/", include(demo_api_patterns)), *frontend_urls.demo_urlpatterns]

urlpatterns = [
    *(demo_patterns if settings.DEMO_MODE else []),
    path("healthz", health.healthz, name="healthz"),
    path("metrics", metrics_view, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/", include(api_patterns)),
    path(f"{settings.MEDIA_URL.strip('/')}/{PUBLIC_MEDIA_FOLDER}/<path:path>", public_media),
    path("", include("notifications.web_urls")),
    path("", include("frontend.urls")),
]

handler404 = "shop.platform.api_errors.not_found"
handler500 = "shop.platform.api_errors.server_error"
