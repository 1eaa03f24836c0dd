from django.apps import AppConfig


class BeatConfig(AppConfig):
    name = "shop.platform.beat"
    label = "beat"
    verbose_name = "Beat (scheduled runs, once per period)"
