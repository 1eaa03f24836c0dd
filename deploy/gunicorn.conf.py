"""gunicorn settings, from the environment."""

import multiprocessing
import os

bind = os.environ.get("WEB_BIND", f"127.0.0.1:{os.environ.get('WEB_PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", max(2, multiprocessing.cpu_count())))
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 20
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "2000"))  # 0: never recycle a worker
max_requests_jitter = 200
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(L)ss req=%({x-request-id}o)s'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


# prometheus-client's multiprocess mode (PROMETHEUS_MULTIPROC_DIR, set by the stack): the
# master claims an emptied folder before forking, each worker writes its files there and
# /metrics adds them up; a worker that exits has its live gauges dropped.
def on_starting(server):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from shop.platform.observability import multiprocess

        multiprocess.claim_directory("web")


def child_exit(server, worker):
    from shop.platform.observability import multiprocess

    multiprocess.child_exited(worker.pid)
