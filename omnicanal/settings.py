"""Every setting comes from the environment, with defaults that run the embedded demo.

`DATABASE_URL` (SQLite file in the data directory by default), `REDIS_URL` (channel layer and
cache when set), `SECRET_KEY` (generated once into the data directory when absent),
`ALLOWED_HOSTS`, `DEBUG`, `OMNICANAL_DATA_DIR`. A `NAME_FILE` variable can hold a secret's path.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def env(name: str, default: str = "") -> str:
    """A variable's value, or the content of the file named by NAME_FILE (for secrets)."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text().strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name, "")
    if not value:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name} must be a boolean (true/false), not {value!r}")


def env_int(name: str, default: int) -> int:
    value = env(name, "")
    return int(value) if value else default


DATA_DIR = Path(env("OMNICANAL_DATA_DIR", str(PROJECT_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """The configured key, or one generated once and kept in the data directory."""
    configured = env("SECRET_KEY")
    if configured:
        return configured
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = [h.strip() for h in env("ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in env("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # its own copy of Swagger UI for /api/v1/docs, instead of a CDN's
    "channels",
    "django_tasks",
    "django_tasks_db",
    "omnicanal.accounts",
    "omnicanal.contacts",
    "omnicanal.conversations",
    "omnicanal.connectors",
    "omnicanal.routing",
    "omnicanal.knowledge",
    "omnicanal.notifications",
    "omnicanal.assistant",
    "omnicanal.surveys",
    "omnicanal.analytics",
    "omnicanal.workforce",
    # No models: its templates and styles (the demo's sink pages, served only in the demo).
    "omnicanal.demo",
    "omnicanal.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "omnicanal.core.middleware.TextBoundaryMiddleware",
    "omnicanal.core.middleware.NotFoundMiddleware",
    "omnicanal.accounts.middleware.AgentLanguageMiddleware",
    "omnicanal.accounts.middleware.FirstRunMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "omnicanal.urls"
ASGI_APPLICATION = "omnicanal.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "omnicanal.web.context_processors.demo_mode",
            ],
        },
    },
]


def _databases() -> dict[str, Any]:
    url = env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'omnicanal.sqlite3'}")
    config: dict[str, Any] = dict(dj_database_url.parse(url))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers go on during a write; IMMEDIATE takes the write lock when the
        # transaction starts, so two writers queue (busy timeout) instead of failing with
        # "database is locked" on lock upgrade. Measured fastest embedded setting (ARCHITECTURE).
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
        # A file, not memory, so that a live server thread sees the test's data; one per
        # process, so that two test runs on one machine never share it.
        test_file = Path(tempfile.gettempdir()) / f"omnicanal-test-{os.getpid()}.sqlite3"
        config["TEST"] = {"NAME": str(test_file)}
    elif config["ENGINE"] == "django.db.backends.postgresql":
        # Under ASGI persistent connections are not reused across requests; psycopg's pool is
        # what keeps PostgreSQL from forking a backend per request (66 → ~112 msg/s measured).
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {"pool": {"min_size": 1, "max_size": env_int("DB_POOL_SIZE", 10)}}
        test_name = env("TEST_DATABASE_NAME")
        if test_name:
            config["TEST"] = {"NAME": test_name}
    return {"default": config}


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# Task path -> interval in seconds; enqueued by `omnicanal serve`'s scheduler or `omnicanal tick`.
PERIODIC_TASKS = {
    "omnicanal.routing.tasks.sweep_queue": 30,
    "omnicanal.conversations.tasks.wake_snoozed": 60,
    "omnicanal.conversations.tasks.dispatch_pending_events": 60,
    "omnicanal.routing.tasks.check_sla_clocks": 60,
    "omnicanal.connectors.tasks.sweep_stalled_sends": 60,
    "omnicanal.web.periodic.recover_abandoned": 300,
    # The reports' daily facts of the days events touched (analytics.daily).
    "omnicanal.analytics.daily.refresh_daily_facts": 60,
    # Triage's intent model, retrained on the team's labelled conversations (and trained at
    # the first start: a task never enqueued is due).
    "omnicanal.assistant.tasks.retrain_triage": env_int("TRIAGE_RETRAIN_SECONDS", 86400),
    # Surveys due N days after a resolution, and those a crash kept from going out on it.
    "omnicanal.surveys.tasks.send_due_surveys": 300,
}
# A task row still RUNNING after this long lost its worker (the database queue has no
# heartbeat): closed as failed and enqueued again. Far above any task's run time.
TASK_ABANDONED_AFTER_SECONDS = env_int("TASK_ABANDONED_AFTER_SECONDS", 900)
# The workspace sets an online agent away after this long without keyboard or mouse activity.
PRESENCE_AWAY_AFTER_SECONDS = env_int("PRESENCE_AWAY_AFTER_SECONDS", 600)

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:conversations"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "Europe/Paris")
USE_I18N = True
# Dates as the agent's language writes them: 24-hour clock in both, day before month in
# English (British style), and the short "3 Dec" of list rows.
FORMAT_MODULE_PATH = ["omnicanal.formats"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(DATA_DIR / "media")))

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
# "The form expired" in the workspace's style; 400/403/404/500 are the templates of those names.
CSRF_FAILURE_VIEW = "omnicanal.web.errors.csrf_failure"

# Product settings.
# A customer message to a resolved conversation reopens it within this many seconds,
# otherwise it opens a new conversation linked to the old one.
REOPEN_WINDOW_SECONDS = env_int("REOPEN_WINDOW_SECONDS", 7 * 24 * 3600)
# No survey to a contact who was sent one within this many days; a sent survey takes answers
# for this many days, after which a reply is an ordinary message again.
SURVEY_THROTTLE_DAYS = env_int("SURVEY_THROTTLE_DAYS", 30)
SURVEY_ANSWER_DAYS = env_int("SURVEY_ANSWER_DAYS", 7)
MESSAGE_TEXT_MAX_LENGTH = env_int("MESSAGE_TEXT_MAX_LENGTH", 65536)
# Phone numbers typed without a country code ("06 39 98 38 91") are read as this region's
# (ISO 3166 code): in searches and in identities agents add.
PHONE_DEFAULT_REGION = env("PHONE_DEFAULT_REGION", "FR").upper()
# The assistant (bot, copilot, triage) runs on this machine's CPU. A larger sentence-embedding
# model exported to ONNX may replace the bundled encoder (core/embeddings.py).
ASSISTANT_ENCODER_ONNX = env("ASSISTANT_ENCODER_ONNX", "")
# An OpenAI-compatible chat endpoint on the team's own network (Ollama, vLLM, llama.cpp's
# server), e.g. http://127.0.0.1:11434/v1: the bot and copilot phrase their answers with it.
# Empty: they answer with the best passage of the knowledge base, word for word.
ASSISTANT_LLM_URL = env("ASSISTANT_LLM_URL", "")
ASSISTANT_LLM_MODEL = env("ASSISTANT_LLM_MODEL", "")
ASSISTANT_LLM_API_KEY = env("ASSISTANT_LLM_API_KEY", "")
ASSISTANT_LLM_TIMEOUT_SECONDS = env_int("ASSISTANT_LLM_TIMEOUT_SECONDS", 30)
# What one e-mail may hold; a mail over a limit is stored with what fits and flagged
# (connectors/email/limits.py). Real mail nests a handful of levels and has tens of parts.
EMAIL_MAX_MIME_DEPTH = env_int("EMAIL_MAX_MIME_DEPTH", 20)
EMAIL_MAX_MIME_PARTS = env_int("EMAIL_MAX_MIME_PARTS", 500)
EMAIL_MAX_ATTACHMENTS = env_int("EMAIL_MAX_ATTACHMENTS", 100)
EMAIL_MAX_ATTACHMENTS_BYTES = env_int("EMAIL_MAX_ATTACHMENTS_BYTES", 50 * 1024 * 1024)
# Files an agent attaches to one reply, whatever the channel (each channel may take fewer or
# smaller ones: its adapter says so).
OUTGOING_ATTACHMENTS_MAX_COUNT = env_int("OUTGOING_ATTACHMENTS_MAX_COUNT", 10)
OUTGOING_ATTACHMENT_MAX_BYTES = env_int("OUTGOING_ATTACHMENT_MAX_BYTES", 25 * 1024 * 1024)
# Providers that take a file by URL (Twilio, WhatsApp Cloud, Messenger) and the web chat
# visitor fetch a reply's files from a signed link under this address (e.g.
# "https://help.example.com"); it works this long. Without PUBLIC_URL those channels
# refuse attachments, saying why: the provider could not reach the file.
PUBLIC_URL = env("PUBLIC_URL").rstrip("/")
OUTGOING_MEDIA_LINK_SECONDS = env_int("OUTGOING_MEDIA_LINK_SECONDS", 24 * 3600)
# A mail IMAP cannot ingest this many times is quarantined and the poll moves on.
IMAP_MAX_ATTEMPTS = env_int("IMAP_MAX_ATTEMPTS", 3)
SEND_MAX_ATTEMPTS = env_int("SEND_MAX_ATTEMPTS", 5)
SEND_RETRY_BASE_SECONDS = env_int("SEND_RETRY_BASE_SECONDS", 30)
OUTBOUND_HTTP_TIMEOUT_SECONDS = env_int("OUTBOUND_HTTP_TIMEOUT_SECONDS", 10)
# Knowledge import from a sitemap: pages on the server's own network (loopback, private
# ranges) are refused unless this allows them (an intranet FAQ; the tests' local server).
KNOWLEDGE_IMPORT_ALLOW_PRIVATE = env_bool("KNOWLEDGE_IMPORT_ALLOW_PRIVATE", False)
KNOWLEDGE_IMPORT_MAX_BYTES = env_int("KNOWLEDGE_IMPORT_MAX_BYTES", 5 * 1024 * 1024)
KNOWLEDGE_IMPORT_MAX_PAGES = env_int("KNOWLEDGE_IMPORT_MAX_PAGES", 500)
# A send task holds its message this long while it talks to the provider: longer than any
# provider call can take, since after it another task may take the send over.
SEND_CLAIM_SECONDS = env_int("SEND_CLAIM_SECONDS", 300)
# A pending reply that no task has started this long after it was due (its process died
# between commit and enqueue, or its worker mid-send) is enqueued again by the sweep.
SEND_STALLED_AFTER_SECONDS = env_int("SEND_STALLED_AFTER_SECONDS", 120)
# An event handler that raises is retried with back-off (the base, doubled each time, capped
# at an hour) up to this many runs in all, then kept as failed for an administrator to see.
OUTBOX_HANDLER_MAX_ATTEMPTS = env_int("OUTBOX_HANDLER_MAX_ATTEMPTS", 5)
OUTBOX_HANDLER_RETRY_BASE_SECONDS = env_int("OUTBOX_HANDLER_RETRY_BASE_SECONDS", 30)
# /health/ answers its counts to a request bearing this token (monitoring), or to a logged-in
# administrator; anyone else gets the status alone. Empty: no token accepted.
HEALTH_TOKEN = env("HEALTH_TOKEN")
# Events still unprocessed this long after they were written mean the dispatcher is not
# running: /health/ then answers 503.
HEALTH_EVENTS_STALE_AFTER_SECONDS = env_int("HEALTH_EVENTS_STALE_AFTER_SECONDS", 600)
# The demo accounts' password; generated into the data directory when empty.
DEMO_PASSWORD = env("DEMO_PASSWORD")
# Set by `omnicanal demo` for its server and worker: the local sinks that stand in for the
# outside world (/demo/…: an API webhook receiver, provider stand-ins, the outbox page) are
# served only then; 404 otherwise.
DEMO_SINKS = env_bool("DEMO_SINKS", False)

# System e-mail (invitations, password resets), sent by the task worker. Without EMAIL_HOST
# they are only written to the log (accounts/tasks.py), and Settings → Agents says so.
EMAIL_HOST = env("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Omnicanal <noreply@localhost>")
# An invitation link works this many days (and once); a password reset link this many
# seconds (Django's setting): a reset link left in a mailbox is a key to the account.
INVITATION_EXPIRY_DAYS = env_int("INVITATION_EXPIRY_DAYS", 7)
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 24 * 3600)


def _capacity(value: str) -> dict[str, int]:
    """Parse "chat=3,email=10" into {"chat": 3, "email": 10}."""
    capacity = {}
    for item in value.split(","):
        if item.strip():
            kind, _sep, slots = item.partition("=")
            capacity[kind.strip()] = int(slots)
    return capacity


# What an agent takes at once per kind of work until an administrator says otherwise, given
# when routing first sees them (a helpdesk where nothing is ever assigned is broken by
# default): 3 chats, since a live customer expects an answer within a minute and three
# conversations is what an agent can follow at that pace; 10 e-mails, answered in hours, so a
# queue of them is normal; 1 call. Format: "chat=3,email=10,voice=1".
ROUTING_DEFAULT_CAPACITY = _capacity(env("ROUTING_DEFAULT_CAPACITY", "chat=3,email=10,voice=1"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {
        # Two lines per task run: with the periodic tasks, eight every half minute.
        "tasks": {"()": "omnicanal.core.logging.QuietBelow", "logger": "django_tasks",
                  "level": env("TASKS_LOG_LEVEL", "WARNING")},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["tasks"]}
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django_tasks": {"level": env("TASKS_LOG_LEVEL", "WARNING")},
    },
}
