"""Pages outside /api/ (included at the site root by shop/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe")]
