"""django-helpdesk for the side-by-side benchmark: its own venv, project and database.

`install()` makes var/bench/helpdesk-venv with django-helpdesk pinned (its Django comes with
it); `project_write()` writes a minimal project to var/bench/helpdesk_project (not committed);
`tickets_load()` adds tickets with INSERT … SELECT generate_series, spread like the Redress
complaints (bench/loaders.py): queues for categories, assigned users for handlers, follow-ups
for messages, statuses open/reopened/resolved/closed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench.progress_bar import ProgressBar

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / "var" / "bench" / "helpdesk-venv"
PROJECT = ROOT / "var" / "bench" / "helpdesk_project"
PYTHON = VENV / "bin" / "python"
GUNICORN = VENV / "bin" / "gunicorn"
# django-helpdesk 2.6.1 supports Django 4.2-5.2; pip resolves Django 5.2 for it.
REQUIREMENTS = ["django-helpdesk==2.6.1", "psycopg[binary]>=3.2,<4", "gunicorn>=23,<24"]
QUEUES = 24
CHUNK = 50_000

SETTINGS = """
import os

BASE_DIR = os.path.dirname(os.path.abspath(__file__))
SECRET_KEY = "bench-helpdesk-secret-key-not-for-production-0123456789"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "rest_framework",
    "helpdesk",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "hdproject.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ["HELPDESK_DATABASE"],
        "USER": "postgres",
        "HOST": "127.0.0.1",
        "PORT": "5432",
        "CONN_MAX_AGE": 600,
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
SITE_ID = 1
STATIC_URL = "/static/"
STATIC_ROOT = os.path.join(BASE_DIR, "static")
MEDIA_ROOT = os.path.join(BASE_DIR, "media")
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/tickets/"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
USE_TZ = True
HELPDESK_TEAMS_MODE_ENABLED = False
HELPDESK_REDIRECT_TO_LOGIN_BY_DEFAULT = False
HELPDESK_PUBLIC_ENABLED = True
"""

URLS = """
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("helpdesk.urls", namespace="helpdesk")),
]
"""

WSGI = """
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hdproject.settings")
application = get_wsgi_application()
"""

MANAGE = """
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hdproject.settings")
from django.core.management import execute_from_command_line

execute_from_command_line(sys.argv)
"""

TICKETS = """
INSERT INTO helpdesk_ticket (
    title, queue_id, created, modified, submitter_email, assigned_to_id, status, on_hold,
    description, resolution, priority, due_date, last_escalation, secret_key
)
SELECT
    'Charged twice, month ' || (g %% 12 + 1), (%(queues)s::int[])[1 + (g %% %(queue_count)s)],
    r.received, r.received + interval '3 days', 'c' || g || '@example.com',
    CASE WHEN s.status <> 1 OR g %% 10 <> 0
         THEN (%(handlers)s::bigint[])[1 + (g %% %(handler_count)s)] END,
    s.status, false,
    'I was charged twice for my subscription in month ' || (g %% 12 + 1) || '.',
    CASE WHEN s.status IN (3, 4) THEN 'Refunded the second charge.' END,
    1 + (g %% 5), r.received + interval '21 days', NULL, md5(g::text)
FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g
-- The day of receipt steps through two years by g (557 is prime to 730), so every load has
-- the same spread of states, down to a few hundred rows; the time of day is random.
CROSS JOIN LATERAL (
    SELECT now() - ((g * 557) %% 730 + random()) * interval '1 day' AS received
) AS r
CROSS JOIN LATERAL (
    SELECT CASE WHEN r.received < now() - interval '60 days' THEN 4
                ELSE (ARRAY[1, 1, 1, 1, 1, 2, 1, 3, 4, 4])[1 + (g %% 10)]
           END AS status
) AS s
"""

FOLLOWUPS = """
INSERT INTO helpdesk_followup (
    ticket_id, date, title, comment, public, user_id, new_status, message_id, time_spent
)
SELECT t.id, t.created + k * interval '1 day', 'Follow-up ' || k,
       'Message ' || k || ' on ticket ' || t.id, k %% 3 <> 2, t.assigned_to_id,
       NULL, NULL, NULL
FROM helpdesk_ticket t
CROSS JOIN LATERAL generate_series(1, t.id %% 5) AS k
WHERE t.id > %(after)s AND t.assigned_to_id IS NOT NULL
"""


def install() -> None:
    if not PYTHON.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run(
        [str(PYTHON), "-m", "pip", "install", "--quiet", *REQUIREMENTS],
        check=True,
    )


def versions() -> str:
    return subprocess.run(
        [
            str(PYTHON),
            "-c",
            "import django, importlib.metadata as m;"
            "print('django-helpdesk', m.version('django-helpdesk'),"
            " 'on Django', django.__version__)",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def project_write() -> None:
    package = PROJECT / "hdproject"
    package.mkdir(parents=True, exist_ok=True)
    for path, text in {
        PROJECT / "manage.py": MANAGE,
        package / "__init__.py": "",
        package / "settings.py": SETTINGS,
        package / "urls.py": URLS,
        package / "wsgi.py": WSGI,
    }.items():
        path.write_text(text.lstrip())


def environment(database: str) -> dict[str, str]:
    return {
        "HELPDESK_DATABASE": database,
        "DJANGO_SETTINGS_MODULE": "hdproject.settings",
        "PYTHONPATH": str(PROJECT),
    }


def manage(database: str, *args: str) -> str:
    import os

    return subprocess.run(
        [str(PYTHON), "manage.py", *args],
        cwd=PROJECT,
        env=os.environ | environment(database),
        check=True,
        capture_output=True,
        text=True,
    ).stdout


SETUP = """
from django.contrib.auth import get_user_model
from helpdesk.models import Queue
users = get_user_model().objects
for n in range({handlers}):
    users.get_or_create(username=f"bench-handler-{{n}}", defaults={{"is_staff": True}})
if not users.filter(username="bench-supervisor").exists():
    users.create_superuser("bench-supervisor", "supervisor@helpdesk.example", "{password}")
for n in range({queues}):
    Queue.objects.get_or_create(
        slug=f"queue-{{n}}",
        defaults={{"title": f"Queue {{n}}", "allow_public_submission": True}},
    )
"""


def staff_load(database: str, *, handlers: int, password: str) -> None:
    manage(
        database,
        "shell",
        "-c",
        SETUP.format(handlers=handlers, password=password, queues=QUEUES),
    )


def tickets_load(connection, *, first: int, last: int) -> None:
    """Insert tickets `first`..`last` and their follow-ups over an autocommit psycopg
    `connection` (VACUUM needs one)."""
    queues = [row[0] for row in connection.execute("SELECT id FROM helpdesk_queue ORDER BY id")]
    handlers = [
        row[0]
        for row in connection.execute(
            "SELECT id FROM auth_user WHERE username LIKE 'bench-handler-%%' ORDER BY id"
        )
    ]
    bar, start = ProgressBar("helpdesk", "tickets", last - first + 1), first
    while first <= last:
        chunk_last = min(first + CHUNK - 1, last)
        with connection.transaction():
            (after,) = connection.execute(
                "SELECT coalesce(max(id), 0) FROM helpdesk_ticket"
            ).fetchone()
            connection.execute(
                TICKETS,
                {
                    "queues": queues,
                    "queue_count": len(queues),
                    "handlers": handlers,
                    "handler_count": len(handlers),
                    "first": first,
                    "last": chunk_last,
                },
            )
            connection.execute(FOLLOWUPS, {"after": after})
        bar.update(chunk_last - start + 1)
        first = chunk_last + 1
    # As the Redress loader does: what autovacuum would do after a bulk insert (bench/loaders.py).
    connection.execute("VACUUM ANALYZE")
