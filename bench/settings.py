"""The shop's settings plus what only the benchmark needs: its tasks and its URLconf.

Every process of the bench's stack (web, workers, the bench itself) runs with these, so the
bench's probe tasks and naive baselines are registered in the workers and the bare JSON
view exists in its gunicorn, while the shop's own settings and URLs stay untouched.

shop/settings.py is loaded from its file rather than imported as `shop.settings`: importing
the `shop` package starts its Celery app, which reads these very settings before they exist.
"""

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "greengrocer_shop_settings", Path(__file__).resolve().parents[1] / "shop" / "settings.py"
)
_shop_settings = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_shop_settings)
globals().update({name: value for name, value in vars(_shop_settings).items() if name.isupper()})

INSTALLED_APPS = [*_shop_settings.INSTALLED_APPS, "bench", "bench.naive"]
ROOT_URLCONF = "bench.urls"
