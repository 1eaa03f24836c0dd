#!/usr/bin/env bash
# Start the whole Greengrocer stack (the Procfile) with honcho. Ctrl-C stops every process.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/stack_env.sh

for port in "$REDIS_PORT" "$WEB_PORT" "$FLOWER_PORT" "$SMTP_PORT" "$SUPPLIER_PORT"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        echo "Port $port is already in use. Stop what uses it, or set the *_PORT variables" >&2
        echo "(REDIS_PORT, WEB_PORT, FLOWER_PORT, SMTP_PORT, SUPPLIER_PORT) and run again." >&2
        exit 1
    fi
done

cat <<MSG

  Greengrocer is starting. Ctrl-C stops everything.

    Shop          http://127.0.0.1:$WEB_PORT/
    Staff console http://127.0.0.1:$WEB_PORT/staff/
    REST API      http://127.0.0.1:$WEB_PORT/api/docs/   (OpenAPI: /api/schema/)
    Admin         http://127.0.0.1:$WEB_PORT/admin/
    Health        http://127.0.0.1:$WEB_PORT/healthz
    Flower        http://127.0.0.1:$FLOWER_PORT/         (login ${FLOWER_BASIC_AUTH%%:*} / ${FLOWER_BASIC_AUTH#*:})
    Mail sink     smtp://127.0.0.1:$SMTP_PORT            (messages in var/mail/)
    Supplier API  http://127.0.0.1:$SUPPLIER_PORT/

  Logins:  staff / ${DEMO_STAFF_PASSWORD}     shopper / ${DEMO_SHOPPER_PASSWORD}

MSG
exec honcho start -f Procfile
