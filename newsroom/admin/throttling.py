"""Whom the admin's login throttling (django-axes, see config/settings.py) counts failed logins against: the
client's address and the username tried."""

import ipaddress

from axes.models import AccessAttempt
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


def client_username(request: HttpRequest, credentials: dict | None) -> str | None:
    """The username tried (as axes reads it), cut to the size of axes' column: Django's login form does not
    limit its length, and PostgreSQL refuses a longer value with a server error."""
    field = settings.AXES_USERNAME_FORM_FIELD
    username = credentials.get(field) if credentials else request.POST.get(field)
    return username[: AccessAttempt._meta.get_field("username").max_length] if username else username
