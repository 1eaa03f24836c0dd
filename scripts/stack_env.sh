# Local defaults for every process of the stack; any of them can be set beforehand.
# Sourced by scripts/run.sh (and by the end-to-end tests' stack launcher).
export PATH="$PWD/.venv/bin:$PATH"
# The stack's own Redis listens on 6390, not Redis's default 6379, so a system Redis (Debian's
# redis-server package starts one) or a developer's own never collides with it. shop/settings/redis.py
# defaults to the same port, so manage.py and celery in another shell find this stack's broker.
export REDIS_PORT="${REDIS_PORT:-6390}"
export WEB_PORT="${WEB_PORT:-8000}"
export FLOWER_PORT="${FLOWER_PORT:-5555}"
export SMTP_PORT="${SMTP_PORT:-1025}"
export SUPPLIER_PORT="${SUPPLIER_PORT:-8001}"
# Observability (shop/platform/observability, deploy/prometheus): Prometheus and Alertmanager beside
# their usual 9090/9093, so a system Prometheus never collides; one exporter per worker node.
export PROMETHEUS_PORT="${PROMETHEUS_PORT:-9190}"
export ALERTMANAGER_PORT="${ALERTMANAGER_PORT:-9193}"
export WORKER_FAST_METRICS_PORT="${WORKER_FAST_METRICS_PORT:-9201}"
export WORKER_MAIL_METRICS_PORT="${WORKER_MAIL_METRICS_PORT:-9202}"
export WORKER_BULK_METRICS_PORT="${WORKER_BULK_METRICS_PORT:-9203}"
export WORKER_IO_METRICS_PORT="${WORKER_IO_METRICS_PORT:-9204}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:$REDIS_PORT}"
# Celery workers (and their pool children) read it: SIGTERM becomes the cold shutdown with
# its soft shutdown wait, which requeues unfinished work at once (docs/architecture.md
# "Graceful stop"). No other process of the stack looks at it.
export REMAP_SIGTERM="${REMAP_SIGTERM:-SIGQUIT}"
export EMAIL_PORT="${EMAIL_PORT:-$SMTP_PORT}"
export SUPPLIER_API_URL="${SUPPLIER_API_URL:-http://127.0.0.1:$SUPPLIER_PORT}"
export SITE_URL="${SITE_URL:-http://127.0.0.1:$WEB_PORT}"
# FLOWER_URL_PREFIX=flower serves Flower under /flower/ (for a proxy on the shop's host).
export FLOWER_URL="${FLOWER_URL:-http://127.0.0.1:$FLOWER_PORT${FLOWER_URL_PREFIX:+/$FLOWER_URL_PREFIX}}"
# Flower reads FLOWER_* variables. Local defaults only: set your own outside a laptop.
export FLOWER_PORT FLOWER_ADDRESS="${FLOWER_ADDRESS:-127.0.0.1}"
export FLOWER_BASIC_AUTH="${FLOWER_BASIC_AUTH:-flower:greengrocer-flower}"
export FLOWER_COOKIE_SECRET="${FLOWER_COOKIE_SECRET:-local-flower-cookie-secret}"
export FLOWER_PERSISTENT="${FLOWER_PERSISTENT:-True}"
export FLOWER_DB="${FLOWER_DB:-var/flower/flower.db}"
export FLOWER_STATE_SAVE_INTERVAL="${FLOWER_STATE_SAVE_INTERVAL:-10000}"
export PROMETHEUS_URL="${PROMETHEUS_URL:-http://127.0.0.1:$PROMETHEUS_PORT}"
# Prometheus's bearer token for the shop's /metrics. Local default only.
export METRICS_TOKEN="${METRICS_TOKEN:-local-metrics-token}"
# Turns on prometheus-client's multiprocess mode; each process claims a subfolder.
export PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-${VAR_DIR:-$PWD/var}/metrics}"
export DEMO_STAFF_PASSWORD="${DEMO_STAFF_PASSWORD:-greengrocer-staff}"
export DEMO_SHOPPER_PASSWORD="${DEMO_SHOPPER_PASSWORD:-greengrocer-shopper}"
mkdir -p var/redis var/flower var/mail var/media "$PROMETHEUS_MULTIPROC_DIR"
