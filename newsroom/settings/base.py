"""
Settings shared by every environment, read from the environment.

With no environment at all this serves development: DEBUG on, an SQLite file
in the project folder, media beside it. Production settings
(``newsroom.settings.production``) build on this module and refuse to start
without their secrets.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=True)
# Development only: production.py replaces this with a required secret.
SECRET_KEY = os.environ.get("SECRET_KEY", "dev-insecure-newsroom-key-do-not-use-in-production")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "taggit",
    "django_prose_editor",
    "reversion",
    "csp",
    "axes",
    "articles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy (newsroom/security.py): early, so every response,
    # cached or not, leaves with the header matching its nonce.
    "newsroom.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A read whose database connection dropped runs once more; what still
    # cannot reach the database gets the 503 page (newsroom/outages.py).
    "newsroom.outages.DatabaseOutageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Login throttling: turns axes' "locked out" flag into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "articles.context_processors.site",
            ],
        },
    },
]

# SQLite by default. WAL lets readers carry on while an editor saves; the busy
# timeout and IMMEDIATE transactions make concurrent writers queue instead of
# failing with "database is locked".
SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}
# Persistent connections, checked before each request reuses one: a database
# restart then costs a reconnect, not an error (newsroom/outages.py retries
# the reads that still meet a dropped connection).
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'newsroom.sqlite3'}",
        conn_max_age=60,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A server that does not answer at all (not merely refusing) fails in
    # seconds rather than the system's TCP timeout of minutes.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}
    DATABASES["default"]["CONN_MAX_AGE"] = 0

# Local memory by default; CACHE_URL=redis://host:6379/0 shares one cache
# between gunicorn workers and machines.
CACHE_URL = os.environ.get("CACHE_URL", "locmem://")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            # Django's Redis cache, failing open: a cache that does not answer
            # within the timeouts below is a miss (newsroom/cache.py).
            "BACKEND": "newsroom.cache.FailOpenRedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "newsroom"),
            # Seconds. Redis on the local network answers in well under 1 ms.
            "OPTIONS": {"socket_connect_timeout": 0.1, "socket_timeout": 0.1},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            # The page cache (articles/pagecache/) keeps a small stamp per
            # object a page shows, some fifty for a list: Django's default of
            # 300 entries would hold a handful of pages. Production: Redis.
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

# Media files appear whole, by rename, or not at all (articles/pictures/storage.py).
# Renditions are remade under their own names when one is broken: they overwrite.
STORAGES = {
    "default": {"BACKEND": "articles.pictures.storage.AtomicFileSystemStorage"},
    "renditions": {
        "BACKEND": "articles.pictures.storage.AtomicFileSystemStorage",
        "OPTIONS": {"allow_overwrite": True},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Request bodies. An uploaded file over 1 MB streams to a temporary file, not
# memory, and the picture form refuses one over 15 MB by that counted size
# before reading it. The form's other fields together may take 2.5 MB (a long
# story's body is a few hundred kB). The proxy in front caps the whole body at
# 16 MB (README, "Production").
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Readers and editors type "Ukraine" and "ukraine": they mean one tag.
TAGGIT_CASE_INSENSITIVE = True
# Controlled vocabulary: in the article admin form only tag managers may add new
# tags; everyone else picks existing ones. Command-line imports are trusted and
# may create tags regardless.
NEWSROOM_CONTROLLED_TAGS = env_bool("NEWSROOM_CONTROLLED_TAGS", default=True)

# The publication as search engines and feed readers name it.
NEWSROOM_SITE_NAME = os.environ.get("NEWSROOM_SITE_NAME", "The Newsroom")
NEWSROOM_LANGUAGE = os.environ.get("NEWSROOM_LANGUAGE", "en")
NEWSROOM_ARTICLES_PER_PAGE = 20

# `load_demo --accounts` makes one staff account per role with a printed
# password: for a development site only (production.py turns it off).
NEWSROOM_DEMO_ACCOUNTS = True

LOGIN_URL = "admin:login"

# The admin's address. Moving it off /admin/ does not replace login throttling,
# but it keeps the noise of scripted login attempts off the real form.
NEWSROOM_ADMIN_URL = os.environ.get("NEWSROOM_ADMIN_URL", "admin/").strip("/") + "/"

# Login throttling (django-axes): 5 failed logins for one username from one
# address lock that pair out for 15 minutes; a colleague on the same office
# network, or the same user from home, can still log in.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "newsroom.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "newsroom.security.client_ip"
# How many proxies in front of the site append to X-Forwarded-For (0: none,
# REMOTE_ADDR is the reader). Only that many entries from the right are trusted.
NEWSROOM_TRUSTED_PROXIES = int(os.environ.get("NEWSROOM_TRUSTED_PROXIES", "0"))

# Content-Security-Policy (django-csp). Scripts and styles come from our own
# origin or carry the per-response nonce ({{ request.csp_nonce }}); nothing
# inline runs, so HTML that slips past the sanitiser still cannot execute.
# The admin's relaxation is in newsroom/security.py.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
