"""Loaded only by the priority scenario's FIFO worker (`celery worker --include=bench.fifo_worker`):
the shop's Celery app with every setting as is, except a single priority step (plain FIFO).

Workers import `--include` modules before they connect to the broker, so the consumer and
the pool children all start with these transport options.
"""

from bench.broker import FIFO_TRANSPORT_OPTIONS
from shop.celery import app

app.conf.broker_transport_options = {**app.conf.broker_transport_options, **FIFO_TRANSPORT_OPTIONS}
