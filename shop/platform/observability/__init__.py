"""Prometheus metrics of the shop: task and web instruments, scrape-time gauges, /metrics.

- metrics.py: the instruments (counters, histograms) and the rules that keep labels bounded.
- celery_metrics.py: task signals feed them; each worker node serves its own exporter.
- collector.py: gauges read at scrape time (queues, outbox, Jobs, campaigns, sync, reports).
- middleware.py and views.py: web requests by route, and the token-protected /metrics.
- multiprocess.py: prometheus-client's multiprocess mode for prefork children and gunicorn.
"""
