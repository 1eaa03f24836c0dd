from django.shortcuts import render

from catalog.models import Product


def home(request):
    products = Product.objects.filter(is_active=True).select_related("category")[:24]
    return render(request, "frontend/home.html", {"products": products})
