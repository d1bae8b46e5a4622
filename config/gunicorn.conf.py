"""gunicorn settings for Newsroom: ``gunicorn -c config/gunicorn.conf.py config.wsgi``.

Each value comes from the environment where an operator may need another one; options given on the
command line still win over this file.

- ``bind``: ``GUNICORN_BIND`` (comma-separated addresses, e.g. ``0.0.0.0:8000`` or ``unix:/run/newsroom.sock``),
  else ``127.0.0.1:$PORT``, else ``127.0.0.1:8000``. Loopback by default: the app is meant to sit behind a
  proxy that terminates TLS and serves media, so it should not be reachable from elsewhere by accident.
- ``workers``: ``WEB_CONCURRENCY``, else 2 x cores + 1 (one worker computes while another waits on the
  database), capped at 8 because each worker holds its own copy of Django and the caches, and a small
  desk site is bound by the database long before that.
- ``worker_class = "sync"``, ``threads = 1``: one request per process. Views are short and database-bound;
  processes cannot share a stuck request, and nothing in the code has to be thread-safe.
- ``timeout = 30``: a worker silent for 30 s is killed and replaced, so one pathological request cannot
  hold a worker for ever; ``graceful_timeout = 30`` gives requests in flight that long on reload or stop.
- ``keepalive = 5``: seconds an idle keep-alive connection is held. The sync worker closes every
  connection after its response and ignores it; it applies if ``worker_class`` is changed to gthread.
- ``max_requests = 20000`` with ``max_requests_jitter = 2000``: each worker is replaced after about
  twenty thousand requests, returning whatever memory it has grown to; the jitter keeps workers from
  restarting all at once. Not fewer: a worker answering cached pages at hundreds of requests a second
  would otherwise spend its time being replaced.
- ``preload_app = True``: the application is loaded once, in the master, and each worker is a fork of it. A
  worker loading Django and the application itself took 0.7 s of CPU, on a core the other workers
  needed: at 2,000 cached pages a second (workers replaced every few seconds) the p99 was 339–386 ms, against
  11–12 ms preloaded (the seed stories, ``--max-requests 3000``, wrk at 8 connections for 20 s). The forks also
  share the loaded code's memory. The price: new code needs gunicorn restarted; ``kill -HUP`` starts new
  workers from the code the master already holds.
- ``worker_tmp_dir = "/dev/shm"`` when it exists: the workers' heartbeat files live in memory, since on a
  disk-backed (or container overlay) /tmp the heartbeat's fchmod can block a worker.
- ``forwarded_allow_ips``: ``FORWARDED_ALLOW_IPS`` (gunicorn's own variable), else the loopback addresses.
  Only requests from these addresses may set X-Forwarded-Proto, which makes the request https for Django.
- ``control_socket_disable``: gunicorn's control socket has one default path per user
  (``~/.gunicorn/gunicorn.ctl``), so a second instance on the same machine would take it over from the first.
- ``when_ready``: once the master has loaded Django and the URLconf, and before it forks a worker,
  ``gc.collect()`` then ``gc.freeze()`` moves the hundred thousand objects they made out of the cyclic garbage
  collector's reach, in every worker, and the youngest generation is collected every 7,000 allocations instead
  of 700 (``gc.freeze``'s documented use before ``fork()``: no worker's collection writes to the shared pages).
  Otherwise each worker stopped every few hundred requests for a full collection that walked all of them (35 to
  85 ms at 100,000 stories, felt in the p99 of every page), and spent 3% of its time collecting; frozen, the
  longest collection measured was 16 ms and collecting took 1.2% (bench/serve_bench.py's database). Frozen
  objects are never freed, which is what they are for: they live as long as the workers.
- Logs: the access log to stdout, errors to stderr (the service manager or container collects both). The
  access log line is the combined log format plus the response time in milliseconds and microseconds.
"""

import gc
import os
from pathlib import Path

MAX_WORKERS = 8
# The youngest generation's threshold (Python's default is 700); the older generations keep theirs.
GC_YOUNG_THRESHOLD = 7_000


def _bind() -> list[str]:
    addresses = [address.strip() for address in os.environ.get("GUNICORN_BIND", "").split(",") if address.strip()]
    if addresses:
        return addresses
    return [f"127.0.0.1:{os.environ.get('PORT') or 8000}"]


def _workers() -> int:
    if os.environ.get("WEB_CONCURRENCY"):
        return max(1, int(os.environ["WEB_CONCURRENCY"]))
    # The cores this process may run on (a container or taskset may allow fewer than the machine has).
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return min(2 * cores + 1, MAX_WORKERS)


bind = _bind()
workers = _workers()
worker_class = "sync"
threads = 1
timeout = 30
graceful_timeout = 30
keepalive = 5
max_requests = 20_000
max_requests_jitter = 2_000
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None  # noqa: S108 - memory, not a shared /tmp  # nosec B108
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
control_socket_disable = True


preload_app = True


def when_ready(server) -> None:
    """Called by gunicorn in the master once the application is loaded, before any worker is forked: see
    ``when_ready`` above."""
    from django.db import connections
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imported now, so that the URLconf's objects are frozen too
    connections.close_all()  # loading opens none; a connection the workers inherited would be shared by all
    gc.collect()
    gc.freeze()
    _young, *older = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *older)
    server.log.info("%d objects frozen out of garbage collection, for every worker", gc.get_freeze_count())


accesslog = "-"
errorlog = "-"
loglevel = "info"
# Client, time, request line, status, bytes, referer, user agent, then duration in ms and in µs.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms %(D)sus'
