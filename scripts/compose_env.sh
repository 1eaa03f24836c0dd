#!/usr/bin/env bash
# Write .env for `docker compose up` with fresh random secrets (once; an existing .env is kept).
# compose.yaml refuses to start without these; .env is git-ignored and never committed.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -e .env ]; then
    echo ".env exists; keeping it."
    exit 0
fi
random_secret() { python3 -c "import secrets; print(secrets.token_urlsafe($1))"; }
umask 077
cat > .env <<ENV
SECRET_KEY=$(random_secret 48)
POSTGRES_PASSWORD=$(random_secret 24)
FLOWER_BASIC_AUTH=flower:$(random_secret 18)
FLOWER_COOKIE_SECRET=$(random_secret 48)
METRICS_TOKEN=$(random_secret 32)
ENV
echo "Wrote .env. Flower login: $(sed -n 's/^FLOWER_BASIC_AUTH=//p' .env)"
