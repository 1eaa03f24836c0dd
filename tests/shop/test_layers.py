"""Services never speak HTTP: no module of the service layer imports DRF or the shop's HTTP
modules built on it (read with ast).

The service layer is every module of an app except its HTTP edge (api, api_*, serializers,
urls, views, admin), its migrations and its management commands.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ["catalog", "notifications", "reporting", "sync", "shop/orders", "shop/accounts", "shop/platform/jobs"]
HTTP_EDGE = {"api.py", "serializers.py", "urls.py", "views.py", "admin.py"}
OUTSIDE = {"migrations", "management", "views", "templatetags"}
# DRF itself, and the platform's HTTP edge built on it.
DRF = ("rest_framework", "django_filters.rest_framework", "shop.platform.api_", "shop.platform.throttling")


def _service_modules() -> list[Path]:
    modules = [ROOT / "shop" / "platform" / "errors.py"]
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            inside = path.relative_to(ROOT / app).parts
            if (
                path.name not in HTTP_EDGE
                and not path.name.startswith("api_")
                and not OUTSIDE.intersection(inside[:-1])
            ):
                modules.append(path)
    return modules


def _drf_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        else:
            continue
        found += [f"{path.relative_to(ROOT)}:{node.lineno} {name}" for name in names if name.startswith(DRF)]
    return found


def test_the_walk_covers_every_kind_of_service_module():
    walked = {str(path.relative_to(ROOT)) for path in _service_modules()}

    assert {
        "catalog/services.py", "catalog/selectors.py", "catalog/rendering.py", "shop/orders/services.py",
        "shop/orders/compensation.py", "shop/orders/steps.py", "shop/orders/payments.py",
        "notifications/campaigns.py", "notifications/sending.py", "catalog/upsert.py", "sync/services.py",
        "reporting/services.py", "shop/platform/jobs/services.py", "shop/platform/errors.py",
    } <= walked  # fmt: skip
    assert not any(name.endswith(("/api.py", "/serializers.py")) for name in walked)


def test_the_check_finds_a_drf_import_where_there_is_one():
    # The HTTP edge does import DRF: the same check there must find it, or it proves nothing.
    assert _drf_imports(ROOT / "catalog" / "api.py")
    assert _drf_imports(ROOT / "shop" / "orders" / "serializers.py")


def test_no_service_module_imports_drf():
    assert [found for path in _service_modules() for found in _drf_imports(path)] == []
