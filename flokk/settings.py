"""Flokk settings: one module, driven by environment variables with safe local defaults.

Local (default): DEBUG on, SQLite under var/, console e-mail.
Production (DJANGO_ENV=production): refuses to start without DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS,
and turns on secure cookies, HSTS and SSL redirect.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("FLOKK_VAR_DIR", PROJECT_DIR / "var"))

ENVIRONMENT = os.environ.get("DJANGO_ENV", "local").lower()
PRODUCTION = ENVIRONMENT == "production"


def env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


if PRODUCTION:
    SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("DJANGO_ENV=production needs DJANGO_SECRET_KEY (at least 50 characters).")
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DJANGO_ENV=production needs DJANGO_ALLOWED_HOSTS (comma-separated).")
    # Network credentials are encrypted with these keys (channels/vault.py); never derived in production.
    FLOKK_VAULT_KEYS = os.environ.get("FLOKK_VAULT_KEYS", "")
    if not FLOKK_VAULT_KEYS.strip():
        raise ImproperlyConfigured(
            "DJANGO_ENV=production needs FLOKK_VAULT_KEYS (comma-separated Fernet keys; create one with "
            "`flokk vault_key`)."
        )
    DEBUG = False
else:
    # A fixed development key: local data only, never used when DJANGO_ENV=production.
    SECRET_KEY = os.environ.get(
        "DJANGO_SECRET_KEY", "flokk-local-development-key-not-for-production-use-0123456789"
    )
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS") or ["127.0.0.1", "localhost", "[::1]", "testserver"]
    DEBUG = env_bool("DJANGO_DEBUG", True)
    FLOKK_VAULT_KEYS = os.environ.get("FLOKK_VAULT_KEYS", "")  # empty: a key derived from SECRET_KEY

CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks_db",
    "flokk.core",
    "flokk.teams",
    "flokk.strategy",
    "flokk.channels",
    "flokk.content",
    "flokk.publishing",
    "flokk.inbox",
    "flokk.analytics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "flokk.teams.middleware.UserLanguageMiddleware",
    "flokk.teams.middleware.TwoFactorMiddleware",
    "flokk.teams.middleware.UserTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "flokk.urls"
WSGI_APPLICATION = "flokk.wsgi.application"
ASGI_APPLICATION = "flokk.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "flokk.teams.context_processors.organizations",
            ],
        },
    },
]

# SQLite serves a web server and workers at once: WAL, write transactions that take the lock up front (so
# two writers queue instead of failing), and a generous wait. Applied to a sqlite:// DATABASE_URL too.
SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    "timeout": 20,
    "transaction_mode": "IMMEDIATE",
}
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "flokk.sqlite3"),
            "OPTIONS": SQLITE_OPTIONS,
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "teams.User"
LOGIN_URL = "teams:login"
LOGIN_REDIRECT_URL = "teams:home"
LOGOUT_REDIRECT_URL = "teams:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages: English, Swedish, Danish, Norwegian Bokmål. The browser's Accept-Language is the default;
# a signed-in user's own choice wins.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("sv", _("Swedish")), ("da", _("Danish")), ("nb", _("Norwegian Bokmål"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_ORGANIZATION_TIME_ZONE = "Europe/Stockholm"

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", PROJECT_DIR / "static_root"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded assets. Never served publicly: `content:asset_file` checks the reader's permission first.
MEDIA_ROOT = Path(os.environ.get("FLOKK_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Publishing: how often an idle worker looks for due posts, and how long a worker may hold a delivery
# before another one takes it over (reconciling with the network first). Keep the lease well above the
# connectors' 30 s call timeout.
# The LinkedIn API version (YYYYMM) sent when an organization's LinkedIn app does not set its own;
# LinkedIn retires versions after about a year.
FLOKK_LINKEDIN_VERSION = os.environ.get("FLOKK_LINKEDIN_VERSION", "202510")
FLOKK_PUBLISH_POLL_SECONDS = float(os.environ.get("FLOKK_PUBLISH_POLL_SECONDS", "1"))
FLOKK_PUBLISH_LEASE_SECONDS = float(os.environ.get("FLOKK_PUBLISH_LEASE_SECONDS", "120"))
# Deliveries a worker takes per round (their network calls run concurrently).
FLOKK_PUBLISH_BATCH_SIZE = int(os.environ.get("FLOKK_PUBLISH_BATCH_SIZE", "1000"))
# The inbox: how often each account's comments, mentions and messages are fetched (webhooks come at once),
# and how long a worker may hold an account's poll or an answer being sent before another worker takes over.
FLOKK_INBOX_POLL_SECONDS = float(os.environ.get("FLOKK_INBOX_POLL_SECONDS", "30"))
FLOKK_INBOX_LEASE_SECONDS = float(os.environ.get("FLOKK_INBOX_LEASE_SECONDS", "120"))

# E-mail: printed to the console locally; SMTP (EMAIL_HOST, default localhost) in production or when set.
if PRODUCTION or os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ.get("EMAIL_HOST", "localhost"),
                "port": int(os.environ.get("EMAIL_PORT", "587")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": os.environ.get(
                "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
            )
        }
    }
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Flokk <flokk@localhost>")
# The address people reach Flokk at: links in e-mails, calendar feeds and the OAuth callback are built on it.
FLOKK_BASE_URL = os.environ.get("FLOKK_BASE_URL", "http://127.0.0.1:8000")

# Sign-in throttling: at most this many failed attempts per e-mail address, and per IP address, in the window.
LOGIN_FAILURE_LIMIT = int(os.environ.get("FLOKK_LOGIN_FAILURE_LIMIT", "5"))
LOGIN_FAILURE_LIMIT_PER_IP = int(os.environ.get("FLOKK_LOGIN_FAILURE_LIMIT_PER_IP", "30"))
LOGIN_FAILURE_WINDOW_SECONDS = int(os.environ.get("FLOKK_LOGIN_FAILURE_WINDOW", "900"))
INVITATION_VALID_DAYS = 14

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# The demo organization (`flokk demo`) is refused in production.
# Analytics' public endpoints, per client address: landing-page events a minute (more answer 429), and
# clicks on one short link an hour that count (more still redirect, uncounted).
FLOKK_CONVERSIONS_PER_MINUTE = int(os.environ.get("FLOKK_CONVERSIONS_PER_MINUTE", "60"))
FLOKK_COUNTED_CLICKS_PER_HOUR = int(os.environ.get("FLOKK_COUNTED_CLICKS_PER_HOUR", "20"))

DEMO_PASSWORD = os.environ.get("FLOKK_DEMO_PASSWORD", "flokk-demo-2026")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("FLOKK_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # httpx logs every request URL at INFO; some networks put tokens in URLs. Connectors log what matters.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}
