"""The shop's settings plus what only the benchmark needs: its tasks and its URLconf.

Every process of the bench's stack (web, workers, the bench itself) runs with these, so the
bench's probe tasks and naive baselines are registered in the workers and the bare JSON
view exists in its gunicorn, while the shop's own settings and URLs stay untouched.
"""

from shop.settings import *  # noqa: F403
from shop.settings import INSTALLED_APPS as SHOP_APPS

INSTALLED_APPS = [*SHOP_APPS, "bench", "bench.naive"]
ROOT_URLCONF = "bench.urls"
