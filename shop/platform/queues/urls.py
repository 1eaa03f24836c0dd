from django.urls import path

from .api import QueueDepthView

urlpatterns = [path("queues/", QueueDepthView.as_view(), name="queue-depths")]
