"""``/healthz``: whether this instance can serve, for a load balancer's or an orchestrator's probe.

Answered before any other middleware, so a probe gets it over plain http (no HTTPS redirect) and by any ``Host``
(a probe names the instance by its address, which ``ALLOWED_HOSTS`` need not list); never cached. It says only
"ok" or "unavailable" for each dependency, never why:

- ``database``: a ``SELECT 1``; without it nothing can be served, so the answer is then 503 and the balancer
  sends readers to another instance;
- ``cache``: the shared cache (Redis) answered a read; without it pages are built from the database
  (``cache.cache_available``), slower but right, so the answer stays 200.

The reasons go to the log.
"""

import logging

from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, JsonResponse

from newsroom import cache

logger = logging.getLogger(__name__)

PATH = "/healthz"


def _database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("Health check: the database did not answer")
        return False
    return True


def _read_generation() -> bool:
    caches[cache.CACHE_ALIAS].get(cache.GENERATION_KEY)  # raises when the cache does not answer
    return True


def _cache() -> bool:
    return cache.attempt("read", _read_generation, fallback=False)


class HealthCheckMiddleware:
    """Answers ``/healthz`` (first in ``MIDDLEWARE``); passes every other request on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if request.path_info != PATH:
            return self.get_response(request)
        checks = {"database": _database(), "cache": _cache()}
        response = JsonResponse(
            {name: "ok" if passed else "unavailable" for name, passed in checks.items()},
            status=200 if checks["database"] else 503,
        )
        response["Cache-Control"] = "no-store"
        return response
