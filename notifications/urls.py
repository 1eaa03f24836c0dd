from rest_framework.routers import SimpleRouter

from .api import CampaignViewSet, MailboxViewSet

router = SimpleRouter()
router.register("campaigns", CampaignViewSet, basename="campaign")
urlpatterns = router.urls

# The SMTP sink's mailbox (devservers/): shop/urls.py mounts it with the demo only.
demo_router = SimpleRouter()
demo_router.register("mailbox", MailboxViewSet, basename="mailbox")
demo_urlpatterns = demo_router.urls
