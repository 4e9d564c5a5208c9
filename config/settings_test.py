"""Settings for the test suite: fast hashing, in-memory mail, tasks that raise."""

import os

# Long enough for the production settings' own check, which the tests run under (DEBUG off).
os.environ.setdefault(
    "DJANGO_SECRET_KEY", "test-secret-key-not-for-production-0123456789-abcdefghijklmnop"
)

from config.settings import *  # noqa: E402,F403
from config.settings import DATABASE_CACHE, DATABASES  # noqa: E402

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
ALLOWED_HOSTS = ["*"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "database": DATABASE_CACHE,
}
CELERY_TASK_EAGER_PROPAGATES = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"} | DATABASES["default"].get("TEST", {})
# Tests serve static files through the finders; no collected directory is needed.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
