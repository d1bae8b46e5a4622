"""Newsroom settings: one module, driven by environment variables.

Development needs nothing set (SQLite in the checkout, DEBUG on through the
Makefile). Production sets at least DEBUG=0, SECRET_KEY, ALLOWED_HOSTS and
usually DATABASE_URL; see the README.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.conf import locale
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int, minimum: int = 0) -> int:
    """A whole number of at least ``minimum`` from the environment; anything else stops the settings loading."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or number < minimum:
        raise ImproperlyConfigured(f"{name} must be a whole number of at least {minimum}, not {value!r}.")
    return number


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-key"  # noqa: S105 - only used with DEBUG on  # nosec B105
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (set DEBUG=1 for local development).")
    SECRET_KEY = DEVELOPMENT_SECRET_KEY
elif not DEBUG and SECRET_KEY.startswith("django-insecure-"):
    # The development key (or one from startproject) is public: sessions signed with it can be forged.
    raise ImproperlyConfigured("SECRET_KEY is a development key; set a long random one when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")

INSTALLED_APPS = [
    # modeltranslation patches the admin, so it must come before it.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    # Only for its system checks: the Content-Security-Policy header comes from its middleware.
    "csp",
    # Admin login throttling (see "Login throttling" below).
    "axes",
    "newsroom",
]

MIDDLEWARE = [
    # /healthz for load balancers' probes: before the HTTPS redirect and the Host check (newsroom/health.py).
    "newsroom.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # Static files before anything else touches the request: hashed names, compressed, cached for a year.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # ETag from the content (stored with cached pages) and 304 on If-None-Match/If-Modified-Since, hits included.
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Anonymous public pages from the cache; after Locale (the key has the language), see newsroom/cache.py.
    "newsroom.cache.PageCacheMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a refused login of a locked-out client into its lockout answer (429).
    "axes.middleware.AxesMiddleware",
]

# The axes backend comes first: it refuses a locked-out client before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    # The public pages (templates/jinja2/, see newsroom/templating.py); the admin and the sitemaps use Django's.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "newsroom.templating.environment",
            "context_processors": [
                "django.template.context_processors.i18n",
                "newsroom.context_processors.site",
            ],
        },
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite in the checkout is the embedded default; DATABASE_URL switches to
# PostgreSQL (postgres://user@host:5432/name).
# Connections are kept between requests (health-checked before reuse) except in development, where
# runserver's thread per request would leave one behind each time: a new one costs PostgreSQL a process
# and a login, and SQLite its schema parse and its page cache (emptied with every connection).
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 0 if DEBUG else 600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Values sent apart from the SQL (server-side binding), so that a query a connection runs again and again
    # (a story page's, a listing's) is parsed and planned once, then prepared, after its fifth run; never a
    # search's (``search._never_prepared``: no one plan suits every query's words). Prepared statements belong
    # to a connection: behind PgBouncer in transaction mode set NEWSROOM_PREPARED_STATEMENTS=0.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=5 if env_bool("NEWSROOM_PREPARED_STATEMENTS", True) else None
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers (the site) work while an import writes; a 64 MB page cache keeps
    # large tables' indexes in memory.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;"
    )
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages ------------------------------------------------------------------
# Django ships no locale data for Lao; without it modeltranslation's admin
# fails with "Unknown language code lo".
locale.LANG_INFO.setdefault("lo", {"bidi": False, "code": "lo", "name": "Lao", "name_local": "ລາວ"})

# The content languages, Vietnamese (the language of the original reports)
# first. Changing this list changes the translated columns: run
# makemigrations/migrate afterwards.
CONTENT_LANGUAGES = env_list("NEWSROOM_LANGUAGES", "vi,en,hi,ja,zh-hans,ko,fr,ru,lo")
for _code in CONTENT_LANGUAGES:
    if _code not in locale.LANG_INFO:
        raise ImproperlyConfigured(f"NEWSROOM_LANGUAGES: unknown language code {_code!r}")

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "en" if "en" in CONTENT_LANGUAGES else CONTENT_LANGUAGES[0])
LANGUAGES = [(code, locale.LANG_INFO[code]["name"]) for code in CONTENT_LANGUAGES]
MODELTRANSLATION_DEFAULT_LANGUAGE = CONTENT_LANGUAGES[0]
MODELTRANSLATION_LANGUAGES = tuple(CONTENT_LANGUAGES)
# Readers see the original when a translation is missing: the views pick the
# language explicitly, so no automatic fallback is configured here.
MODELTRANSLATION_FALLBACK_LANGUAGES = ()
# modeltranslation's tabs need jQuery UI; it is served from here, never from a CDN.
JQUERY_UI_URL = "vendor/jquery-ui-1.13.3/jquery-ui.min.js"
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True

# Static and media -----------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed files from `collectstatic`, served by WhiteNoise with year-long immutable caching.
    # NEWSROOM_HASHED_STATIC=0 serves the source files as they are (the test suite, which never collects).
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("NEWSROOM_HASHED_STATIC", default=True)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

# The name the public site, its feeds and its structured data go by.
NEWSROOM_SITE_NAME = os.environ.get("NEWSROOM_SITE_NAME", "Newsroom")

# Import ---------------------------------------------------------------------
NEWSROOM_SEEDS_DIR = Path(os.environ.get("NEWSROOM_SEEDS_DIR", BASE_DIR / "seeds"))
# Raw files above this size are rejected unread (a scraped story is ~10 KB).
NEWSROOM_MAX_IMPORT_BYTES = env_int("NEWSROOM_MAX_IMPORT_BYTES", 5 * 1024 * 1024, minimum=1)

# Search ---------------------------------------------------------------------
# A search ranks the newest this many matching documents (newsroom/search.py). Fewer cost less when a word is
# in much of the site and leave its older stories out of the results (docs/performance.md: 500 took the first
# search of ``bac ninh`` from about 70 to 101 requests/s on PostgreSQL).
NEWSROOM_SEARCH_WINDOW = env_int("NEWSROOM_SEARCH_WINDOW", 1000, minimum=20)

# Cache ----------------------------------------------------------------------
# Redis when REDIS_URL is set (redis://127.0.0.1:6379/0), else this process's memory. Anonymous public
# pages are cached whole and invalidated on every change (newsroom/cache.py).
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": {
        "BACKEND": "newsroom.redis_cache.RedisCache",
        "LOCATION": REDIS_URL,
        # A call to a Redis that does not answer fails after a second instead of the system's TCP timeout (minutes);
        # pages are then built without the cache (newsroom/cache.py, ``cache_available``).
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "newsroom",
        # Django's default of 300 is fewer than the pages a day's readers cycle through: each new one evicted
        # the oldest, and the cache hit nothing. A page is 20-60 KB, so 2,000 cost a worker up to ~100 MB.
        "OPTIONS": {"MAX_ENTRIES": env_int("NEWSROOM_MEMORY_CACHE_ENTRIES", 2000, minimum=1)},
    }
}
CACHES["default"]["KEY_PREFIX"] = os.environ.get("CACHE_KEY_PREFIX", "newsroom")
# How long a public page is kept, in seconds; 0 turns the page cache off.
NEWSROOM_PAGE_CACHE_SECONDS = env_int("NEWSROOM_PAGE_CACHE_SECONDS", 600)
# Without Redis each process caches on its own; the file that tells them all that the site changed
# (default: in the temporary directory). Web workers and management commands must see the same file.
NEWSROOM_PAGE_CACHE_GENERATION_FILE = os.environ.get("NEWSROOM_PAGE_CACHE_GENERATION_FILE", "")
# How often, in seconds, each process looks in the database for invalidations that processes cut off from the
# shared cache could not make (newsroom/cache.py: one query); 0: never (only the process that owes one makes it).
NEWSROOM_PENDING_CHECK_SECONDS = env_int("NEWSROOM_PENDING_CHECK_SECONDS", 5)
if REDIS_URL:
    # Sessions read from Redis, written through to the database: no query per admin request, and a
    # flushed, restarted or unreachable Redis logs nobody out (newsroom/sessions.py).
    SESSION_ENGINE = "newsroom.sessions"

# Security -------------------------------------------------------------------
# With DEBUG off the site is served over HTTPS only: plain http is redirected, the session and CSRF
# cookies never travel over http, and HSTS tells browsers not to try http again. NEWSROOM_HTTPS=0
# turns all of that off where there is no TLS at all (the test suite's live server); `make run`
# (DEBUG=1) has it off by default.
NEWSROOM_HTTPS = env_bool("NEWSROOM_HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = NEWSROOM_HTTPS
SESSION_COOKIE_SECURE = NEWSROOM_HTTPS
CSRF_COOKIE_SECURE = NEWSROOM_HTTPS
# A year, as the HSTS preload list asks; a first rollout may start lower (SECURE_HSTS_SECONDS=3600).
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if NEWSROOM_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
# Preloading is a promise for the whole domain that takes months to undo, so it is the operator's
# decision; without it the deploy check's reminder (security.W021) is silenced.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD")
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# Behind a proxy that terminates TLS, requests arrive over http and only the proxy's X-Forwarded-Proto
# says whether the browser used https. Believed only when told: anyone reaching the app directly could
# send it. (gunicorn itself believes it from FORWARDED_ALLOW_IPS, see config/gunicorn.conf.py.) The
# login throttling then takes the browser's address from the proxy's X-Forwarded-For.
NEWSROOM_BEHIND_PROXY = env_bool("NEWSROOM_BEHIND_PROXY")
if NEWSROOM_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Origins (https://news.example) allowed to POST besides the request's own host, e.g. when the proxy
# rewrites Host.
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Outlets see that a reader came from this site, never which page or search brought them.
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"

# Login throttling (django-axes) -----------------------------------------------------------------------------
# Five failed logins for one username from one address lock that pair out for 15 minutes; then it unlocks by
# itself (axes' default locks forever). Keyed on the pair, so an attacker guessing an editor's password locks
# only themselves out, not the editor at the desk. Attempts while locked out are refused (the right password
# too) without restarting the 15 minutes; a successful login clears the failures. The records are in the
# database (shared by every instance); superusers see and clear them in the admin.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "newsroom.admin.throttling.client_ip"
AXES_USERNAME_CALLABLE = "newsroom.admin.throttling.client_username"

# Content-Security-Policy (django-csp 4 format). Every script and stylesheet is a file from this site,
# nothing inline (no nonces either: a cached page would repeat its nonce), so an injected <script> or
# on*= attribute never runs. JSON-LD blocks are data, which script-src does not cover.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
