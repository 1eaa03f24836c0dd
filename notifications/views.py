"""The unsubscribe page: a plain Django view, reached from the link in every campaign mail."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import opt_outs

TITLES = {"confirm": "Unsubscribe", "done": "You are unsubscribed", "invalid": "Invalid link"}


def _page(request: HttpRequest, state: str, *, email: str = "", status: int = 200) -> HttpResponse:
    context = {"state": state, "title": TITLES[state], "email": email, "site_url": settings.SITE_URL}
    return render(request, "notifications/unsubscribe.html", context, status=status)


# The signed token is the credential, and mail providers send RFC 8058 one-click POSTs
# (`List-Unsubscribe=One-Click`) without a CSRF token: a CSRF check would only break them.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks for confirmation; POST (the form, or a one-click POST) opts out."""
    try:
        user_id = opt_outs.unsubscribe_token_read(token=token)
    except signing.BadSignature:
        return _page(request, "invalid", status=400)
    email = get_user_model().objects.filter(id=user_id).values_list("email", flat=True).first()
    if email is None:
        return _page(request, "invalid", status=404)
    if request.method == "POST":
        opt_outs.campaigns_opt_out(user_id=user_id)
        return _page(request, "done", email=email)
    return _page(request, "confirm", email=email)
