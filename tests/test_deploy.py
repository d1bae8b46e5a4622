"""The production path: settings under a production environment, security headers, config/gunicorn.conf.py,
and the app served by gunicorn.

The test suite itself runs with NEWSROOM_HTTPS=0 (pyproject.toml), so the production values are read in
subprocesses started with a production-like environment and none of the tests' opt-outs.
"""

import http.client
import json
import os
import re
import runpy
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
MANAGE = str(ROOT / "manage.py")
GUNICORN_CONF = ROOT / "config" / "gunicorn.conf.py"
HOST = "news.example"
# Variables a developer's shell or the test run may have set that would change what production looks like.
INHERITED_OVERRIDES = (
    "NEWSROOM_HTTPS",
    "NEWSROOM_HASHED_STATIC",
    "NEWSROOM_BEHIND_PROXY",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "CSRF_TRUSTED_ORIGINS",
    "GUNICORN_BIND",
    "PORT",
    "WEB_CONCURRENCY",
    "FORWARDED_ALLOW_IPS",
    "DJANGO_SETTINGS_MODULE",
    # Set by tests/browser/conftest.py for Playwright; the deploy check rightly warns about it.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)
SECURITY_SETTINGS = (
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_PROXY_SSL_HEADER",
    "CSRF_TRUSTED_ORIGINS",
    "X_FRAME_OPTIONS",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
)


def production_env(**changes: str) -> dict[str, str]:
    """The environment of a production deployment: DEBUG off, a long random key, one host; ``changes`` on top."""
    env = {name: value for name, value in os.environ.items() if name not in INHERITED_OVERRIDES}
    env.update(DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS=HOST, PYTHONUNBUFFERED="1")
    env.update(changes)
    return env


def run(args: list[str], env: dict[str, str], timeout: int = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def loaded_under(env: dict[str, str], expression: str):
    """``expression`` (JSON-able, over ``settings``) as a fresh process with ``env`` loads the settings."""
    script = f"import json; from django.conf import settings; print(json.dumps({expression}))"
    result = run(["-c", script], {**env, "DJANGO_SETTINGS_MODULE": "config.settings"})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def settings_under(env: dict[str, str]) -> dict:
    """The security settings as a fresh process with ``env`` loads them."""
    return loaded_under(env, f"{{name: getattr(settings, name, None) for name in {SECURITY_SETTINGS!r}}}")


def test_deploy_check_passes_with_production_settings():
    """`manage.py check --deploy --fail-level WARNING` passes with a production environment."""
    result = run([MANAGE, "check", "--deploy", "--fail-level", "WARNING"], production_env())
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_check_fails_with_the_test_opt_out():
    """The opt-out the tests use (NEWSROOM_HTTPS=0) is not a deployable configuration: the check says so."""
    result = run([MANAGE, "check", "--deploy", "--fail-level", "WARNING"], production_env(NEWSROOM_HTTPS="0"))
    assert result.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in result.stderr


def test_production_is_https_only_by_default():
    """With DEBUG off and nothing else said: SSL redirect, secure cookies, a year of HSTS with subdomains,
    frames denied, no sniffing, a referrer policy; X-Forwarded-Proto is not believed."""
    values = settings_under(production_env())
    assert values["DEBUG"] is False
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_HSTS_SECONDS"] == 31_536_000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] is None
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert values["SECURE_REFERRER_POLICY"] == "strict-origin-when-cross-origin"


def test_proxy_and_origin_settings_come_from_the_environment():
    """NEWSROOM_BEHIND_PROXY=1 trusts X-Forwarded-Proto; HSTS seconds and trusted origins are read from the
    environment."""
    values = settings_under(
        production_env(
            NEWSROOM_BEHIND_PROXY="1",
            SECURE_HSTS_SECONDS="3600",
            CSRF_TRUSTED_ORIGINS=f"https://{HOST},https://desk.{HOST}",
        )
    )
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SECURE_HSTS_SECONDS"] == 3600
    assert values["CSRF_TRUSTED_ORIGINS"] == [f"https://{HOST}", f"https://desk.{HOST}"]


def test_numbers_come_from_the_environment():
    """Whole-number settings are read from the environment, with their defaults when it says nothing."""
    names = ["NEWSROOM_SEARCH_WINDOW", "NEWSROOM_PAGE_CACHE_SECONDS", "NEWSROOM_MAX_IMPORT_BYTES"]
    expression = f"[getattr(settings, name) for name in {names!r}]"
    unsaid = {name: value for name, value in production_env().items() if name not in names}
    assert loaded_under(unsaid, expression) == [1000, 600, 5 * 1024 * 1024]
    given = {
        **unsaid,
        "NEWSROOM_SEARCH_WINDOW": " 500",
        "NEWSROOM_PAGE_CACHE_SECONDS": "0",
        "NEWSROOM_MAX_IMPORT_BYTES": "",
    }
    assert loaded_under(given, expression) == [500, 0, 5 * 1024 * 1024]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("NEWSROOM_SEARCH_WINDOW", "5", "NEWSROOM_SEARCH_WINDOW must be a whole number of at least 20, not '5'."),
        ("NEWSROOM_SEARCH_WINDOW", "1e3", "NEWSROOM_SEARCH_WINDOW must be a whole number of at least 20, not '1e3'."),
        ("NEWSROOM_PAGE_CACHE_SECONDS", "-1", "NEWSROOM_PAGE_CACHE_SECONDS must be a whole number of at least 0"),
        ("CONN_MAX_AGE", "ten", "CONN_MAX_AGE must be a whole number of at least 0, not 'ten'."),
    ],
)
def test_a_number_that_is_not_one_stops_the_settings_loading(name, value, message):
    """A whole-number setting given something else names the variable and the value, instead of a traceback
    from ``int()`` or a negative cache lifetime taken as it is."""
    result = run([MANAGE, "check"], production_env(**{name: value}))
    assert result.returncode != 0
    assert message in result.stderr


def test_development_works_over_plain_http():
    """With DEBUG=1 (`make run`) nothing is HTTPS-only, so the development server works over http."""
    env = production_env(DEBUG="1")
    del env["SECRET_KEY"]
    values = settings_under(env)
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SESSION_COOKIE_SECURE"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0


def database_connection_settings(env: dict[str, str]) -> tuple[int | None, bool]:
    """``CONN_MAX_AGE`` and ``CONN_HEALTH_CHECKS`` of the default database as a fresh process with ``env`` loads them."""
    database = "settings.DATABASES['default']"
    return tuple(loaded_under(env, f"[{database}['CONN_MAX_AGE'], {database}['CONN_HEALTH_CHECKS']]"))


def test_production_keeps_database_connections_between_requests():
    """With DEBUG off a worker keeps its database connection for ten minutes, checked before each reuse; with
    DEBUG on (runserver: a thread per request) it opens one per request; CONN_MAX_AGE overrides both."""
    production = production_env()
    production.pop("CONN_MAX_AGE", None)
    assert database_connection_settings(production) == (600, True)
    development = {**production, "DEBUG": "1"}
    del development["SECRET_KEY"]
    assert database_connection_settings(development) == (0, True)
    assert database_connection_settings({**production, "CONN_MAX_AGE": "0"}) == (0, True)


def database_options(env: dict[str, str]) -> dict:
    return loaded_under(env, "settings.DATABASES['default']['OPTIONS']")


def test_postgresql_prepares_the_queries_a_connection_repeats():
    """On PostgreSQL values are bound by the server and a query run five times on a connection is prepared (parsed
    and planned once); NEWSROOM_PREPARED_STATEMENTS=0 turns preparing off (for PgBouncer in transaction mode)."""
    postgres = production_env(DATABASE_URL="postgres://newsroom@db.internal:5432/newsroom")
    assert database_options(postgres) == {"server_side_binding": True, "prepare_threshold": 5}
    pooled = database_options({**postgres, "NEWSROOM_PREPARED_STATEMENTS": "0"})
    assert pooled == {"server_side_binding": True, "prepare_threshold": None}


@pytest.mark.django_db
def test_a_query_run_again_and_again_is_prepared_on_postgresql():
    """On the PostgreSQL the suite runs on, a story lookup run six times on one connection is prepared: the
    server keeps its plan (pg_prepared_statements lists it)."""
    from django.db import connection

    from newsroom.models import Article

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    for pk in range(1, 7):
        list(Article.objects.filter(pk=pk).values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('FROM "newsroom_article"' in statement for statement in prepared), prepared


@pytest.mark.parametrize(
    ("secret_key", "message"),
    [(None, "SECRET_KEY must be set"), ("django-insecure-development-only-key", "SECRET_KEY is a development key")],
)
def test_settings_refuse_to_load_without_a_real_secret_key(secret_key, message):
    """With DEBUG off, a missing SECRET_KEY or the development key stops the settings from loading."""
    env = production_env()
    if secret_key is None:
        del env["SECRET_KEY"]
    else:
        env["SECRET_KEY"] = secret_key
    result = run([MANAGE, "check"], env)
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/en/", "/admin/login/", "/api/articles/"])
def test_responses_carry_the_security_headers(client, path):
    """Pages, the admin and the API answer with a strict CSP, nosniff, a referrer policy and frame denial."""
    response = client.get(path)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"


def gunicorn_settings(monkeypatch, **env: str) -> dict:
    """config/gunicorn.conf.py's values under ``env``, each validated by gunicorn's own Config."""
    from gunicorn.config import Config

    for name in ("GUNICORN_BIND", "PORT", "WEB_CONCURRENCY", "FORWARDED_ALLOW_IPS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    values = runpy.run_path(str(GUNICORN_CONF))
    config = Config()
    known = {name: value for name, value in values.items() if name in config.settings}
    for name, value in known.items():
        config.set(name, value)
    return {name: config.settings[name].get() for name in known}


def test_gunicorn_config_defaults(monkeypatch):
    """Loopback on port 8000, 2 x cores + 1 sync workers (at most 8), 30 s timeouts, workers recycled with
    jitter, heartbeat in /dev/shm, logs to stdout/stderr with the response time."""
    conf = gunicorn_settings(monkeypatch)
    assert conf["bind"] == ["127.0.0.1:8000"]
    cores = len(os.sched_getaffinity(0))
    assert conf["workers"] == min(2 * cores + 1, 8)
    assert conf["worker_class"] == "sync" and conf["threads"] == 1
    assert conf["timeout"] == 30 and conf["graceful_timeout"] == 30
    assert conf["max_requests"] > 0 and 0 < conf["max_requests_jitter"] < conf["max_requests"]
    assert conf["preload_app"] is True  # a replaced worker is a fork of the loaded application
    if Path("/dev/shm").is_dir():
        assert conf["worker_tmp_dir"] == "/dev/shm"
    assert conf["forwarded_allow_ips"] == ["127.0.0.1", "::1"]
    assert conf["accesslog"] == "-" and conf["errorlog"] == "-"
    for field in ('"%(r)s"', "%(s)s", "%(b)s", '"%(f)s"', '"%(a)s"', "%(M)s", "%(D)s"):
        assert field in conf["access_log_format"]


def test_gunicorn_config_reads_the_environment(monkeypatch):
    """PORT, GUNICORN_BIND, WEB_CONCURRENCY and FORWARDED_ALLOW_IPS change the bind, workers and proxies."""
    assert gunicorn_settings(monkeypatch, PORT="9001")["bind"] == ["127.0.0.1:9001"]
    conf = gunicorn_settings(
        monkeypatch,
        PORT="9001",
        GUNICORN_BIND="0.0.0.0:8000, unix:/run/newsroom.sock",
        WEB_CONCURRENCY="3",
        FORWARDED_ALLOW_IPS="10.0.0.2",
    )
    assert conf["bind"] == ["0.0.0.0:8000", "unix:/run/newsroom.sock"]
    assert conf["workers"] == 3
    assert conf["forwarded_allow_ips"] == ["10.0.0.2"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(port: int, path: str, **headers: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers={"Host": HOST, **headers})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


@pytest.mark.slow
def test_gunicorn_serves_the_site_with_production_settings(tmp_path):
    """gunicorn started with config/gunicorn.conf.py on a migrated SQLite database and collected static files
    serves the home page and the API over https as the local proxy reports it (X-Forwarded-Proto), with HSTS
    and secure cookies, and redirects plain http to https. The application is loaded once, in the master, which
    froze its objects out of garbage collection: workers replaced every few requests answer without loading it
    again."""
    port = free_port()
    env = production_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "static"),
        PORT=str(port),
        WEB_CONCURRENCY="1",
    )
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        result = run([MANAGE, *command, "-v0"], env)
        assert result.returncode == 0, result.stderr

    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(GUNICORN_CONF),
            "--max-requests",
            "4",
            "--max-requests-jitter",
            "0",
            "config.wsgi",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            assert server.poll() is None, server.communicate()[1]
            try:
                home = fetch(port, "/en/", **{"X-Forwarded-Proto": "https"})
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not answer within 15 s"
                time.sleep(0.2)
        assert home.status == 200
        assert home.getheader("Strict-Transport-Security") == "max-age=31536000; includeSubDomains"
        assert "default-src 'self'" in home.getheader("Content-Security-Policy")

        api = fetch(port, "/api/articles/", **{"X-Forwarded-Proto": "https"})
        assert api.status == 200

        login = fetch(port, "/admin/login/", **{"X-Forwarded-Proto": "https"})
        assert login.status == 200
        assert "; Secure" in login.getheader("Set-Cookie")

        plain = fetch(port, "/en/")
        assert plain.status == 301
        assert plain.getheader("Location") == f"https://{HOST}/en/"

        for _ in range(12):  # three more workers' lives; a connection refused while one is forked is retried
            deadline = time.monotonic() + 15
            while True:
                try:
                    assert fetch(port, "/en/", **{"X-Forwarded-Proto": "https"}).status == 200
                    break
                except OSError:
                    assert time.monotonic() < deadline, "no worker answered within 15 s"
                    time.sleep(0.05)
    finally:
        server.terminate()
        try:
            access, errors = server.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            access, errors = server.communicate()
    assert "Traceback" not in errors, errors
    # The master loaded the application and froze what loading made (when_ready), once; the workers it forked
    # (one, then one for every four requests) did not load it again.
    frozen = re.findall(r"(\d+) objects frozen out of garbage collection, for every worker", errors)
    assert len(frozen) == 1 and int(frozen[0]) > 10_000, errors
    assert len(re.findall(r"Booting worker", errors)) >= 4, errors
    # The access log (stdout) has the request line and status, and ends with the response time.
    assert '"GET /api/articles/ HTTP/1.1" 200' in access
    assert access.splitlines()[-1].endswith("us")


# /healthz ------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_answers_a_probe_over_plain_http_by_any_host(client, settings, django_assert_num_queries):
    """A load balancer's probe names the instance by its address and speaks plain http: ``/healthz`` answers it
    (one query, never cached), where any other path would redirect to https or refuse the Host."""
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = [HOST]
    with django_assert_num_queries(1):
        response = client.get("/healthz", headers={"Host": "10.0.0.12:8000"})
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok"}
    assert response["Cache-Control"] == "no-store"
    assert client.get("/en/", headers={"Host": "10.0.0.12:8000"}).status_code == 400
    assert client.get("/en/", headers={"Host": HOST}).status_code == 301


def test_healthz_says_503_when_the_database_is_down_and_200_when_only_redis_is():
    """Without its database an instance can serve nothing: 503, and the balancer sends readers elsewhere. Without
    Redis it builds pages from the database: 200, the cache reported unavailable. Neither answer says why."""
    closed = free_port()  # nothing listens on it
    script = (
        "import django, json; django.setup(); from django.test import Client; "
        "response = Client().get('/healthz'); print(json.dumps([response.status_code, response.json()]))"
    )
    refused = {"DJANGO_SETTINGS_MODULE": "config.settings", "REDIS_URL": f"redis://127.0.0.1:{closed}/0"}
    database_down = run(
        ["-c", script], production_env(DATABASE_URL=f"postgres://newsroom@127.0.0.1:{closed}/newsroom", **refused)
    )
    assert json.loads(database_down.stdout) == [503, {"database": "unavailable", "cache": "unavailable"}], (
        database_down.stderr
    )
    assert "Health check: the database did not answer" in database_down.stderr
    redis_down = run(["-c", script], production_env(DATABASE_URL="sqlite://:memory:", **refused))
    assert json.loads(redis_down.stdout) == [200, {"database": "ok", "cache": "unavailable"}], redis_down.stderr
    assert "Connection refused" in redis_down.stderr and "Connection refused" not in redis_down.stdout
