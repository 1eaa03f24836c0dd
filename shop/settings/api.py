"""The REST framework and its OpenAPI schema."""

from __future__ import annotations

import os

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "shop.platform.api_pagination.PageNumberPagination",
    "PAGE_SIZE": 24,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "shop.platform.api_errors.exception_handler",
    # Counted in the coordination Redis, so a limit holds across every process (shop/platform/throttling.py).
    "DEFAULT_THROTTLE_CLASSES": [
        "shop.platform.throttling.AnonThrottle",
        "shop.platform.throttling.UserThrottle",
        "shop.platform.throttling.ScopeThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("THROTTLE_ANON_RATE", "120/min"),
        "user": os.environ.get("THROTTLE_USER_RATE", "600/min"),
        "login": os.environ.get("THROTTLE_LOGIN_RATE", "10/min"),
        "register": os.environ.get("THROTTLE_REGISTER_RATE", "10/hour"),
        "checkout": os.environ.get("THROTTLE_CHECKOUT_RATE", "30/min"),
    },
    # Behind N proxies the client is the Nth address from the end of X-Forwarded-For; with 0
    # the header is ignored, so a client cannot pick a fresh address for each request.
    "NUM_PROXIES": int(os.environ.get("THROTTLE_NUM_PROXIES", "0")),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Greengrocer API",
    "DESCRIPTION": "The shop's REST API: catalog, orders, jobs and the staff operations.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        # Reports: "status" and "audience" are also fields of other resources.
        "ReportStatusEnum": "reporting.models.Report.Status",
        "ReportAudienceEnum": "reporting.models.Report.Audience",
        "SyncRunStatusEnum": "sync.models.SyncRun.Status",
        "SyncPageStatusEnum": "sync.models.SyncPage.Status",
        # The other models with a "status" or "audience": each enum named after its model.
        "CampaignAudienceEnum": "notifications.models.Campaign.Audience",
        "CampaignStatusEnum": "notifications.models.Campaign.Status",
        "DeliveryStatusEnum": "notifications.models.Delivery.Status",
        "OutgoingMessageStatusEnum": "notifications.models.OutgoingMessage.Status",
        "ProductImageStatusEnum": "catalog.models.ProductImage.Status",
        "JobStatusEnum": "shop.platform.jobs.models.Job.Status",
        "OrderStatusEnum": "shop.orders.models.Order.Status",
        "PaymentStatusEnum": "shop.orders.models.Payment.Status",
    },
}
