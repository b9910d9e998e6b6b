"""Voxboard settings: one module, every deployment-specific value read from the environment."""

import base64
import hashlib
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from cryptography.fernet import Fernet
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from dashboard import env

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env.string("VOXBOARD_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env.boolean("DEBUG", False)

_DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production-voxboard"  # noqa: S105 - DEBUG only
SECRET_KEY = env.string("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = _DEV_SECRET_KEY

ALLOWED_HOSTS = env.csv("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.csv("CSRF_TRUSTED_ORIGINS")
PUBLIC_BASE_URL = env.url("PUBLIC_BASE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "axes",
    "csp",
    "dashboard",
    "teams",
    "jobs",
    "dubbing",
    "voices",
    "recordings",
    "avatars",
    "activity",
    "webhooks",
    "usage",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF, whose check is the first to read (and spool) a request body.
    "dashboard.middleware.BodyCap",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "dashboard.middleware.htmx_messages",
    "dashboard.middleware.upload_redirects",
    "csp.middleware.CSPMiddleware",
    # Axes must come last so it sees the outcome of every authentication attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dashboard.urls"
WSGI_APPLICATION = "dashboard.wsgi.application"

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
                "teams.context_processors.current_team",
                "jobs.context_processors.jobs_in_flight",
            ],
            # Words for people on every page without a {% load %}: times, languages, numbers.
            "builtins": ["dashboard.templatetags.words"],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL names another.
_default_db = f"sqlite:///{VAR_DIR / 'voxboard.sqlite3'}"
try:
    _db = dj_database_url.parse(env.string("DATABASE_URL") or _default_db, conn_max_age=60)
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is malformed: {exc}") from exc
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["ENGINE"] = "dashboard.sqlite"
    # A file, not memory, so integration tests can share the test database with a
    # real Celery worker process.
    _db["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
    # Web, worker and beat share the file: WAL and immediate transactions avoid
    # "database is locked" under that concurrency. Connections are kept (conn_max_age
    # above): in autocommit they hold no lock between requests, and opening one, with
    # its PRAGMAs and Django's SQL functions, cost 1.35 ms of CPU per request, a sixth
    # of the voice catalog's page (bench/voices.py).
    _db["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    _db["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "dashboard.auth.ThrottledBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "root"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: five failures for one username from one address lock that pair
# out for fifteen minutes with HTTP 429, then it lifts by itself; so do
# LOGIN_ADDRESS_FAILURE_LIMIT failures from one address across usernames.
AXES_FAILURE_LIMIT = 5
LOGIN_ADDRESS_FAILURE_LIMIT = env.integer("LOGIN_ADDRESS_FAILURE_LIMIT", 30, minimum=2)
# Reverse proxies in front of the app that append the client to X-Forwarded-For (nginx
# with proxy_add_x_forwarded_for: 1). 0: the client is REMOTE_ADDR. The throttle keys on
# the entry this many from the header's end, the one the outermost proxy appended.
VOXBOARD_PROXY_COUNT = env.integer("VOXBOARD_PROXY_COUNT", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "dashboard.throttle.client_ip"
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.string("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Media (uploads, inputs hosted for providers, copied results) in an S3-compatible
# bucket instead of MEDIA_ROOT, so that several machines share it (core/storage.py).
# Without S3_ENDPOINT_URL it is AWS; with it, MinIO, R2 and the like (addressed by path).
# Unset keys leave boto3 to find its own (an instance role, AWS_* variables).
S3_BUCKET = env.string("S3_BUCKET").strip()
S3_ENDPOINT_URL = env.url("S3_ENDPOINT_URL", "")
S3_ACCESS_KEY_ID = env.string("S3_ACCESS_KEY_ID") or None
S3_SECRET_ACCESS_KEY = env.string("S3_SECRET_ACCESS_KEY") or None
S3_REGION = env.string("S3_REGION", "us-east-1").strip() or "us-east-1"
S3_PREFIX = env.string("S3_PREFIX").strip().strip("/")
if S3_BUCKET:
    if bool(S3_ACCESS_KEY_ID) != bool(S3_SECRET_ACCESS_KEY):
        raise ImproperlyConfigured(
            "Set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or neither (boto3 then "
            "finds its own credentials)."
        )
    STORAGES["default"] = {
        "BACKEND": "core.storage.BucketStorage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": S3_ENDPOINT_URL or None,
            "access_key": S3_ACCESS_KEY_ID,
            "secret_key": S3_SECRET_ACCESS_KEY,
            "region_name": S3_REGION,
            "location": S3_PREFIX,
            "addressing_style": "path" if S3_ENDPOINT_URL else "virtual",
            "signature_version": "s3v4",
        },
    }

# Provider credentials are encrypted with MultiFernet: the first key encrypts, every
# key decrypts, so keys rotate by prepending a new one and running rotate_encryption_keys.
_keys = env.csv("VOXBOARD_ENCRYPTION_KEYS")
if not _keys:
    if not DEBUG:
        raise ImproperlyConfigured("VOXBOARD_ENCRYPTION_KEYS must be set when DEBUG is off.")
    _keys = [base64.urlsafe_b64encode(hashlib.sha256(SECRET_KEY.encode()).digest()).decode()]
for _key in _keys:
    try:
        Fernet(_key)
    except ValueError:
        raise ImproperlyConfigured(
            "VOXBOARD_ENCRYPTION_KEYS holds a value that is not a Fernet key "
            "(32 url-safe base64-encoded bytes; make one with "
            "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key())'`)."
        ) from None
VOXBOARD_ENCRYPTION_KEYS = _keys

# Cache and sessions: sessions are read from the cache and written through to the
# database, so a page that polls every two seconds costs no session query.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Celery: Redis when REDIS_URL is set, otherwise kombu's filesystem transport under var/,
# which several processes on one machine can share without any server.
REDIS_URL = env.url("REDIS_URL", "", schemes=("redis", "rediss", "unix"))
BROKER_DIR = VAR_DIR / "broker"
CELERY_VISIBILITY_TIMEOUT = env.integer("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=60)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "voxboard",
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
else:
    # Per process; a miss falls back to the database, so this is only a speed-up.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # The host is a placeholder kombu needs, or it warns on every connection.
    CELERY_BROKER_URL = "filesystem://localhost/"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
        # A worker takes at most concurrency x prefetch messages per look at the folder
        # and then waits this long: at kombu's default of 1 s a busy queue drains at two
        # messages a second, slower than beat alone adds them.
        "polling_interval": 0.1,
    }
# Celery reads the visibility timeout from the broker and result backend transport
# options separately; results are ignored, but both are set so no default creeps in.
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.integer("CELERY_TASK_SOFT_TIME_LIMIT", 120, minimum=1)
CELERY_TASK_TIME_LIMIT = env.integer("CELERY_TASK_TIME_LIMIT", 180, minimum=1)
if CELERY_TASK_TIME_LIMIT <= CELERY_TASK_SOFT_TIME_LIMIT:
    raise ImproperlyConfigured("CELERY_TASK_TIME_LIMIT must exceed CELERY_TASK_SOFT_TIME_LIMIT.")
if CELERY_VISIBILITY_TIMEOUT <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured("CELERY_VISIBILITY_TIMEOUT must exceed CELERY_TASK_TIME_LIMIT.")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # Stale tick messages are worthless: the next tick does the same work.
    "poll-due-jobs": {
        "task": "jobs.poll_due",
        "schedule": timedelta(seconds=env.integer("JOBS_TICK_SECONDS", 5, minimum=1)),
        "options": {"expires": 10},
    },
    "reconcile-jobs": {
        "task": "jobs.reconcile",
        "schedule": timedelta(seconds=env.integer("JOBS_RECONCILE_SECONDS", 15, minimum=1)),
        "options": {"expires": 30},
    },
    "refresh-credits": {
        "task": "teams.refresh_all_credits",
        "schedule": timedelta(minutes=env.integer("CREDITS_REFRESH_MINUTES", 15, minimum=1)),
        "options": {"expires": 300},
    },
    "sync-voices": {
        "task": "voices.sync_all",
        "schedule": timedelta(minutes=env.integer("VOICES_SYNC_MINUTES", 60, minimum=1)),
        "options": {"expires": 300},
    },
    "sync-recordings": {
        "task": "recordings.sync_all",
        "schedule": timedelta(minutes=env.integer("RECORDINGS_SYNC_MINUTES", 60, minimum=1)),
        "options": {"expires": 300},
    },
    "purge-submit-keys": {
        "task": "jobs.purge_submit_keys",
        "schedule": timedelta(hours=6),
    },
    "purge-expired-invitations": {
        "task": "teams.purge_expired_invitations",
        "schedule": timedelta(hours=6),
    },
    # Deliveries and inbound events whose message was lost (or whose retry is due) are
    # found by these sweeps; the rows are the record, the broker only a doorbell.
    "webhooks-sweep-deliveries": {
        "task": "webhooks.sweep_deliveries",
        "schedule": timedelta(seconds=5),
    },
    "webhooks-sweep-inbound": {
        "task": "webhooks.sweep_inbound",
        "schedule": timedelta(seconds=30),
    },
    "webhooks-purge-old": {
        "task": "webhooks.purge_old",
        "schedule": timedelta(hours=6),
    },
    # Leaves what expired or lost its page, and rings again for leaves not yet answered.
    "avatars-sweep": {
        "task": "avatars.sweep",
        "schedule": timedelta(seconds=env.integer("AVATAR_SWEEP_SECONDS", 5, minimum=1)),
        "options": {"expires": 10},
    },
}

# Remote jobs (seconds). A submit task is killed at 5/6 of its hold (jobs/tasks.py).
# The holds' settings were named *_LEASE and *_CLAIM: those names are still read, with
# a warning at start-up (dashboard/apps.py), until the next release.
JOBS_SUBMIT_HOLD = env.integer("JOBS_SUBMIT_HOLD", 90, minimum=1, old="JOBS_SUBMIT_LEASE")
JOBS_POLL_MIN = env.integer("JOBS_POLL_MIN", 5, minimum=1)
JOBS_POLL_MAX = env.integer("JOBS_POLL_MAX", 60, minimum=1)
JOBS_POLL_HOLD = env.integer("JOBS_POLL_HOLD", 60, minimum=1, old="JOBS_POLL_CLAIM")
JOBS_TICK_LIMIT = env.integer("JOBS_TICK_LIMIT", 5000, minimum=1)
JOBS_RECONCILE_AFTER = env.integer("JOBS_RECONCILE_AFTER", 30, minimum=1)
JOBS_MAX_ATTEMPTS = env.integer("JOBS_MAX_ATTEMPTS", 8, minimum=1)
# A failed submit waits RETRY_BASE * 2^(attempt-1) seconds, at most RETRY_MAX, before the next.
JOBS_RETRY_BASE = env.integer("JOBS_RETRY_BASE", 5, minimum=1)
JOBS_RETRY_MAX = env.integer("JOBS_RETRY_MAX", 300, minimum=1)
# After a submit whose answer was lost (a timeout, a 5xx to a POST), how long to wait
# before looking for it upstream and, if it is not there, sending it again.
JOBS_UNSURE_WAIT = env.integer("JOBS_UNSURE_WAIT", 60, minimum=1)
# How long one copy of a job's results may run before another worker may take over.
# The fetch_results task is stopped before its hold lapses (jobs/tasks.py).
JOBS_RESULTS_HOLD = env.integer("JOBS_RESULTS_HOLD", 900, minimum=3, old="JOBS_RESULTS_LEASE")
# How long a result copy that keeps failing (the file host unreachable) is tried
# before it is given up with a message, seconds from its first failed try.
JOBS_RESULTS_GIVE_UP = env.integer("JOBS_RESULTS_GIVE_UP", 24 * 3600, minimum=60)
JOBS_MISSING_LIMIT = env.integer("JOBS_MISSING_LIMIT", 3, minimum=1)
JOBS_STALE_AFTER = env.integer("JOBS_STALE_AFTER", 1800, minimum=1)

# How long a link to a file we host for a provider (a voice sample) stays valid, seconds.
INPUT_URL_LIFETIME = env.integer("INPUT_URL_LIFETIME", 86400, minimum=60)
# A presigned S3 link lives at most seven days (AWS Signature Version 4).
if S3_BUCKET and INPUT_URL_LIFETIME > 7 * 86400:
    raise ImproperlyConfigured(
        f"INPUT_URL_LIFETIME={INPUT_URL_LIFETIME} is longer than a bucket's links may live "
        "(604800 s, seven days)."
    )

# Dubbing: the largest source file people may upload, in MB.
DUBBING_MAX_UPLOAD_MB = env.integer("DUBBING_MAX_UPLOAD_MB", 500, minimum=1)
# Recordings: the largest audio file people may upload into a folder, in MB.
RECORDINGS_MAX_UPLOAD_MB = env.integer("RECORDINGS_MAX_UPLOAD_MB", 200, minimum=1)

# Streaming avatar rooms (avatars/): a room's longest window, how many a team may have
# open, how long a room's page may miss its heartbeat (sent every 10 s) before the room
# is left as abandoned, and the wait between leave attempts (doubling up to the max).
AVATAR_MAX_MINUTES = env.integer("AVATAR_MAX_MINUTES", 10, minimum=1)
AVATAR_MAX_ROOMS = env.integer("AVATAR_MAX_ROOMS", 3, minimum=1)
AVATAR_HEARTBEAT_GRACE = env.integer("AVATAR_HEARTBEAT_GRACE", 30, minimum=5)
AVATAR_LEAVE_RETRY_BASE = env.integer("AVATAR_LEAVE_RETRY_BASE", 2, minimum=1)
AVATAR_LEAVE_RETRY_MAX = env.integer("AVATAR_LEAVE_RETRY_MAX", 60, minimum=1)
# How long one leave attempt holds its room; a worker killed mid-leave is replaced after.
AVATAR_LEAVE_HOLD_SECONDS = env.integer("AVATAR_LEAVE_HOLD_SECONDS", 60, minimum=3)

# Usage page: how long Respeecher's figures (stats) are kept per account before they
# are read again (Refresh reads them at once), and how many days of balance history,
# one point per credits check, are kept.
USAGE_STATS_CACHE_SECONDS = env.integer("USAGE_STATS_CACHE_SECONDS", 600, minimum=0)
BALANCE_HISTORY_DAYS = env.integer("BALANCE_HISTORY_DAYS", 90, minimum=1)

# A2E dubbing records: how long one account's import may run (seconds).
DUBBING_IMPORT_TIME_LIMIT = env.integer("DUBBING_IMPORT_TIME_LIMIT", 600, minimum=10)
# Voice catalog: how long one account's sync may run (seconds).
VOICES_SYNC_TIME_LIMIT = env.integer("VOICES_SYNC_TIME_LIMIT", 600, minimum=10)
# Respeecher's workspace: how long one account's mirror may run (seconds).
RECORDINGS_SYNC_TIME_LIMIT = env.integer("RECORDINGS_SYNC_TIME_LIMIT", 900, minimum=10)

# Upstream HTTP client (providers/): timeouts in seconds, calls in flight per credential.
PROVIDERS_CONNECT_TIMEOUT = env.integer("PROVIDERS_CONNECT_TIMEOUT", 5, minimum=1)
PROVIDERS_READ_TIMEOUT = env.integer("PROVIDERS_READ_TIMEOUT", 30, minimum=1)
PROVIDERS_MAX_IN_FLIGHT = env.integer("PROVIDERS_MAX_IN_FLIGHT", 4, minimum=1)
# Files passed on to browsers at once per provider key (a take's audio, an export): a
# pool of their own, so browsers that stop reading never hold the API calls' slots.
PROVIDERS_MAX_RELAYS = env.integer("PROVIDERS_MAX_RELAYS", 4, minimum=1)
# Limits on what a provider's server can make us spend; any team may point a provider's
# base URL at a server of its own. The largest API answer read into memory (MB); the
# seconds a whole call may take, retries and slow answers included; the same for calls
# that move a file (downloads, relayed files, uploads); the most records one listing is
# followed for across its pages.
UPSTREAM_MAX_BODY_MB = env.integer("UPSTREAM_MAX_BODY_MB", 20, minimum=1)
UPSTREAM_DEADLINE_SECONDS = env.integer("UPSTREAM_DEADLINE_SECONDS", 60, minimum=1)
UPSTREAM_FILE_DEADLINE_SECONDS = env.integer("UPSTREAM_FILE_DEADLINE_SECONDS", 900, minimum=1)
SYNC_MAX_RECORDS = env.integer("SYNC_MAX_RECORDS", 1_000_000, minimum=1)

# Security headers. The CSP allows no inline script: htmx is configured through a meta
# tag and our own behaviour lives in static/js/app.js.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "media-src": [SELF, "blob:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# With media in a bucket, a page's players and images are sent there (core/storage.py).
if S3_BUCKET:
    if S3_ENDPOINT_URL:
        _endpoint = urlsplit(S3_ENDPOINT_URL)
        _bucket_origins = [f"{_endpoint.scheme}://{_endpoint.netloc}"]
    else:
        _bucket_origins = [
            f"https://{S3_BUCKET}.s3.amazonaws.com",
            f"https://{S3_BUCKET}.s3.{S3_REGION}.amazonaws.com",
        ]
    for _directive in ("img-src", "media-src"):
        CONTENT_SECURITY_POLICY["DIRECTIVES"][_directive] += _bucket_origins

# What an avatar room page adds to the policy for Agora's Web SDK (static/vendor/agora,
# 4.24.8), applied per response by dashboard.csp.room_csp. Exact hosts only. Sources:
# Agora's firewall page (docs.agora.io/en/introduction/firewall) names only domain
# suffixes for the Web SDK (.agora.io, .edge.agora.io, .sd-rtn.com, .edge.sd-rtn.com,
# ...); the hosts below are the ones the vendored bundle's default (global) config
# reaches over HTTPS: access points WEBCS_DOMAIN(+_BACKUP_LIST), SDP_ENDPOINT_DOMAIN,
# CDS_AP (config), UAP_AP and ACCOUNT_REGISTER (gateway and string-uid lookup), and
# its event and log reporting (EVENT_REPORT_*, LOG_UPLOAD_SERVER,
# NEW_REPORT_SERVER_DOMAINS). Not here: the gateway WebSockets, named at join time
# (AGORA_CSP_GATEWAY_WILDCARDS below); the regional hosts AgoraRTC.setArea switches
# to and the cloud proxy (neither used). Media flows over WebRTC, which CSP does not
# govern, and plays from a MediaStream, so no media-src or img-src entry is needed.
# The SDK runs RTCRtpScriptTransform code in a Worker made from a blob: URL (Safari's
# encoded-frame path), hence worker-src blob:.
AGORA_CSP = {
    "connect-src": [
        "https://webrtc2-ap-web-1.agora.io",
        "https://webrtc2-2.ap.sd-rtn.com",
        "https://webrtc2-ap-web-3.agora.io",
        "https://webrtc2-4.ap.sd-rtn.com",
        "https://sdp-ap-web-1.rtnsvc.com",
        "https://sdp-ap-web-1.rtesvc.com",
        "https://cds-ap-web-1.agora.io",
        "https://cds-web-2.ap.sd-rtn.com",
        "https://cds-ap-web-3.agora.io",
        "https://cds-web-4.ap.sd-rtn.com",
        "https://uap-ap-web-1.agora.io",
        "https://uap-web-2.ap.sd-rtn.com",
        "https://uap-ap-web-3.agora.io",
        "https://uap-web-4.ap.sd-rtn.com",
        "https://sua-ap-web-1.agora.io",
        "https://sua-web-2.ap.sd-rtn.com",
        "https://sua-ap-web-3.agora.io",
        "https://sua-web-4.ap.sd-rtn.com",
        "https://statscollector-1.agora.io",
        "https://web-2.statscollector.sd-rtn.com",
        "https://logservice.agora.io",
        "https://data-reporting.agora.io",
    ],
    "worker-src": ["blob:"],
}
# Agora's gateway WebSocket hosts are named after their IP addresses at join time, so
# only wildcards admit them (dashboard.csp.AGORA_GATEWAYS) and a real room cannot join
# without them. Off by default, as the policy takes exact entries only; a deployment
# that opens real rooms turns this on knowingly.
AGORA_CSP_GATEWAY_WILDCARDS = env.boolean("AGORA_CSP_GATEWAY_WILDCARDS", False)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie.

# Behind TLS in production: VOXBOARD_HTTPS=1 turns on redirects, secure cookies and HSTS.
HTTPS = env.boolean("VOXBOARD_HTTPS", False)
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.integer("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Exact origins (http://10.0.0.5:8080) whose provider base URLs may be loopback or
# private addresses (a self-hosted Burki, the sandbox). Any other base URL must be public,
# and so must every URL a provider hands us except one on its own base URL's host and
# port (providers/guard.py). A bare host still works for every port on it, but is
# deprecated and logged as such at start-up (providers.config.configure).
PROVIDER_PRIVATE_HOSTS = env.csv("PROVIDER_PRIVATE_HOSTS", [])
# How long a repeated POST of a form that spends money (jobs.once) waits for the first
# one's answer before saying it is still being handled, seconds.
ONCE_WAIT_SECONDS = env.integer("ONCE_WAIT_SECONDS", 15, minimum=1)
# The largest request body of an ordinary view, KB (upload views state their own caps).
REQUEST_MAX_KB = env.integer("REQUEST_MAX_KB", 1024, minimum=16)
# The largest result file copied from a provider, MB; a larger one is cut off and dropped.
RESULTS_MAX_MB = env.integer("RESULTS_MAX_MB", 2048, minimum=1)

PROVIDER_DEFAULT_BASE_URLS = {
    "a2e": "https://video.a2e.ai",
    "respeecher": "https://gateway.respeecher.com",
    "burki": "https://api.burki.dev",
}

# Outbound webhooks refuse private and loopback targets; development and tests may allow
# loopback (127.0.0.1, ::1) to reach a receiver on the same machine. Private ranges stay shut.
WEBHOOKS_ALLOW_LOOPBACK = env.boolean("VOXBOARD_WEBHOOKS_ALLOW_LOOPBACK", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.string("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # runserver's request lines follow LOG_LEVEL too (make run: WARNING, so only
        # failed requests), through the root handler.
        "django.server": {"level": env.string("LOG_LEVEL", "INFO")},
    },
}
