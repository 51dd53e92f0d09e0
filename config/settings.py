"""The one settings module. Every value comes from the environment (django-environ).

With nothing set, the embedded default runs: SQLite under var/, local media under var/media,
Celery tasks executed eagerly in-process, a local-memory cache and SMS printed to the console.
Every variable read here is listed in README.md with its default.
"""

import datetime
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# A local .env file is read when present (never committed; see .gitignore).
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Development default so `make run` and tests work with nothing set; production must set it,
# and `check --deploy` (run by .ci/run with production variables) refuses an insecure key.
_DEV_SECRET = "django-insecure-dev-only-key-never-use-in-production-0123456789"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET)
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Where `make run` serves (HOST, PORT); links and QR codes follow it unless SITE_URL is set.
HOST = env.str("HOST", default="127.0.0.1")
PORT = env.int("PORT", default=8000)
SITE_URL = env.str("SITE_URL", default=f"http://{HOST}:{PORT}")
CITY_CODE = env.str("CITY_CODE", default="HK")
# The authority named on the papers a station signs (issue 16): a refusal tells the applicant
# they may seek reconsideration of, or sue, this authority's decision.
ISSUING_AUTHORITY = env.str("ISSUING_AUTHORITY", default="海口市公安局")

INSTALLED_APPS = [
    "review.apps.PortalAdminConfig",  # django.contrib.admin with the portal's site (review/site.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",  # `runserver` serves static files through the middleware
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_fsm",
    "django_prometheus",
    # Staff sign-in (issue 14): second factor (TOTP + single-use backup codes), lockout.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "django_celery_beat",  # the beat schedule's memory, shared by every beat (config/beat.py)
    "core",
    "applicants",
    "notifications",
    "permits",
    "review",
    "kiosk",
    "wechat",  # the WeChat channel (issue 26), off until WECHAT_APP_ID is set
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",  # first: times every request
    "core.logging.RequestContextMiddleware",  # a request id on every log line and response
    "django.middleware.security.SecurityMiddleware",
    "core.csp.CSPMiddleware",  # Content-Security-Policy on every response (django-csp)
    # X-Frame-Options on every answer, static files and refusals of the middleware below too.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): second factor passed
    "django.contrib.messages.middleware.MessageMiddleware",
    # /kiosk/ (issue 17): a live device or 403, no-store, idle sign-out, kiosk language.
    "kiosk.middleware.KioskMiddleware",
    # After auth and messages: staff idle logout, audit line for every 403.
    "review.middleware.StaffSessionMiddleware",
    # Staff without a verified second factor reach only the second-factor step (review).
    "review.middleware.StaffSecondFactorMiddleware",
    # Turns a login refused by django-axes into the "locked, try again at ..." answer.
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",  # last
]

# --- Metrics (GET /metrics, Prometheus format; config/metrics.py) -----------------------------
# Served only with `Authorization: Bearer <METRICS_TOKEN>` or to METRICS_ALLOWED_IPS (addresses
# or networks, e.g. "10.0.0.0/8"); 404 to anyone else, and to everyone when both are empty.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=[])

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
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
                "notifications.context_processors.unread_notifications",
            ],
        },
    },
    # The staff's busiest pages, the officer's queue and the application desk (issue 29):
    # Jinja2, templates in the apps' ``jinja2/`` folders, autoescape on (core.jinja2). Second,
    # so every other template (and the admin's) resolves on Django's engine as before.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "core.jinja2.environment",
            "autoescape": True,
            "context_processors": ["django.contrib.messages.context_processors.messages"],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Concurrent writes wait for each other (busy timeout, seconds) instead of failing with
    # "database is locked": every transaction takes the write lock when it begins.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Behind PgBouncer in transaction mode (issue 28, deploy/pgbouncer): a server-side cursor cannot
# outlive its transaction's server connection, so Django's are turned off; CONN_MAX_AGE keeps the
# cheap connection to the pooler, which holds the few real ones.
DB_TRANSACTION_POOLING = env.bool("DB_TRANSACTION_POOLING", default=False)
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = DB_TRANSACTION_POOLING
# ... and a pooler restarted under a persistent connection is noticed before a request's first
# query (one cheap round trip per request), instead of failing that request.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = DB_TRANSACTION_POOLING
# A streaming replica (issue 28): the reads that tolerate a few seconds of lag (core.db_router);
# unset: one database, no router. Down: those reads fall back to the primary, logged, and the
# replica is tried again after DATABASE_REPLICA_RETRY_SECONDS.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
DATABASE_REPLICA_RETRY_SECONDS = env.int("DATABASE_REPLICA_RETRY_SECONDS", default=30)
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **environ.Env.db_url_config(DATABASE_REPLICA_URL),
        "ATOMIC_REQUESTS": False,
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": True,  # a replica restarted meanwhile is noticed before a read
        "DISABLE_SERVER_SIDE_CURSORS": DB_TRANSACTION_POOLING,
        "TEST": {"MIRROR": "default"},
    }
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    DATABASE_ROUTERS = ["core.db_router.PrimaryReplicaRouter"]

# --- Cache and Celery -----------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
# "default": what must not run without it (the SMS-code and throttle limits) fails when Redis does.
# "pages": what pages keep to draw faster (the permit's QR code, the unread count): a Redis
# outage reads as a miss and the page computes it (issue 18). Sessions stay in the database:
# pages keep working while Redis is down, and no logout made then is undone when it is back.
if REDIS_URL:
    # django-redis keeps one client per process; Django's own Redis backend builds a client for
    # every operation (~0.17 ms each on the bench machine; a page does two or three: issue 18)
    _redis = {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "portal",
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2},
    }
    CACHES = {
        "default": _redis,
        "pages": {
            **_redis,
            # a short wait: a page does not hang on an unreachable cache
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
                "IGNORE_EXCEPTIONS": True,
            },
        },
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True  # each miss forced by an outage is logged
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages"},
    }

# A person's pages (personal center, My applications, an application, My Affairs) are kept in
# the "pages" cache under the account's page generation (core.page_cache, issue 29): any change
# they show bumps it, so a kept page is never served stale. 0 turns the page cache off.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=600)
PAGE_CACHE_ALIAS = "pages"
# Names the deploy in the page cache's keys (pages kept by another release are never served);
# empty: worked out once per process from the newest code, template and translation file.
RELEASE = env.str("RELEASE", default="")

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
# A second `celery beat` stands by until the first stops renewing its lock (config/beat.py).
BEAT_LOCK_TTL_SECONDS = env.int("BEAT_LOCK_TTL_SECONDS", default=60)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = env.str("TIME_ZONE", default="Asia/Shanghai")

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "applicants.User"
PASSWORD_HASHERS = [
    # Argon2id at OWASP's minimum (19 MiB, t=2, p=1): ~24 ms CPU per check instead of ~230 ms
    # with Django's defaults. Same "argon2" algorithm (it verifies any Argon2 hash, whatever its
    # parameters), so existing hashes still work and are rewritten at the next login.
    "core.hashers.OwaspArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Staff only: at least 12 characters mixing 3 of lower, upper, digits, symbols.
    {"NAME": "review.validators.StaffPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "applicants.lockout.LockoutBackend",  # first: django-axes refuses a locked account+address
    "django.contrib.auth.backends.ModelBackend",
]
# Login failure handling (django-axes) on the applicant login, the admin login and the API
# token endpoint: after AXES_FAILURE_LIMIT failures for one account from one client address,
# that account is locked for that address (never for everyone: the owner elsewhere still logs
# in) for AXES_COOLOFF_MINUTES; a supervisor unlocks in the admin (Access attempts).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_MINUTES = env.int("AXES_COOLOFF_MINUTES", default=15)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=AXES_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# A whole sign-in forgets the failures (applicants.lockout.count_success): an applicant's login,
# a staff login only once its second factor passed (wrong codes count across password logins).
AXES_RESET_ON_SUCCESS = False
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the retry time shown stays true
AXES_DISABLE_ACCESS_LOG = True  # logins are audited by review.audit
# masked in its rows ("code": the second-factor step's field)
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "phone", "otp_token", "code"]
AXES_USERNAME_CALLABLE = "applicants.lockout.login_name"
AXES_CLIENT_IP_CALLABLE = "core.http.client_ip"
AXES_LOCKOUT_CALLABLE = "applicants.lockout.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# Second factor (django-otp): every staff account; the authenticator app shows this issuer.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Residence permit portal")
OTP_STATIC_BACKUP_CODES = env.int("OTP_STATIC_BACKUP_CODES", default=10)
# A second factor is set up only with a one-time link from a supervisor (review.services.
# second_factor): it must be opened within this many minutes, and finished as long after.
SECOND_FACTOR_ENROLMENT_MINUTES = env.int("SECOND_FACTOR_ENROLMENT_MINUTES", default=60)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True
PHONENUMBER_DEFAULT_REGION = env.str("PHONE_REGION", default="CN")

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_URL = "/media-not-public/"  # uploads are never served directly; views check permission
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
UPLOAD_MAX_PIXELS = env.int("UPLOAD_MAX_PIXELS", default=50_000_000)  # larger: a decompression bomb
# A request body without files (form fields, JSON) larger than this is refused (400).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# A multipart body whose declared size passes this is refused at its first file; one file past
# UPLOAD_MAX_BYTES stops the read there (core.uploads.UploadLimitHandler). Default: 4 files + 1 MiB.
UPLOAD_MAX_REQUEST_BYTES = env.int(
    "UPLOAD_MAX_REQUEST_BYTES", default=4 * UPLOAD_MAX_BYTES + 1024 * 1024
)
# With nginx in front (deploy/nginx): protected files are sent by nginx after the view's access
# check (an X-Accel-Redirect to this internal location); empty: the view streams them (make run).
PROTECTED_FILES_ACCEL_PREFIX = env.str("PROTECTED_FILES_ACCEL_PREFIX", default="")
FILE_UPLOAD_HANDLERS = [
    "core.uploads.UploadLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_STORAGE",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}

# --- SMS --------------------------------------------------------------------------------------
SMS_BACKEND = env.str("SMS_BACKEND", default="console")
# The signature every SMS starts with, in 【】 (registered with the carriers in China).
SMS_SIGNATURE = env.str("SMS_SIGNATURE", default="市公安局")
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM = env.str("TWILIO_FROM", default="")
TWILIO_MESSAGING_SERVICE_SID = env.str("TWILIO_MESSAGING_SERVICE_SID", default="")
TWILIO_STATUS_CALLBACK_URL = env.str("TWILIO_STATUS_CALLBACK_URL", default="")
TWILIO_API_BASE_URL = env.str("TWILIO_API_BASE_URL", default="")  # empty: Twilio's own API
TWILIO_TIMEOUT_SECONDS = env.float("TWILIO_TIMEOUT_SECONDS", default=10.0)
# Transient failures (network, 5xx, 429) are retried with exponential backoff and jitter:
# about base * 2**(attempt-1) seconds, at most SMS_RETRY_MAX_SECONDS, SMS_MAX_ATTEMPTS in all.
SMS_MAX_ATTEMPTS = env.int("SMS_MAX_ATTEMPTS", default=5)
SMS_RETRY_BASE_SECONDS = env.float("SMS_RETRY_BASE_SECONDS", default=15.0)
SMS_RETRY_MAX_SECONDS = env.float("SMS_RETRY_MAX_SECONDS", default=600.0)
# The periodic sweep re-enqueues messages left `queued` longer than this (e.g. Redis was down).
SMS_SWEEP_AFTER_SECONDS = env.int("SMS_SWEEP_AFTER_SECONDS", default=60)
# A message whose create call got no answer (timeout) is `unknown`: before any resend the
# provider is asked whether it has it. A row left `sending` longer than this (its worker was
# killed mid-call) is asked about the same way by the sweep.
SMS_SENDING_TIMEOUT_SECONDS = env.int("SMS_SENDING_TIMEOUT_SECONDS", default=300)
# One durable claim takes the message a task is for and up to SMS_CLAIM_BATCH-1 other due queued
# reminders (PostgreSQL; SKIP LOCKED), so a backlog shares the commit's disk flush (issue 29);
# a code or a result is never a batch mate (it never waits behind others). 1: one at a time.
# 20: the claim and the batch's record then cost about 0.08 ms a message here, against 0.17 ms
# with 10 (make bench); a worker killed mid-batch leaves at most 20 rows for the sweep to
# reconcile (it asks the provider before any resend).
SMS_CLAIM_BATCH = env.int("SMS_CLAIM_BATCH", default=20)

# --- WeChat official account (issue 26; off while WECHAT_APP_ID is empty) ----------------------
WECHAT_APP_ID = env.str("WECHAT_APP_ID", default="")
WECHAT_SECRET = env.str("WECHAT_SECRET", default="")
WECHAT_TOKEN = env.str("WECHAT_TOKEN", default="")  # the server endpoint's signature token
WECHAT_AES_KEY = env.str("WECHAT_AES_KEY", default="")  # EncodingAESKey (43 chars): AES mode
# Notice templates by notification kind, "default" for every other kind: default=ID,kind=ID
WECHAT_TEMPLATE_IDS = env.dict("WECHAT_TEMPLATE_IDS", default={})
WECHAT_NOTICE_API = env.str("WECHAT_NOTICE_API", default="template")  # or "subscribe"
WECHAT_API_BASE_URL = env.str("WECHAT_API_BASE_URL", default="")  # empty: WeChat's own hosts
WECHAT_TIMEOUT_SECONDS = env.float("WECHAT_TIMEOUT_SECONDS", default=10.0)
WECHAT_MAX_ATTEMPTS = env.int("WECHAT_MAX_ATTEMPTS", default=5)
# Quiet hours (issue 30): "21-8" = no reminder SMS from 21:00 to 08:00 local time (TIME_ZONE);
# they wait until the end. Codes and answers the person is waiting for go at any hour. Empty: off.
SMS_QUIET_HOURS = env.str("SMS_QUIET_HOURS", default="21-8")

# --- Accounts and identity (applicants) --------------------------------------------------------
# Who decides a pending identity: the officer (default) or a city's automatic check (a subclass of
# applicants.verifiers.IdentityVerifier, e.g. against the national population database).
IDENTITY_VERIFIER = env.str(
    "IDENTITY_VERIFIER", default="applicants.verifiers.OfficerDecisionVerifier"
)
# The digital photo receipt (permits/photo_receipts.py): "local" (the StudioPhoto stand-in),
# "http" (a studio service at PHOTO_RECEIPT_URL) or the dotted path of a backend class.
PHOTO_RECEIPT_BACKEND = env.str("PHOTO_RECEIPT_BACKEND", default="local")
PHOTO_RECEIPT_URL = env.str("PHOTO_RECEIPT_URL", default="")
PHOTO_RECEIPT_TOKEN = env.str("PHOTO_RECEIPT_TOKEN", default="")
PHOTO_RECEIPT_MAX_WRONG_PER_HOUR = env.int("PHOTO_RECEIPT_MAX_WRONG_PER_HOUR", default=5)
PHONE_CODE_MAX_PER_HOUR = env.int("PHONE_CODE_MAX_PER_HOUR", default=5)  # SMS codes per number
PHONE_CODE_MAX_PER_IP_PER_HOUR = env.int("PHONE_CODE_MAX_PER_IP_PER_HOUR", default=20)
PHONE_CODE_MIN_INTERVAL_SECONDS = env.int("PHONE_CODE_MIN_INTERVAL_SECONDS", default=60)
# Code checks (right or wrong) on sign-up and password reset, per number and per client address
PHONE_CODE_CHECKS_PER_NUMBER_PER_HOUR = env.int("PHONE_CODE_CHECKS_PER_NUMBER_PER_HOUR", default=15)
PHONE_CODE_CHECKS_PER_IP_PER_HOUR = env.int("PHONE_CODE_CHECKS_PER_IP_PER_HOUR", default=30)

# --- Permit rules -----------------------------------------------------------------------------
# Seed 004 "15 working days" (Administrative Licensing Law Art. 82); "calendar": a deadline on a
# rest day moves to the next working day (Civil Code Art. 203).
DEADLINE_DAY_MODE = env.str("DEADLINE_DAY_MODE", default="working")  # or "calendar"
# Administrative Licensing Law Art. 32: a submission neither accepted nor answered with a notice
# within this many working days counts as accepted on receipt (0 turns it off).
DEEMED_ACCEPTANCE_WORKING_DAYS = env.int("DEEMED_ACCEPTANCE_WORKING_DAYS", default=5)
# Regulations Art. 2 (seed 003): region codes (GB/T 2260) of this city; a person whose household
# registration is in one of them (or a subdivision: 460100 covers 460105) is not eligible.
CITY_REGION_CODES = env.list("CITY_REGION_CODES", default=["460100"])
# Ratings of every case (好差评): a bad rating's follow-up is due this many working days later;
# the rating link in the final SMS works once, for this many days.
RATING_FOLLOW_UP_WORKING_DAYS = env.int("RATING_FOLLOW_UP_WORKING_DAYS", default=5)
RATING_LINK_MAX_AGE_DAYS = env.int("RATING_LINK_MAX_AGE_DAYS", default=30)
# The lessor's confirmation link (issue 31) works once, for this many days.
LESSOR_LINK_MAX_AGE_DAYS = env.int("LESSOR_LINK_MAX_AGE_DAYS", default=7)
# The station kiosk (issue 17): a person is signed out after this many seconds without a touch.
KIOSK_IDLE_SECONDS = env.int("KIOSK_IDLE_SECONDS", default=60)
# A kiosk serves a whole hall from one address: its SMS codes are limited per device instead
# (the per-number limits hold as everywhere).
KIOSK_PHONE_CODES_PER_HOUR = env.int("KIOSK_PHONE_CODES_PER_HOUR", default=200)
KIOSK_CODE_CHECKS_PER_HOUR = env.int("KIOSK_CODE_CHECKS_PER_HOUR", default=300)

# --- Security ---------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 8)
# Client addresses (core.http.client_ip, django-ipware): the number of reverse proxies in front of
# the app, each appending the address it saw to X-Forwarded-For; 0 reads REMOTE_ADDR only (any
# X-Forwarded-For a client sends is then ignored). API_NUM_PROXIES is its former name.
PROXY_COUNT = env.int("PROXY_COUNT", default=env.int("API_NUM_PROXIES", default=0))
# Staff sessions end after this long without a request (review.middleware); applicants keep
# SESSION_COOKIE_AGE.
STAFF_IDLE_TIMEOUT_SECONDS = env.int("STAFF_IDLE_TIMEOUT_SECONDS", default=30 * 60)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # load-balancer probes and the metrics scraper speak plain HTTP inside
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

# Content-Security-Policy (django-csp): scripts and styles from this host only, no inline code
# anywhere (our templates' styles are in static/css, scripts in static/js; the API docs page
# loads its script from a URL). Django admin 5.2 has no inline script; its one inline <style>
# (change lists with actions_on_top and actions_on_bottom both off) is not used here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Retention (permits.services.retention, daily job) --------------------------------------
# Identity photos (ID card, face, agent proof) are deleted this many days after the person has
# no open application or registration and no held permit; materials and registration proofs this
# many days after their application or registration is closed (decided, withdrawn, card handed
# over, moved away). The row stays as a tombstone (file emptied, time recorded).
RETENTION_IDENTITY_PHOTOS_DAYS = env.int("RETENTION_IDENTITY_PHOTOS_DAYS", default=180)
RETENTION_APPLICATION_MATERIALS_DAYS = env.int("RETENTION_APPLICATION_MATERIALS_DAYS", default=365)
RETENTION_REGISTRATION_PROOFS_DAYS = env.int("RETENTION_REGISTRATION_PROOFS_DAYS", default=365)
RETENTION_BATCH_SIZE = env.int("RETENTION_BATCH_SIZE", default=500)
# Audit rows (review.AuditEvent) older than this are deleted by the same daily job.
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=3 * 365)
# SMS records (settled) and My Affairs entries older than these are purged by the same daily job
# (issue 28): the two tables that grow with every case stay the size of the period.
SMS_RETENTION_DAYS = env.int("SMS_RETENTION_DAYS", default=400)
NOTIFICATION_RETENTION_DAYS = env.int("NOTIFICATION_RETENTION_DAYS", default=400)

# --- REST framework ---------------------------------------------------------------------------
# The API: each app's <app>/api/; plumbing (tokens, errors, throttles) in core/api/.
API_TOKEN_TTL_SECONDS = env.int("API_TOKEN_TTL_SECONDS", default=60 * 60 * 24 * 30)
# Overrides of the rates below, e.g. "login_ip=60/hour,upload_user=100/hour".
API_THROTTLE_RATES = env.dict("API_THROTTLE_RATES", default={})
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.Pagination",
    "PAGE_SIZE": 20,
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.api.auth.BearerTokenAuthentication",  # first: no credentials -> 401
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "core.api.throttles.IPThrottle",
        "core.api.throttles.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "api_ip": "600/min",
        "api_user": "300/min",
        "login_ip": "30/hour",
        "login_user": "10/hour",
        "sign_up_ip": "20/hour",
        "sign_up_user": "10/hour",
        "sms_code_ip": "20/hour",
        "sms_code_user": "5/hour",
        "upload_ip": "120/hour",
        "upload_user": "60/hour",
        "verify_ip": "60/min",
        **API_THROTTLE_RATES,
    },
    # Not used by the portal's throttles (they call core.http.client_ip); kept consistent.
    "NUM_PROXIES": PROXY_COUNT,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Residence permit portal API",
    "DESCRIPTION": "Applicant and station-clerk services; every error has one shape (Error).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "minimum": 1, "maximum": 10**18 - 1}},
    "ENUM_NAME_OVERRIDES": {
        "IdentityStateEnum": "applicants.constants.IdentityState",
        "ApplicationStateEnum": "permits.constants.ApplicationState",
        "RegistrationStateEnum": "permits.constants.RegistrationState",
        "PermitStatusEnum": "permits.constants.PermitStatus",
        "DeliveryMethodEnum": "permits.constants.DeliveryMethod",
        "CardReturnEnum": "permits.constants.CardReturn",
    },
    # Documentation page assets are served from this host (drf-spectacular-sidecar), no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Logging ----------------------------------------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
# "json": one JSON object per line (production); "plain": readable lines (make run, DEBUG on).
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "core.logging.RequestContextFilter"}},
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s u=%(user_id)s] "
            "%(message)s"
        },
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(user_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_context"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint and its font subsetter narrate every step of every paper at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
