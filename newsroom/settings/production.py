"""Production settings: ``DJANGO_SETTINGS_MODULE=newsroom.settings.production``.

The base settings, hardened for a site served over HTTPS behind a reverse
proxy (which terminates TLS and sets X-Forwarded-Proto). Refuses to start
without its secrets rather than fall back to development defaults.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool, env_list

_missing = [
    name for name in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL") if not os.environ.get(name)
]
if _missing:
    raise ImproperlyConfigured(
        f"newsroom.settings.production needs {', '.join(_missing)} in the environment "
        "(see the README's Production section)."
    )

DEBUG = False
SECRET_KEY = os.environ["SECRET_KEY"]
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
# Origins allowed to POST forms (the admin) when not the same as the host,
# e.g. "https://newsroom.example.org".
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Demo accounts have printed passwords: never on a production site.
NEWSROOM_DEMO_ACCOUNTS = False

# HTTPS only. The proxy in front tells us the original scheme; it must
# overwrite any X-Forwarded-Proto a client sends.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# One year of HSTS, subdomains included. Preload only asks browsers' lists to
# take us in once submitted; set SECURE_HSTS_PRELOAD=false for a site whose
# subdomains cannot all do HTTPS yet.
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31_536_000))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Hashed, compressed static files served by whitenoise: a new deploy changes
# the names, so browsers and CDNs may cache them forever. `make serve` runs
# collectstatic first.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", STATIC_ROOT))  # noqa: F405
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Errors go to the process's stderr, where gunicorn and the service manager
# collect them.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
