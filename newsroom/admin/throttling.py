"""The client address the admin's login throttling (django-axes, see config/settings.py) counts failures by."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The browser's address: ``REMOTE_ADDR``, or behind the proxy (``NEWSROOM_BEHIND_PROXY``) the last address
    of ``X-Forwarded-For``, the one the proxy appended (nginx's ``$proxy_add_x_forwarded_for``). Addresses before
    it were sent by the client and can be anything, so they are never believed; without a valid one the proxy's
    own address is used, which throttles that request with every other unidentified one."""
    remote = request.META.get("REMOTE_ADDR")
    if not settings.NEWSROOM_BEHIND_PROXY:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
    try:
        return str(ipaddress.ip_address(forwarded))
    except ValueError:
        return remote
