from rest_framework.routers import SimpleRouter

from .api import CampaignViewSet, MailboxViewSet

router = SimpleRouter()
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("mailbox", MailboxViewSet, basename="mailbox")
urlpatterns = router.urls
