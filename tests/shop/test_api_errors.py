"""The API's error shape for failures of the shop's own parts."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import OperationalError
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.test import APIClient, APIRequestFactory

from shop.platform import errors
from tests.factories import UserFactory


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


def _raising(error: Exception):
    @api_view(["GET"])
    @authentication_classes([])
    @permission_classes([])
    def view(request):
        raise error

    return view(APIRequestFactory().get("/api/anything/"))


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (errors.InvalidInput("lines: at most 50 lines.", code="invalid_line", details={"line": None}), 400),
        (errors.NotFound("No such order."), 404),
        (errors.Conflict("Not enough stock.", code="out_of_stock", details={"available": 0}), 409),
        (errors.TooLarge("The file is too big.", code="file_too_large"), 413),
        (errors.UnsupportedType("Not an image.", code="unsupported_image_type"), 415),
        (errors.UpstreamRefused("The supplier refused.", code="supplier_rejected"), 502),
        (errors.Unavailable("The supplier does not answer.", code="supplier_unavailable"), 503),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else str(value),
)
def test_each_kind_of_domain_error_is_one_json_status_in_the_shops_words(error, status):
    response = _raising(error)

    expected = {"status": status, "code": error.code, "message": error.message}
    if error.details is not None:
        expected["details"] = error.details
    assert (response.status_code, response.data) == (status, {"error": expected})
    assert response.has_header("Retry-After") == (status == 503)


def test_a_transient_error_is_a_503_that_says_when_to_try_again():
    response = _raising(errors.TransientError("The lock is held.", code="lock_held"))

    assert (response.status_code, response["Retry-After"], response.data["error"]["code"]) == (
        503,
        "5",
        "lock_held",
    )


def test_a_model_check_that_refuses_is_a_json_400_not_a_500():
    response = _raising(DjangoValidationError("Order GG-1: cannot go from completed to paid."))
    fields = _raising(DjangoValidationError({"recent_days": ["Required for the recent buyers audience."]}))

    assert (response.status_code, response.data["error"]["code"]) == (400, "invalid")
    assert response.data["error"]["message"] == "Order GG-1: cannot go from completed to paid."
    assert fields.data["error"]["message"] == "recent_days: Required for the recent buyers audience."
    assert fields.data["error"]["details"] == {"recent_days": ["Required for the recent buyers audience."]}


@pytest.mark.django_db
def test_a_service_refusal_as_a_django_validation_error_is_a_400_naming_the_field(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
    UserFactory(username="marta")
    form = {"username": "marta", "email": "marta@example.test", "password": "a long enough passphrase"}

    response = APIClient().post("/api/auth/register/", form, format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["message"]) == ("invalid", "username: This username is taken.")
    assert error["details"]["username"] == ["This username is taken."]
