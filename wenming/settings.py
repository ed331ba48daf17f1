"""Wenming settings: one file, read from environment variables through typed helpers.

Every helper fails loudly on a malformed value, and every secret may also be given as a
file (`WENMING_SECRET_KEY_FILE=/run/secrets/key`) so that it never sits in the environment.
"""

import base64
import hashlib
import hmac
import os
import secrets
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name, default=""):
    file_name = os.environ.get(name + "_FILE")
    if file_name:
        return Path(file_name).read_text().strip()
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = env_str(name, "1" if default else "0").strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean, got {value!r}")


def env_int(name, default):
    value = env_str(name, str(default)).strip()
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from None


def env_list(name, default=""):
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def database_from_url(url, data_dir):
    """Parse DATABASE_URL: postgres://user:pass@host:port/name or sqlite:///path."""
    if not url:
        return sqlite_database(data_dir / "wenming.sqlite3")
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        return sqlite_database(Path(unquote(parts.path)))
    if parts.scheme in ("postgres", "postgresql"):
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": env_int("WENMING_DB_CONN_MAX_AGE", 60),
            # A kept connection the server closed (a restart) is dropped at each request's start
            # without a round trip (core.dbhealth); Django's SELECT 1 before each request's first
            # query is there too, for a connection lost silently (a network cut), when asked for.
            "CONN_HEALTH_CHECKS": env_bool("WENMING_DB_HEALTH_CHECKS", False),
            "OPTIONS": postgres_options(parts.query),
        }
    raise ImproperlyConfigured(f"DATABASE_URL scheme {parts.scheme!r} is not supported")


def _optional_int(name, value):
    if value.strip().lower() in ("", "none"):
        return None
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"DATABASE_URL option {name} must be an integer or empty, got {value!r}") from None


def _bool(name, value):
    if value.strip().lower() in ("1", "true", "yes", "on"):
        return True
    if value.strip().lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"DATABASE_URL option {name} must be a boolean, got {value!r}")


# The options of DATABASE_URL's query that Django and psycopg take as values of a type; the
# others (sslmode, connect_timeout, …) go to libpq as the text they are.
_TYPED_OPTIONS = {"prepare_threshold": _optional_int, "server_side_binding": _bool}


def postgres_options(query):
    """Django's OPTIONS for PostgreSQL from the URL's query (`?sslmode=require&prepare_threshold=`).

    `prepare_threshold` is psycopg's default, 5, unless the URL says otherwise (empty: never
    prepare, for a pooler in transaction mode). Django's own cursors bind on the client and are
    never prepared whatever it is; it lets the vote's statement be prepared (core.hotsql)."""
    options = {"prepare_threshold": 5, **POSTGRES_TIMEOUTS}
    for name, value in parse_qsl(query, keep_blank_values=True):
        options[name] = _TYPED_OPTIONS[name](name, value) if name in _TYPED_OPTIONS else value
    return options


# A database that does not answer fails the request within seconds (core.outages: 503), never
# hangs it: libpq gives up connecting after connect_timeout, the server cancels a statement
# after statement_timeout. The URL's own `connect_timeout` or `options` replace these.
POSTGRES_TIMEOUTS = {
    "connect_timeout": str(env_int("WENMING_DB_CONNECT_TIMEOUT", 3)),
    "options": f"-c statement_timeout={env_int('WENMING_DB_STATEMENT_TIMEOUT_MS', 30000)}",
}


def sqlite_database(path):
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        # Reopening the file and re-running the pragmas per request costs more than the query.
        "CONN_MAX_AGE": env_int("WENMING_DB_CONN_MAX_AGE", 600),
        "OPTIONS": {
            # WAL lets readers proceed during a write; IMMEDIATE takes the write lock at
            # BEGIN so concurrent writers queue on busy_timeout instead of failing mid-way.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }


TESTING = "pytest" in sys.modules or env_bool("WENMING_TESTING")
DEBUG = env_bool("WENMING_DEBUG", False)
DEMO_MODE = env_bool("WENMING_DEMO", False)

DATA_DIR = Path(env_str("WENMING_DATA_DIR", str(BASE_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = DATA_DIR / "media"
OUTBOX_DIR = DATA_DIR / "outbox"
VERSIONS_DIR = DATA_DIR / "versions"


def _secret_key():
    key = env_str("WENMING_SECRET_KEY")
    if key:
        return key
    if DEBUG or DEMO_MODE or TESTING:
        # Dev and demo only: a random key kept beside the data, never in the repository.
        path = DATA_DIR / "secret_key"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(50))
            path.chmod(0o600)
        return path.read_text().strip()
    raise ImproperlyConfigured("WENMING_SECRET_KEY (or WENMING_SECRET_KEY_FILE) must be set in production")


SECRET_KEY = _secret_key()


def _phone_keys(name, purpose):
    """Phone numbers at rest (core.fields): comma-separated keys, the first writes, all read.
    Debug, the demo and tests derive one from the secret key; production must give its own
    (`check` reports wenming.E002 otherwise, and no number is read or written)."""
    keys = env_list(name)
    if keys or not (DEBUG or DEMO_MODE or TESTING):
        return keys
    derived = hmac.new(SECRET_KEY.encode(), f"wenming.phones.{purpose}".encode(), hashlib.sha256).digest()
    return [base64.urlsafe_b64encode(derived).decode()]  # a Fernet key's shape


PHONE_KEYS = _phone_keys("WENMING_PHONE_KEYS", "encryption")  # Fernet keys
PHONE_HASH_KEYS = _phone_keys("WENMING_PHONE_HASH_KEYS", "lookup")  # HMAC-SHA256 keys for lookups
ALLOWED_HOSTS = env_list("WENMING_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("WENMING_CSRF_TRUSTED_ORIGINS")
# Behind a reverse proxy, the proxy's address; only then is X-Forwarded-For trusted.
TRUSTED_PROXIES = env_list("WENMING_TRUSTED_PROXIES")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks_db",
    "axes",
    "ninja",
    "wenming.core",
    "wenming.registry",
    "wenming.campaigns",
    "wenming.awards",
    "wenming.voting",
    "wenming.surveys",
    "wenming.judging",
    "wenming.results",
    "wenming.credit",
    "wenming.supervision",
    "wenming.complaints",
    "wenming.volunteers",
    "wenming.publicity",
    "wenming.dashboard",
    "wenming.exports",
    "wenming.api",
]

# Parts of one app that another app, beside or below it, shows or reads. Such apps never import
# each other nor register into each other (DESIGN's layers), so the project, above them all,
# composes them here, by dotted path.
# Beside an application in review (seed 七(3)): callables (application, user) -> panel or None.
# Scheduled jobs (wenming.core.schedule): each task is enqueued once per slot of `every_seconds`
# for the task worker, by the scheduler that `wenming worker` runs beside it.
# Slots are cut from the Unix epoch: a daily job's slot starts at 00:00 UTC (08:00 in China).
SCHEDULES = {
    "complaints-sweep": {"task": "wenming.complaints.tasks.sweep_task", "every_seconds": 300},
    "supervision-sweep": {"task": "wenming.supervision.tasks.sweep_task", "every_seconds": 86400},
    "expert-reminders": {"task": "wenming.judging.tasks.remind_task", "every_seconds": 86400},
    "schedule-housekeeping": {"task": "wenming.core.schedule.forget_task", "every_seconds": 86400},
    "notifications-retry": {"task": "wenming.core.notifications.retry_task", "every_seconds": 300},
    "survey-coverage-reminder": {"task": "wenming.surveys.tasks.coverage_reminder_task", "every_seconds": 3600},
    "vote-address-minimizing": {"task": "wenming.voting.tasks.minimize_addresses_task", "every_seconds": 86400},
    "vote-tallying": {"task": "wenming.dashboard.tasks.tally_votes_task", "every_seconds": 60},
    "exports-sweep": {"task": "wenming.exports.tasks.sweep_task", "every_seconds": 300},
}
# How a notification leaves the inbox (wenming.core.notifications): channel -> send(delivery).
NOTIFICATION_CHANNELS = {
    "sms": "wenming.core.identity.sms.send_notification",
    "wechat": "wenming.core.identity.wechat_messages.send_notification",
}

REVIEW_PANELS = ["wenming.supervision.services.review_panel", "wenming.complaints.services.review_panel",
                 "wenming.volunteers.services.review_panel", "wenming.publicity.services.review_panel"]
# Checklist items the platform measures instead of the inspector: callables (campaign, community) -> value.
SUPERVISION_READINGS = {"SV0": "wenming.surveys.services.coverage_percent"}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "wenming.core.middleware.RequestSizeMiddleware",
    "wenming.core.middleware.RequestContextMiddleware",
    # Outside the session middleware, so that it sees the session cookie being set.
    "wenming.core.middleware.PrivateAnswersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "wenming.core.middleware.LazyMessageMiddleware",
    "wenming.core.middleware.StaffSessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "wenming.api.middleware.ApiErrorShapeMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "wenming.urls"
WSGI_APPLICATION = "wenming.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wenming.core.context_processors.wenming",
            ],
        },
    },
]

DATABASES = {"default": database_from_url(env_str("DATABASE_URL"), DATA_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
# Signatures of the WeChat share card (core.views.wechat.jssdk_config) one client address may
# ask for per minute; a page view asks once.
WECHAT_JSSDK_PER_MINUTE = env_int("WENMING_WECHAT_JSSDK_PER_MINUTE", 60)
# /metrics answers the machine itself; with a token, whoever sends it as a bearer token.
METRICS_TOKEN = env_str("WENMING_METRICS_TOKEN")
if REDIS_URL:
    # A Redis that does not answer fails within a second (core.outages), never hangs a request.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                          "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

TASKS = {
    "default": {
        "BACKEND": env_str("WENMING_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "core:login"
CSRF_FAILURE_VIEW = "wenming.core.views.auth.csrf_failure"
LOGIN_REDIRECT_URL = "dashboard:workbench"
LOGOUT_REDIRECT_URL = "home"

# Login throttling: a username or an address is locked after repeated failures.
AXES_FAILURE_LIMIT = env_int("WENMING_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("WENMING_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "wenming.core.views.auth.lockout"
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "wenming.core.request_context.client_ip"
AXES_VERBOSE = False

# Staff sessions end after idle and absolute limits (the middleware enforces both).
STAFF_IDLE_TIMEOUT = timedelta(minutes=env_int("WENMING_STAFF_IDLE_MINUTES", 30))
STAFF_ABSOLUTE_TIMEOUT = timedelta(hours=env_int("WENMING_STAFF_ABSOLUTE_HOURS", 12))
API_TOKEN_LIFETIME = timedelta(hours=env_int("WENMING_API_TOKEN_HOURS", 12))

SESSION_COOKIE_AGE = int(STAFF_ABSOLUTE_TIMEOUT.total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Secure cookies unless served over plain HTTP on this machine (the demo, tests).
SECURE_COOKIES = env_bool("WENMING_SECURE_COOKIES", not (DEBUG or DEMO_MODE or TESTING))
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HTTPS only, once the site is served over it (docs/operations.md): HSTS and the redirect. The
# balancer's health checks may come over plain HTTP.
SECURE_HSTS_SECONDS = env_int("WENMING_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("WENMING_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("WENMING_HSTS_PRELOAD", False)
SECURE_SSL_REDIRECT = env_bool("WENMING_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "wenming" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_URL = "/media/"  # never served as such: stored files go through /files/<token>/ (core/files.py)
# How the file view hands a file over (docs/operations.md, "Files"): "django" streams it,
# "x-accel" lets nginx send it from an internal location, "x-sendfile" for Apache/lighttpd.
WENMING_FILE_SENDER = env_str("WENMING_FILE_SENDER", "django").strip().lower()
if WENMING_FILE_SENDER not in ("django", "x-accel", "x-sendfile"):
    raise ImproperlyConfigured("WENMING_FILE_SENDER must be django, x-accel or x-sendfile")
WENMING_FILE_ACCEL_PREFIX = env_str("WENMING_FILE_ACCEL_PREFIX", "/protected-media/")
WENMING_FILE_URL_MAX_AGE = env_int("WENMING_FILE_URL_HOURS", 12) * 3600  # a file link works this long
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# No request body above this is read at all (core.middleware.RequestSizeMiddleware): the largest
# upload a preset allows (a video, 100 MB in Lianyungang's) and the form around it.
REQUEST_MAX_BYTES = env_int("WENMING_REQUEST_MAX_MB", 120) * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
IMPORT_MAX_BYTES = env_int("WENMING_IMPORT_MAX_BYTES", 10 * 1024 * 1024)
IMPORT_MAX_ROWS = env_int("WENMING_IMPORT_MAX_ROWS", 20000)
# An export of more rows than this is written by the task worker, with progress (wenming/exports).
EXPORT_BACKGROUND_ROWS = env_int("WENMING_EXPORT_BACKGROUND_ROWS", 5000)
# A background export still queued or writing this long after it was asked for has lost its
# worker: the scheduled sweep marks it failed so its user can take it again (exports.services).
EXPORT_JOB_LIMIT = timedelta(minutes=env_int("WENMING_EXPORT_JOB_LIMIT_MINUTES", 60))

# The backends moved to core.identity.sms (issue 18); a value naming their old module still works.
SMS_BACKEND = env_str("WENMING_SMS_BACKEND", "wenming.core.identity.sms.FileOutboxBackend").replace(
    "wenming.core.sms.", "wenming.core.identity.sms.")
# The file outbox keeps every code and message in plain text in the data dir: for this machine
# (debug, the demo, tests) only, unless WENMING_SMS_OUTBOX=1 says otherwise.
SMS_OUTBOX_ALLOWED = env_bool("WENMING_SMS_OUTBOX", DEBUG or DEMO_MODE or TESTING)
WECHAT = {
    "appid": env_str("WENMING_WECHAT_APPID"), "secret": env_str("WENMING_WECHAT_SECRET"),
    "api_base": env_str("WENMING_WECHAT_API_BASE", "https://api.weixin.qq.com"),
    "authorize_base": env_str("WENMING_WECHAT_AUTHORIZE_BASE", "https://open.weixin.qq.com"),
    # Subscribe messages (订阅通知) of the same 公众号: the template, its three keywords (the
    # event, the message, the time) and the site's address for the message's link.
    "notice_template": env_str("WENMING_WECHAT_NOTICE_TEMPLATE"),
    "notice_fields": env_list("WENMING_WECHAT_NOTICE_FIELDS", "thing1,thing2,time3"),
    "site_url": env_str("WENMING_SITE_URL").rstrip("/"),
}
SMS_CONFIG = {
    "secret_id": env_str("WENMING_SMS_SECRET_ID"), "secret_key": env_str("WENMING_SMS_SECRET_KEY"),
    "sign_name": env_str("WENMING_SMS_SIGN_NAME"), "template": env_str("WENMING_SMS_TEMPLATE"),
    "app_id": env_str("WENMING_SMS_APP_ID"), "endpoint": env_str("WENMING_SMS_ENDPOINT"),
    "notice_template": env_str("WENMING_SMS_NOTICE_TEMPLATE"),
}

NINJA_PAGINATION_MAX_LIMIT = 100

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # JSON lines in production (WENMING_LOG_FORMAT=plain for a terminal): time, level, logger,
    # message, request id, and the status code django.request adds; nothing personal.
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
                   "json": {"()": "pythonjsonlogger.json.JsonFormatter",
                            "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                            "json_ensure_ascii": False}},
    "filters": {"rule_refusals": {"()": "django.utils.log.CallbackFilter",
                                  "callback": "ext://wenming.core.logfilters.drop_rule_refusals"},
                "outages": {"()": "django.utils.log.CallbackFilter",
                            "callback": "ext://wenming.core.outages.drop_outages"},
                "request_id": {"()": "django.utils.log.CallbackFilter",
                               "callback": "ext://wenming.core.logfilters.add_request_id"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"],
                             "formatter": env_str("WENMING_LOG_FORMAT", "plain" if DEBUG or DEMO_MODE or TESTING else "json")}},
    "root": {"handlers": ["console"], "level": env_str("WENMING_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "django.request": {"filters": ["rule_refusals", "outages"]}},
}
