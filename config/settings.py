"""Redress settings, read from the environment (and an optional .env file) with django-environ.

Every variable is documented in .env.example. With none set, Redress runs on embedded defaults:
SQLite under var/, a filesystem Celery broker and emails written to var/mail/.
"""

import datetime as dt
from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured
from django.templatetags.static import static
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env(
    "DJANGO_SECRET_KEY",
    default="insecure-development-key-never-use-in-production" if DEBUG else environ.Env.NOTSET,
)
# A placeholder or weak key in production would let anyone forge sessions and signed links
# (Django's check --deploy only warns, and only when someone runs it): refuse to start instead.
WEAK_SECRET_KEYS = {"change-me", "changeme", "secret", "secret-key", "your-secret-key"}
if not DEBUG and (
    SECRET_KEY.lower() in WEAK_SECRET_KEYS
    or SECRET_KEY.startswith("django-insecure")
    or len(SECRET_KEY) < 50
    or len(set(SECRET_KEY)) < 5
):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is a placeholder or too weak for production: set at least 50 random "
        "characters, e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))'."
    )
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("REDRESS_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # The console's theme (its own app config leaves admin.site alone: Redress's site, which adds
    # two-factor sign-in to the theme's, is the default site: config.admin_app, config.staff).
    "unfold.apps.BasicAppConfig",
    "unfold.contrib.simple_history",
    "config.admin_app.RedressAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "simple_history",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "complaints",
    "escalations",
    "notifications",
    "inbound",
    "publicsite",
    "reports",
    "api",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.staff.StaffOTPMiddleware",
    "config.staff.IdleSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "publicsite.views.TrackingLinkGoneMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it answers a locked-out sign-in.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES: list[dict[str, Any]] = [
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

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'redress.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and immediate transactions let the web process, the worker and beat share one file
    # without "database is locked" errors on concurrent writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # The covering indexes' INCLUDE columns are PostgreSQL's; SQLite builds the same indexes
    # on their key columns alone, which is all the embedded setup needs.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if env("TEST_DATABASE_NAME", default=""):
    DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Staff sign-in (config/staff.py): failed sign-ins counted per account and per address by
# django-axes (the first backend), a second factor by django-otp, sessions that end when idle.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend with the user's and their groups' permissions in one query.
    "config.staff.StaffPermissionsBackend",
]
AXES_FAILURE_LIMIT = env.int("REDRESS_SIGNIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("REDRESS_SIGNIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "publicsite.throttle.client_address"
AXES_LOCKOUT_CALLABLE = "config.staff.locked_out"
AXES_VERBOSE = False
REDRESS_2FA_REQUIRED_FOR_HANDLERS = env.bool("REDRESS_2FA_REQUIRED_FOR_HANDLERS", default=not DEBUG)
OTP_TOTP_ISSUER = env("REDRESS_ORGANISATION_NAME", default="Redress")
# No admin page shows the secret of someone's authenticator: whoever saw it could make codes.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
SESSION_COOKIE_AGE = 60 * env.int("REDRESS_SESSION_IDLE_MINUTES", default=30)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = env("REDRESS_TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").is_dir() else []
# Attachments are private: stored outside any URL and served only through a view that checks
# the tracking token or the staff permission.
PRIVATE_MEDIA_ROOT = env.path("REDRESS_PRIVATE_MEDIA_ROOT", default=VAR_DIR / "private")
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {
        "BACKEND": "config.storage.StaticStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Email: files under var/mail/ unless EMAIL_URL (smtp://user:pass@host:587, +tls) is set.
EMAIL_FILE_PATH = VAR_DIR / "mail"
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
DEFAULT_FROM_EMAIL = env("REDRESS_FROM_EMAIL", default="Redress complaints <complaints@localhost>")
REDRESS_REPLY_TO_EMAIL = env("REDRESS_REPLY_TO_EMAIL", default="")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

# Celery: a broker that needs no server unless CELERY_BROKER_URL (redis://...) is set.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem:"):
    # The transport ignores the host; naming one spares kombu's "No hostname was supplied".
    CELERY_BROKER_URL = "filesystem://localhost/"
    # Every folder of the transport under var/, the control folder (its exchange tables)
    # included: kombu's default for each is a folder relative to the working directory.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(VAR_DIR / "broker"),
        "data_folder_out": str(VAR_DIR / "broker"),
        "processed_folder": str(VAR_DIR / "broker-processed"),
        "control_folder": str(VAR_DIR / "broker-control"),
        "store_processed": False,
    }
    for folder in ("broker", "broker-processed", "broker-control"):
        (VAR_DIR / folder).mkdir(parents=True, exist_ok=True)
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# notifications: publishing gives up after one quick retry rather than retrying until the
# connection timeout (counted on the wall clock); the outbox sweep resends.
CELERY_BROKER_TRANSPORT_OPTIONS |= {"max_retries": 1, "interval_start": 0.2}
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
# notifications: a web request never waits on a broker that is down; the outbox sweep resends.
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = "UTC"

# The database cache is always there (a migration creates its table): the rate limits fall back
# to it when the cache at CACHE_URL fails, and the forms' one-use stamps live in it, so a Redis
# outage never stops a complaint from being taken.
DATABASE_CACHE: dict[str, Any] = {
    "BACKEND": "django.core.cache.backends.db.DatabaseCache",
    "LOCATION": "redress_cache",
    # Culling beyond MAX_ENTRIES would forget spent stamps; expired rows are culled first anyway.
    "OPTIONS": {"MAX_ENTRIES": 10_000_000},
}
CACHES: dict[str, dict[str, Any]] = {"default": DATABASE_CACHE, "database": DATABASE_CACHE}
if env("CACHE_URL", default=""):
    url_cache: dict[str, Any] = dict(env.cache("CACHE_URL"))
    if str(url_cache["BACKEND"]).endswith("RedisCache"):
        # A Redis that hangs must not hang the web request: fail fast and fall back.
        url_cache["OPTIONS"] = {"socket_connect_timeout": 1, "socket_timeout": 1} | dict(
            url_cache.get("OPTIONS", {})
        )
    CACHES["default"] = url_cache

# Security: secure by default when DEBUG is off; `manage.py check --deploy` passes without warnings.
# Behind a TLS-terminating proxy that sets it (and strips it from clients), the header that says
# the request came over HTTPS, e.g. HTTP_X_FORWARDED_PROTO. Off by default: trusted blindly, a
# client could send it itself and skip the HTTPS redirect.
SECURE_PROXY_SSL_HEADER = (
    (env("DJANGO_SECURE_PROXY_SSL_HEADER"), "https")
    if env("DJANGO_SECURE_PROXY_SSL_HEADER", default="")
    else None
)
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("DJANGO_CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    # WeasyPrint (letters) logs each step of every PDF at INFO.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
}

# Reverting a complaint from its history would bypass the state machine.
SIMPLE_HISTORY_REVERT_DISABLED = True

# Redress itself.
REDRESS_ORGANISATION_NAME = env("REDRESS_ORGANISATION_NAME", default="Redress demo organisation")
REDRESS_DEFAULT_CURRENCY = env("REDRESS_DEFAULT_CURRENCY", default="EUR")
REDRESS_AUTO_ASSIGN = env.bool("REDRESS_AUTO_ASSIGN", default=True)

# The public site: security headers, upload limits, rate limits and the submission form.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "config.console.ConsoleCSPMiddleware",
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
REDRESS_UPLOAD_MAX_FILE_BYTES = env.int("REDRESS_UPLOAD_MAX_FILE_BYTES", default=10 * 1024 * 1024)
REDRESS_UPLOAD_MAX_CASE_BYTES = env.int("REDRESS_UPLOAD_MAX_CASE_BYTES", default=25 * 1024 * 1024)
REDRESS_UPLOAD_MAX_FILES = env.int("REDRESS_UPLOAD_MAX_FILES", default=10)
# A person needs a few seconds to fill in the form; a bot posting at once is refused.
REDRESS_FORM_MIN_SECONDS = env.float("REDRESS_FORM_MIN_SECONDS", default=3.0)
REDRESS_FORM_MAX_AGE_SECONDS = env.int("REDRESS_FORM_MAX_AGE_SECONDS", default=24 * 3600)
# Requests per client address per window, on the cache (database cache or Redis via CACHE_URL).
REDRESS_RATE_WINDOW_SECONDS = env.int("REDRESS_RATE_WINDOW_SECONDS", default=3600)
REDRESS_RATE_LIMITS = {
    "submit": env.int("REDRESS_RATE_LIMIT_SUBMIT", default=10),
    "lookup": env.int("REDRESS_RATE_LIMIT_LOOKUP", default=10),
    "case_action": env.int("REDRESS_RATE_LIMIT_CASE_ACTION", default=60),
}
# Behind a proxy, the request header holding the client's address (e.g. HTTP_X_REAL_IP).
REDRESS_CLIENT_IP_HEADER = env("REDRESS_CLIENT_IP_HEADER", default="")
# Which optional fields the web form shows: "required", "optional" or "hidden".
# Name, email and description are always asked for.
REDRESS_FORM_FIELDS = {
    "complainant_phone": "optional",
    "account_identifier": "optional",
    "category": "required",
    "product_or_service": "optional",
    "incident_at": "optional",
    "earlier_contact": "optional",
    "desired_outcome": "optional",
    "files": "optional",
}
TEMPLATES[0]["OPTIONS"]["context_processors"] += ["complaints.context_processors.organisation"]
# Notifications (the outbox): a transient failure retries with capped exponential backoff while
# the promise is open (and for some days after the case closed); staff are alerted once after
# some attempts; only a permanent rejection (5xx for the recipient, a bounce) is final.
REDRESS_NOTIFICATION_RETRY_SECONDS = env.int("REDRESS_NOTIFICATION_RETRY_SECONDS", default=60)
REDRESS_NOTIFICATION_RETRY_MAX_SECONDS = env.int(
    "REDRESS_NOTIFICATION_RETRY_MAX_SECONDS", default=3600
)
REDRESS_NOTIFICATION_ALERT_ATTEMPTS = env.int(
    "REDRESS_NOTIFICATION_ALERT_ATTEMPTS",
    default=env.int("REDRESS_NOTIFICATION_MAX_ATTEMPTS", default=6),
)
REDRESS_NOTIFICATION_CLOSED_RETRY_DAYS = env.int(
    "REDRESS_NOTIFICATION_CLOSED_RETRY_DAYS", default=14
)
REDRESS_NOTIFICATION_SENDING_TIMEOUT = env.int("REDRESS_NOTIFICATION_SENDING_TIMEOUT", default=600)
# A message or an acknowledgement the web request queued gets this long to be done by its own
# task before the periodic sweep does it instead.
REDRESS_SWEEP_GRACE_SECONDS = env.int("REDRESS_SWEEP_GRACE_SECONDS", default=60)
REDRESS_SURVEY_DELAY_HOURS = env.int("REDRESS_SURVEY_DELAY_HOURS", default=24)
# Inbound email: the IMAP mailbox polled for complaints and replies (imap://user:pass@host:143/INBOX,
# imaps:// for TLS; off when empty), and the basic-auth secret ("user:password") an email provider
# posts inbound mail with to /inbound/<esp>/ (off when empty).
REDRESS_IMAP_URL = env("REDRESS_IMAP_URL", default="")
ANYMAIL = {"WEBHOOK_SECRET": env("REDRESS_INBOUND_WEBHOOK_SECRET", default="")}
# How many worker processes read the mailbox at once, each its own share of the messages.
REDRESS_INBOUND_POLLERS = max(1, env.int("REDRESS_INBOUND_POLLERS", default=1))

# Inbound mail that belongs to no case (auto-replies, unmatched bounces, unreadable or discarded
# mail) is blanked after this many days.
REDRESS_INBOUND_UNLINKED_RETENTION_DAYS = env.int(
    "REDRESS_INBOUND_UNLINKED_RETENTION_DAYS", default=90
)

# Only staff sign in; the theme's sign-in form sends no "next", so say where they land.
LOGIN_REDIRECT_URL = "admin:index"

# The staff console: django-unfold's theme with a sidebar by task (config/console.py).
UNFOLD = {
    "SITE_TITLE": "Redress",
    "SITE_HEADER": "Redress",
    "SITE_SUBHEADER": _("Complaints desk"),
    "SITE_SYMBOL": "support_agent",
    "SITE_URL": "/",
    "SITE_FAVICONS": [
        {
            "rel": "icon",
            "type": "image/svg+xml",
            "href": lambda request: static("redress/favicon.svg"),
        },
    ],
    "SHOW_HISTORY": True,
    "SHOW_VIEW_ON_SITE": False,
    "STYLES": [
        lambda request: static("redress/console-colors.css"),
        lambda request: static("redress/admin.css"),
    ],
    "GLOBAL_CALLBACK": "config.console.console_context",
    # The account menu: setting up or changing the second factor (config/staff.py).
    "ACCOUNT": {
        "navigation": [
            {"title": _("Two-factor sign-in"), "link": reverse_lazy("admin:two_factor")},
        ],
    },
    "SIDEBAR": {
        "show_search": False,
        "show_all_applications": False,
        "navigation": "config.console.navigation",
    },
}

# The API for the organisation's own apps (/api/v1/) and its OpenAPI schema (/api/schema/).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ClientRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.problems.problem_exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Redress API",
    "DESCRIPTION": (
        "Submit and follow complaints for the organisation's signed-in customers, from its own "
        "app or dashboard. Authenticate with `Authorization: Bearer <key>`; errors are RFC 9457 "
        "problem details. Webhooks are signed per the Standard Webhooks scheme."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}
# API clients' rate limits fail open when the cache fails; webhooks are retried with backoff.
REDRESS_WEBHOOK_TIMEOUT_SECONDS = env.float("REDRESS_WEBHOOK_TIMEOUT_SECONDS", default=10.0)
REDRESS_WEBHOOK_RETRY_SECONDS = env.int("REDRESS_WEBHOOK_RETRY_SECONDS", default=30)
REDRESS_WEBHOOK_RETRY_MAX_SECONDS = env.int("REDRESS_WEBHOOK_RETRY_MAX_SECONDS", default=3600)
REDRESS_WEBHOOK_MAX_ATTEMPTS = env.int("REDRESS_WEBHOOK_MAX_ATTEMPTS", default=50)
REDRESS_EMBED_MAX_AGE_SECONDS = env.int("REDRESS_EMBED_MAX_AGE_SECONDS", default=3600)
# A retry with the same Idempotency-Key returns the first complaint for this many days.
REDRESS_IDEMPOTENCY_KEY_DAYS = env.int("REDRESS_IDEMPOTENCY_KEY_DAYS", default=7)
