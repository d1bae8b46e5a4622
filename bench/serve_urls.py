"""The site's URLs for bench/serve_bench.py, plus the framework floor: ``/bench/floor/``, a bare view that
returns a fixed string (no template, no query, no language prefix) through the site's whole middleware."""

from django.http import HttpResponse
from django.urls import path

from config.urls import *  # noqa: F403 - the site's patterns and any error handlers it declares
from config.urls import urlpatterns as site_patterns


def floor(request):
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


urlpatterns = [path("bench/floor/", floor, name="bench-floor"), *site_patterns]
