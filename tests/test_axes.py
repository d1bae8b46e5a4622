"""Admin login throttling (django-axes, configured in config/settings.py).

Five failed logins for one username from one address lock that pair out for 15 minutes, the right password
included; then the lock lifts by itself. Other usernames and other addresses are not affected, so an attacker
cannot lock an editor out of the desk. Time passes by moving the recorded failures back (axes compares their
time with now), never by sleeping.
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.db.models import F
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse

from newsroom.admin.throttling import client_ip
from tests.test_permissions import FAST_HASHER, PASSWORD

pytestmark = pytest.mark.django_db

ATTACKER, DESK = "203.0.113.9", "198.51.100.7"
LOGIN = reverse("admin:login")


@pytest.fixture
def accounts(db, settings) -> list[User]:
    """Two staff accounts; their passwords hashed quickly (the real hasher costs a quarter of a second a login)."""
    settings.PASSWORD_HASHERS = FAST_HASHER
    return [User.objects.create_user(name, password=PASSWORD, is_staff=True) for name in ("editor", "reporter")]


def attempt(username: str, password: str, address: str = ATTACKER, **headers) -> Client:
    """A login through the admin's form from ``address``; the client, logged in or not."""
    client = Client()
    client.response = client.post(
        LOGIN,
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=address,
        **headers,
    )
    return client


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def fail(times: int, username: str = "editor", address: str = ATTACKER, **headers) -> Client:
    for _ in range(times):
        client = attempt(username, "wrong password", address, **headers)
    return client


def time_passes(delta: timedelta) -> None:
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - delta)


def test_five_failures_lock_and_the_right_password_is_refused(accounts):
    """Four wrong passwords get the login form again; the fifth locks the username from that address (429);
    while locked, the right password is refused too and logs nobody in."""
    assert fail(4).response.status_code == 200
    assert fail(1).response.status_code == 429
    client = attempt("editor", PASSWORD)
    assert client.response.status_code == 429
    assert b"too many login attempts" in client.response.content
    assert not logged_in(client)


def test_the_lock_lifts_by_itself_after_15_minutes(accounts):
    """14 minutes after the lock the right password is still refused; after 15 it logs in, and the failures
    are forgotten (five more are needed to lock again)."""
    fail(5)
    time_passes(timedelta(minutes=14))
    assert not logged_in(attempt("editor", PASSWORD))
    time_passes(timedelta(minutes=1, seconds=1))
    client = attempt("editor", PASSWORD)
    assert client.response.status_code == 302
    assert logged_in(client)
    assert not AccessAttempt.objects.exists()


def test_attempts_while_locked_do_not_extend_the_lock(accounts):
    """Trying again while locked out does not restart the 15 minutes: the lock lifts 15 minutes after it began."""
    fail(5)
    time_passes(timedelta(minutes=10))
    fail(3)
    time_passes(timedelta(minutes=5, seconds=1))
    assert logged_in(attempt("editor", PASSWORD))


def test_other_addresses_and_usernames_are_not_locked(accounts):
    """An attacker who locked "editor" from one address locks neither the editor at the desk (another address)
    nor another account from the attacker's address."""
    fail(5)
    assert not logged_in(attempt("editor", PASSWORD, ATTACKER))
    assert logged_in(attempt("editor", PASSWORD, DESK))
    assert logged_in(attempt("reporter", PASSWORD, ATTACKER))


def test_a_successful_login_forgets_the_failures(accounts):
    """Four failures, a successful login, four more failures: not locked, the count started again."""
    fail(4)
    assert logged_in(attempt("editor", PASSWORD))
    fail(4)
    assert logged_in(attempt("editor", PASSWORD))


def test_an_overlong_username_is_counted_too(accounts):
    """A 10 KB username (Django's login form does not limit it) is counted like any other, cut to the size of the
    record, and locks after five failures."""
    username = "x" * 10240
    assert fail(5, username).response.status_code == 429
    assert AccessAttempt.objects.get().username == username[:255]


def test_behind_the_proxy_the_address_is_the_one_the_proxy_appended(accounts, settings):
    """Behind the proxy (NEWSROOM_BEHIND_PROXY) every request comes from the proxy's address: the browser's is
    the last of X-Forwarded-For. What the client itself wrote before it cannot get it round the lock, and other
    browsers behind the same proxy are not locked."""
    settings.NEWSROOM_BEHIND_PROXY = True
    proxy = "127.0.0.1"
    for forged in range(5):
        attempt("editor", "wrong", proxy, HTTP_X_FORWARDED_FOR=f"192.0.2.{forged}, {ATTACKER}")
    assert not logged_in(attempt("editor", PASSWORD, proxy, HTTP_X_FORWARDED_FOR=f"192.0.2.99, {ATTACKER}"))
    assert logged_in(attempt("editor", PASSWORD, proxy, HTTP_X_FORWARDED_FOR=DESK))


def test_without_the_proxy_x_forwarded_for_is_ignored(accounts):
    """Reached directly, the app counts by the connection's address: a forged X-Forwarded-For changes nothing."""
    for forged in range(5):
        attempt("editor", "wrong", ATTACKER, HTTP_X_FORWARDED_FOR=f"192.0.2.{forged}")
    assert not logged_in(attempt("editor", PASSWORD, ATTACKER, HTTP_X_FORWARDED_FOR=DESK))


@pytest.mark.parametrize(
    ("behind_proxy", "forwarded", "expected"),
    [
        (False, "192.0.2.1", ATTACKER),
        (True, f"192.0.2.1, {DESK}", DESK),
        (True, f" {DESK} ", DESK),
        (True, "2001:db8::1", "2001:db8::1"),
        (True, "not an address", ATTACKER),
        (True, "", ATTACKER),
        (True, "192.0.2.1, unknown", ATTACKER),
    ],
)
def test_client_ip(settings, behind_proxy, forwarded, expected):
    """The address counted: REMOTE_ADDR, or behind the proxy the last X-Forwarded-For address when it is one."""
    settings.NEWSROOM_BEHIND_PROXY = behind_proxy
    request = HttpRequest()
    request.META = {"REMOTE_ADDR": ATTACKER, "HTTP_X_FORWARDED_FOR": forwarded}
    assert client_ip(request) == expected


def test_the_limits_unlock_by_themselves():
    """The settings lock a username and address pair after 5 failures for 15 minutes, never forever."""
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AXES_RESET_ON_SUCCESS is True
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"


def test_authenticating_in_code_needs_a_request(accounts):
    """The throttling backend needs the request: code (and tests) authenticating without one must pass one,
    e.g. ``client.login(request=HttpRequest(), ...)``; ``client.force_login`` needs none."""
    assert authenticate(request=HttpRequest(), username="editor", password=PASSWORD) == accounts[0]
    client = Client()
    assert client.login(request=HttpRequest(), username="editor", password=PASSWORD)
