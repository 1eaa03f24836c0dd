"""The API's error shape for failures of the shop's own parts."""

from __future__ import annotations

from django.db import OperationalError
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.test import APIRequestFactory


@api_view(["POST"])
@authentication_classes([])
@permission_classes([])
def _database_gone(request):
    raise OperationalError("connection failed: FATAL:  sorry, too many clients already")


def test_an_unavailable_database_is_a_json_503_with_retry_after_not_a_500():
    response = _database_gone(APIRequestFactory().post("/api/orders/", {}, format="json"))

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.data == {"error": {"status": 503, "code": "database_unavailable",
                                       "message": "The shop's database is busy or unreachable. Try again shortly."}}  # fmt: skip
