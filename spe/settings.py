"""Django settings, read from the environment (12-factor).

Every value has a safe default for a private development install: DEBUG is
off unless asked for, the secret key is generated once into ``var/`` when
none is given, and allowed hosts are explicit. See docs/configuration.md.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("SPE_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()


def _secret_key() -> str:
    """Return SPE_SECRET_KEY, or a key generated once and kept in var/."""
    given = env.str("SPE_SECRET_KEY", default="")
    if given:
        return given
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env.bool("SPE_DEBUG", default=False)
ALLOWED_HOSTS = env.list("SPE_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", ".localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("SPE_CSRF_TRUSTED_ORIGINS", default=[])

# --- Tenancy (docs/tenancy.md) -------------------------------------------
SHARED_APPS = [
    "django_tenants",
    "tenants",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "rest_framework",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "policy",
    "audit",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "policy",
    "mailflow",
    "reporting",
    "audit",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Customer"
TENANT_DOMAIN_MODEL = "tenants.ConsoleDomain"
PUBLIC_SCHEMA_URLCONF = "spe.urls_public"
ROOT_URLCONF = "spe.urls_tenant"
SPE_TENANT_PATH_PREFIX = "c"

DATABASES = {
    "default": {
        **env.db_url(
            "SPE_DATABASE_URL",
            default=f"postgres://spe@127.0.0.1:{env.int('SPE_PG_PORT', default=55432)}/spe",
        ),
        "ENGINE": "django_tenants.postgresql_backend",
        "CONN_MAX_AGE": env.int("SPE_DB_CONN_MAX_AGE", default=60),
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {"connect_timeout": env.int("SPE_DB_CONNECT_TIMEOUT", default=5)},
        "TEST": {"NAME": env.str("SPE_TEST_DB_NAME", default="") or None},  # parallel test runs
    }
}
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

MIDDLEWARE = [
    "tenants.middleware.CustomerRoutingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

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
            ],
        },
    },
]

WSGI_APPLICATION = "spe.wsgi.application"
ASGI_APPLICATION = "spe.asgi.application"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("SPE_TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SPE_SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

# --- Redis, Celery (docs/mailflow.md) --------------------------------------
REDIS_URL = env.str("SPE_REDIS_URL", default=f"redis://127.0.0.1:{env.int('SPE_REDIS_PORT', default=56379)}/0")
CELERY_BROKER_URL = env.str("SPE_CELERY_BROKER_URL", default=REDIS_URL)
# kombu's Redis transport with its client objects reused (mailflow/broker.py)
CELERY_BROKER_TRANSPORT = env.str("SPE_CELERY_BROKER_TRANSPORT", default="mailflow.broker:Transport")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = env.int("SPE_CELERY_PREFETCH", default=4)
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("SPE_CELERY_VISIBILITY_TIMEOUT", default=3600),
    # The spool, not the broker, is what keeps a message (docs/mailflow.md): kombu's acknowledgement
    # emulation (an unacked hash and index in Redis, two transactions per message) would only bring back
    # a dead node's tasks after the visibility timeout, later than the spool's recovery sweep does.
    "ack_emulation": env.bool("SPE_CELERY_ACK_EMULATION", default=False),
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
CELERY_BEAT_SCHEDULE = {
    "flush-message-log": {"task": "mailflow.flush_message_log", "schedule": 2.0},
    "retry-deferred": {"task": "mailflow.retry_deferred", "schedule": env.float("SPE_RETRY_SCAN_EVERY", 15.0)},
    "recover-spool": {"task": "mailflow.recover_spool", "schedule": 60.0},
    "purge-deleted-customers": {"task": "tenants.purge_deleted_customers", "schedule": 3600.0},
    "record-node-heartbeats": {"task": "tenants.record_node_heartbeats", "schedule": 30.0},
    "learn-spam-feedback": {"task": "mailflow.learn_spam_feedback", "schedule": 300.0},
    "quarantine-digests": {"task": "mailflow.send_quarantine_digests", "schedule": 900.0},
    "purge-quarantine": {"task": "mailflow.purge_quarantine", "schedule": 3600.0},
    "purge-archive": {"task": "mailflow.purge_archive", "schedule": 3600.0},
    "prune-seen-domains": {"task": "mailflow.prune_seen_domains", "schedule": 86400.0},
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ALWAYS_EAGER = False

# --- Mail path (docs/mailflow.md) -----------------------------------------
SPE_HOSTNAME = env.str("SPE_HOSTNAME", default="gateway.spe.test")
SPE_WEB_PORT = env.int("SPE_WEB_PORT", default=8000)
SPE_SINK_PORT = env.int("SPE_SINK_PORT", default=2526)
SPE_SMTP_HOST = env.str("SPE_SMTP_HOST", default="127.0.0.1")
SPE_SMTP_PORT = env.int("SPE_SMTP_PORT", default=2525)
SPE_SPOOL_DIR = Path(env.str("SPE_SPOOL_DIR", default=str(VAR_DIR / "spool")))
SPE_SPOOL_FREE_MAX = env.int("SPE_SPOOL_FREE_MAX", default=4096)  # finished files kept for reuse (0: none)
SPE_STORE_DIR = Path(env.str("SPE_STORE_DIR", default=str(VAR_DIR / "store")))
SPE_TLS_CERT = env.str("SPE_TLS_CERT", default="")
SPE_TLS_KEY = env.str("SPE_TLS_KEY", default="")
SPE_DNS_NAMESERVERS = env.list("SPE_DNS_NAMESERVERS", default=[])
SPE_DNS_PORT = env.int("SPE_DNS_PORT", default=53)
SPE_DNS_TIMEOUT = env.float("SPE_DNS_TIMEOUT", default=3.0)
SPE_CLAMD_SOCKET = env.str("SPE_CLAMD_SOCKET", default=str(VAR_DIR / "clamav" / "clamd.sock"))
SPE_MAX_QUEUE_LIFETIME = env.float("SPE_MAX_QUEUE_LIFETIME", default=5 * 24 * 3600)
SPE_RETRY_BASE = env.float("SPE_RETRY_BASE", default=60.0)
SPE_RETRY_MAX = env.float("SPE_RETRY_MAX", default=3600.0)
SPE_MAX_PROCESSING_ATTEMPTS = env.int("SPE_MAX_PROCESSING_ATTEMPTS", default=5)
SPE_RECOVERY_AGE = env.float("SPE_RECOVERY_AGE", default=300.0)
SPE_OUTBOUND_PORT = env.int("SPE_OUTBOUND_PORT", default=25)
SPE_OUTBOUND_TLS = env.str("SPE_OUTBOUND_TLS", default="opportunistic")
SPE_SMARTHOST = env.str("SPE_SMARTHOST", default="")
SPE_MAX_RECIPIENTS = env.int("SPE_MAX_RECIPIENTS", default=1000)
SPE_MAX_MESSAGE_BYTES = env.int("SPE_MAX_MESSAGE_BYTES", default=100 * 1024 * 1024)
SPE_SMTP_CONNECTIONS_PER_IP = env.int("SPE_SMTP_CONNECTIONS_PER_IP", default=50)
SPE_SMTP_CONNECTIONS = env.int("SPE_SMTP_CONNECTIONS", default=2000)
SPE_SMTP_MESSAGES_PER_MINUTE = env.int("SPE_SMTP_MESSAGES_PER_MINUTE", default=0)
SPE_SMTP_IDLE_TIMEOUT = env.float("SPE_SMTP_IDLE_TIMEOUT", default=300.0)
SPE_SMTP_SESSION_TIMEOUT = env.float("SPE_SMTP_SESSION_TIMEOUT", default=1800.0)
SPE_BARE_NEWLINE = env.str("SPE_BARE_NEWLINE", default="normalize")
SPE_CONFIG_CHECK_EVERY = env.float("SPE_CONFIG_CHECK_EVERY", default=2.0)  # seconds between version checks
SPE_AV_MAX_DEFERRALS = env.int("SPE_AV_MAX_DEFERRALS", default=3)
SPE_AV_TIMEOUT = env.float("SPE_AV_TIMEOUT", default=30.0)
SPE_AV_HASHLIST = env.str("SPE_AV_HASHLIST", default="")
SPE_DNSBL_ZONES = env.list("SPE_DNSBL_ZONES", default=[])
SPE_DNSBL_CACHE_TTL = env.int("SPE_DNSBL_CACHE_TTL", default=300)
SPE_URIBL_ZONES = env.list("SPE_URIBL_ZONES", default=[])
SPE_URL_BLOCKLIST = env.list("SPE_URL_BLOCKLIST", default=[])
SPE_URL_CATEGORIES = env.json("SPE_URL_CATEGORIES", default={})  # {"gambling": ["casino.example", ...]}
# Following shortened links to their target (mailflow/urlexpand.py): HEAD requests to known shorteners only.
SPE_URL_EXPAND = env.bool("SPE_URL_EXPAND", default=True)
SPE_URL_EXPAND_MAX = env.int("SPE_URL_EXPAND_MAX", default=5)  # shortened links followed per message
SPE_URL_EXPAND_DEADLINE = env.float("SPE_URL_EXPAND_DEADLINE", default=3.0)  # seconds for all of a message's links
SPE_URL_EXPAND_CAFILE = env.str("SPE_URL_EXPAND_CAFILE", default="")  # CA bundle for HTTPS; empty: the system's
SPE_URL_EXPAND_ALLOW_PRIVATE = env.bool("SPE_URL_EXPAND_ALLOW_PRIVATE", default=False)  # tests on loopback only
# Newly seen link and sender domains (mailflow/checks/newdomains.py)
SPE_NEW_DOMAINS = env.bool("SPE_NEW_DOMAINS", default=True)
SPE_NEW_DOMAIN_WINDOW_HOURS = env.float("SPE_NEW_DOMAIN_WINDOW_HOURS", default=48)
SPE_NEW_DOMAIN_WARMUP_DAYS = env.float("SPE_NEW_DOMAIN_WARMUP_DAYS", default=14)
SPE_NEW_DOMAIN_FORGET_DAYS = env.float("SPE_NEW_DOMAIN_FORGET_DAYS", default=180)
# Bulk signatures (mailflow/checks/fuzzy.py): fuzzy sketches of reported mail, shared by every customer.
SPE_FUZZY = env.bool("SPE_FUZZY", default=True)
SPE_FUZZY_QUORUM = env.int("SPE_FUZZY_QUORUM", default=2)  # customers whose spam reports count for all
SPE_FUZZY_TTL_DAYS = env.float("SPE_FUZZY_TTL_DAYS", default=90)
SPE_SPAM_MODEL = env.str("SPE_SPAM_MODEL", default="")
SPE_NODE_NAME = env.str("SPE_NODE_NAME", default="node1")
SPE_DEFAULT_ARRAY = env.str("SPE_DEFAULT_ARRAY", default="default")
SPE_CUSTOMER_DELETE_GRACE_DAYS = env.int("SPE_CUSTOMER_DELETE_GRACE_DAYS", default=30)

# --- Message store, quarantine, archive (docs/quarantine.md, docs/archive.md)
SPE_STORE_BACKEND = env.str("SPE_STORE_BACKEND", default="mailflow.store.FileStore")
SPE_STORE_DELETE_GRACE = env.float("SPE_STORE_DELETE_GRACE", default=3600.0)
SPE_PUBLIC_URL = env.str("SPE_PUBLIC_URL", default="http://127.0.0.1:8000").rstrip("/")
SPE_BRAND_NAME = env.str("SPE_BRAND_NAME", default="Mail security")
SPE_BRAND_COLOR = env.str("SPE_BRAND_COLOR", default="#17324d")
SPE_DIGEST_FROM = env.str("SPE_DIGEST_FROM", default=f"no-reply@{SPE_HOSTNAME}")
SPE_QUARANTINE_LINK_DAYS = env.int("SPE_QUARANTINE_LINK_DAYS", default=14)
SPE_ARCHIVE_EXPORT_MAX = env.int("SPE_ARCHIVE_EXPORT_MAX", default=10000)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("SPE_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "mail.log": {"level": "WARNING"},  # aiosmtpd logs every SMTP command at INFO
        # Celery logs two lines per task ("received", "succeeded"); the message log already records
        # every message, and at hundreds of messages a second the lines cost real CPU. Failures still show.
        "celery.app.trace": {"level": env.str("SPE_TASK_LOG_LEVEL", default="WARNING")},
        "celery.worker.strategy": {"level": env.str("SPE_TASK_LOG_LEVEL", default="WARNING")},
    },
}
