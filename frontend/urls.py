from django.contrib.auth import views as auth_views
from django.urls import path

from .views import accounts, jobs, shop, staff

urlpatterns = [
    path("", shop.catalog, name="catalog"),
    path("products/<int:product_id>/", shop.product_detail, name="product-detail"),
    path("cart/", shop.cart, name="cart"),
    path("checkout/", shop.checkout, name="checkout"),
    path("orders/", shop.orders, name="order-list"),
    path("orders/<int:order_id>/", shop.order_detail, name="order-detail"),
    path("login/", auth_views.LoginView.as_view(template_name="frontend/accounts/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("register/", accounts.register, name="register"),
    path("jobs/<int:job_id>/panel/", jobs.job_panel, name="job-panel"),
    path("staff/", staff.home, name="staff-home"),
    path("staff/jobs/<int:job_id>/", staff.job_detail, name="staff-job"),
    path("staff/images/", staff.images, name="staff-images"),
    path("staff/reports/", staff.reports, name="staff-reports"),
    path("staff/campaigns/", staff.campaigns, name="staff-campaigns"),
    path("staff/sync/", staff.sync, name="staff-sync"),
    path("staff/monitoring/", staff.monitoring, name="staff-monitoring"),
    path("staff/monitoring/data/", staff.monitoring_data, name="staff-monitoring-data"),
]
# The SMTP sink's messages (devservers/): shop/urls.py mounts the page with the demo only.
demo_urlpatterns = [path("staff/mailbox/", staff.mailbox, name="staff-mailbox")]
