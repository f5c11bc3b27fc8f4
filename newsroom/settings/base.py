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
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def object_storage(bucket):
    """The uploads' and the renditions' storages in an S3-compatible bucket.

    Access keys are not settings: boto3 reads AWS_ACCESS_KEY_ID and
    AWS_SECRET_ACCESS_KEY (or a role) from the environment itself.
    """
    common = {
        "bucket_name": bucket,
        "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
        "location": os.environ.get("AWS_LOCATION", "").strip("/"),
        "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
        # botocore signs links the old way (SigV2) otherwise, which newer AWS
        # regions and several S3-compatible stores refuse.
        "signature_version": "s3v4",
    }
    backend = "articles.pictures.objectstorage.S3MediaStorage"
    # Public URLs, like /media/ on one box; signed ones expire, so they suit a
    # private bucket but not a syndicated ninjs link. A CDN's domain serves
    # public URLs only.
    signed = env_bool("AWS_QUERYSTRING_AUTH", default=False)
    return {
        "default": {
            "BACKEND": backend,
            "OPTIONS": {
                **common,
                "custom_domain": None if signed else common["custom_domain"],
                "querystring_auth": signed,
                "querystring_expire": int(os.environ.get("AWS_QUERYSTRING_EXPIRE", "3600")),
                "file_overwrite": False,
            },
        },
        "renditions": {
            "BACKEND": backend,
            "OPTIONS": {
                **common,
                # Always public: cached pages link them, and a signature would
                # expire while the page is still served.
                "querystring_auth": False,
                "file_overwrite": True,
                # A rendition's name stands for its pixels (an HMAC of the
                # upload's name): browsers and a CDN may keep it for a year.
                "object_parameters": {"CacheControl": "public, max-age=31536000"},
            },
        },
    }


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
    # The tasks API (a backport of Django 6's django.tasks) and its database queue.
    # The queue's table exists whichever backend runs, so switching needs no migration.
    "django_tasks",
    "django_tasks_db",
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
    # Above the session middleware: drops its Vary: Cookie from the pages every
    # anonymous reader shares, and marks what is not one of them private.
    "articles.pagecache.middleware.SharedCacheMiddleware",
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
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}
    DATABASES["default"]["CONN_MAX_AGE"] = 0

# A read replica of the primary (PostgreSQL streaming replication, say):
# readers' pages read it, staff, the admin, every write and all work outside a
# request read the primary (newsroom/routers.py). Unset: one database.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "").strip()
# How long the replica may lag behind the primary: a session that wrote reads
# the primary this long, and a page changed within it is rendered from the primary.
DATABASE_REPLICA_PIN_SECONDS = float(os.environ.get("DATABASE_REPLICA_PIN_SECONDS", "30"))
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=60, conn_health_checks=True
    )
    if DATABASES["replica"]["ENGINE"] != DATABASES["default"]["ENGINE"]:
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URL must name a replica of DATABASE_URL's database, on the "
            "same kind of server."
        )
    DATABASE_ROUTERS = ["newsroom.routers.PrimaryReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
        "newsroom.routers.ReplicaReadsMiddleware",
    )

for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.postgresql":
        # A server that does not answer at all (not merely refusing) fails in
        # seconds rather than the system's TCP timeout of minutes.
        _database.setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)


def caches_from_url(url):
    """``CACHES`` for ``CACHE_URL``: ``locmem://`` (the default: one cache per
    process), ``redis://host:6379/0`` or ``rediss://…`` (shared by every
    worker and machine), or ``dummy://`` (no page cache: every page is
    rendered; an edge cache in front still gets its headers). Anything else
    stops the site from starting rather than silently meaning local memory."""
    scheme = url.partition("://")[0].lower() if "://" in url else ""
    if scheme in ("redis", "rediss"):
        return {
            "default": {
                # Django's Redis cache, failing open: a cache that does not answer
                # within the timeouts below is a miss (newsroom/cache.py).
                "BACKEND": "newsroom.cache.FailOpenRedisCache",
                "LOCATION": url,
                "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "newsroom"),
                # Seconds. Redis on the local network answers in well under 1 ms.
                "OPTIONS": {"socket_connect_timeout": 0.1, "socket_timeout": 0.1},
            }
        }
    if scheme == "locmem":
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                # The page cache (articles/pagecache/) keeps a small stamp per
                # object a page shows, some fifty for a list: Django's default of
                # 300 entries would hold a handful of pages. Production: Redis.
                "OPTIONS": {"MAX_ENTRIES": 20_000},
            }
        }
    if scheme == "dummy":
        return {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    raise ImproperlyConfigured(
        f"CACHE_URL={url!r} is not a cache this site knows: use redis://host:6379/0 "
        "(or rediss://), locmem:// or dummy:// (no page cache)."
    )


CACHE_URL = os.environ.get("CACHE_URL") or "locmem://"
CACHES = caches_from_url(CACHE_URL)

# The edge cache in front of the site (articles/edge/, README: Production):
# where purges go (none://, varnish://host:port[,host:port], fastly://SERVICE_ID
# or cloudflare://ZONE_ID), the provider's API token, and how many seconds the
# edge may keep a page between purges. ``manage.py check`` reports a bad value.
NEWSROOM_EDGE = {
    "PURGE_URL": os.environ.get("EDGE_PURGE_URL") or "none://",
    "TOKEN": os.environ.get("EDGE_PURGE_TOKEN", ""),
    "TTL": os.environ.get("EDGE_TTL", ""),
}

# Work that follows a write (search re-indexing, renditions: articles/tasks.py).
# With no worker configured it runs as it is enqueued, in the same process, so
# `make run` stays one command; TASKS_BACKEND=database puts it on a queue in the
# database that `manage.py db_worker` works through.
TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "immediate").strip().lower()
if TASKS_BACKEND not in TASK_BACKENDS:
    # A typo must not quietly run everything inline on a site that has a worker.
    raise ImproperlyConfigured(
        f"TASKS_BACKEND={TASKS_BACKEND!r}: use one of {', '.join(TASK_BACKENDS)}."
    )
TASKS = {"default": {"BACKEND": TASK_BACKENDS[TASKS_BACKEND]}}

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
# The few words around a story (By, Translated by, Updated…) in each story's
# language: locale/<code>/LC_MESSAGES, compiled with `make messages`.
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

# Media files appear whole or not at all, on the local disk (by rename,
# articles/pictures/storage.py) or in an S3-compatible object store (one PUT,
# articles/pictures/objectstorage.py), where web nodes share no disk. The two
# storages share one place (MEDIA_ROOT, or one bucket and AWS_LOCATION):
# check_media and backup list it through either. Renditions are remade under
# their own names when one is broken: they overwrite.
MEDIA_STORAGE = os.environ.get("MEDIA_STORAGE", "local")
if MEDIA_STORAGE == "local":
    media_storages = {
        "default": {"BACKEND": "articles.pictures.storage.AtomicFileSystemStorage"},
        "renditions": {
            "BACKEND": "articles.pictures.storage.AtomicFileSystemStorage",
            "OPTIONS": {"allow_overwrite": True},
        },
    }
elif MEDIA_STORAGE == "s3":
    if not os.environ.get("AWS_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
    media_storages = object_storage(os.environ["AWS_STORAGE_BUCKET_NAME"])
else:
    raise ImproperlyConfigured(
        f"MEDIA_STORAGE={MEDIA_STORAGE!r}: use 'local' (MEDIA_ROOT) or 's3' (README, Production)."
    )
STORAGES = {
    **media_storages,
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
# The languages the site publishes in (BCP 47 codes, comma-separated), the
# site's own language first; names come from Django's list of languages
# (articles/languages.py). Each story is in one of them.
NEWSROOM_LANGUAGES = [
    code.strip()
    for code in os.environ.get("NEWSROOM_LANGUAGES", f"{NEWSROOM_LANGUAGE},ar").split(",")
    if code.strip()
]
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
