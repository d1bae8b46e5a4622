"""Newsroom settings: one module, driven by environment variables.

Development needs nothing set (SQLite in the checkout, DEBUG on through the
Makefile). Production sets at least DEBUG=0, SECRET_KEY, ALLOWED_HOSTS and
usually DATABASE_URL; see the README.
"""

import os
from pathlib import Path

import dj_database_url
from django.conf import locale
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (set DEBUG=1 for local development).")
    SECRET_KEY = "django-insecure-development-only-key"  # noqa: S105 - only with DEBUG on

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
    "newsroom",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files before anything else touches the request: hashed names, compressed, cached for a year.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
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
                "newsroom.context_processors.site",
            ],
        },
    },
]

# SQLite in the checkout is the embedded default; DATABASE_URL switches to
# PostgreSQL (postgres://user@host:5432/name).
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
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
NEWSROOM_MAX_IMPORT_BYTES = int(os.environ.get("NEWSROOM_MAX_IMPORT_BYTES", 5 * 1024 * 1024))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
