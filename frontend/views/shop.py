"""The shop's pages. They read through the feature apps' selectors; what changes state
(placing, cancelling) is done by the page's JavaScript through the REST API."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from catalog.models import Product
from catalog.selectors import category_list, product_list, product_search
from shop.orders import payments
from shop.orders.models import Order
from shop.orders.selectors import order_get, order_list
from shop.orders.services import EXPRESS_SHIPPING, FREE_STANDARD_SHIPPING_FROM, STANDARD_SHIPPING
from shop.platform.errors import InvalidInput

from .jobs import job_context

# "" is the API's default order: in stock with a picture first (catalog.selectors.SHOWCASE_ORDERING).
SORT_CHOICES = [("", "Featured"), ("name", "Name"), ("price", "Price: low to high"),
                ("-price", "Price: high to low")]  # fmt: skip


def catalog(request):
    """Filters, searches and sorts through the selector GET /api/products/ uses, so it refuses
    what the API refuses (a null character in the search, ids that are not numbers) in its words."""
    categories = category_list()
    try:
        products, refusal = product_search(query=request.GET), ""
    except InvalidInput as refused:
        products, refusal = Product.objects.none(), refused.message
    page = Paginator(products, settings.REST_FRAMEWORK["PAGE_SIZE"]).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "frontend/shop/catalog.html",
        {
            "page": page,
            "categories": categories,
            "refusal": refusal,
            "search": request.GET.get("search", ""),
            "category": request.GET.get("category", ""),
            "ordering": request.GET.get("ordering", ""),
            "sort_choices": SORT_CHOICES,
            "query": query.urlencode(),
        },
        status=400 if refusal else 200,
    )


def product_detail(request, product_id: int):
    try:
        product = product_list().get(id=product_id)
    except Product.DoesNotExist:
        raise Http404("No such product.") from None
    return render(request, "frontend/shop/product.html", {"product": product})


def _grouped_card_number(number: str) -> str:
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


def cart(request):
    return render(request, "frontend/shop/cart.html")


@login_required
def checkout(request):
    test_cards = [
        {"number": _grouped_card_number(number), "behaviour": behaviour}
        for number, behaviour in payments.gateway().test_cards.items()
    ]
    return render(
        request,
        "frontend/shop/checkout.html",
        {
            "test_cards": test_cards,
            "standard_shipping": STANDARD_SHIPPING,
            "express_shipping": EXPRESS_SHIPPING,
            "free_shipping_from": FREE_STANDARD_SHIPPING_FROM,
        },
    )


@login_required
def orders(request):
    return render(request, "frontend/shop/orders.html", {"orders": order_list(user=request.user)})


@login_required
def order_detail(request, order_id: int):
    try:
        order = order_get(user=request.user, order_id=order_id)
    except Order.DoesNotExist:
        raise Http404("No such order.") from None
    context = {"order": order}
    if order.job is not None:
        context.update(job_context(user=request.user, job=order.job, title="Your order, step by step"))
    template = (
        "frontend/shop/order_summary.html"
        if request.GET.get("part") == "summary"
        else "frontend/shop/order.html"
    )
    return render(request, template, context)
