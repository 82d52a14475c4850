"""One settings module. Without DEBUG set it is the local embedded set-up (SQLite under var/, filesystem
object store, tasks in-process); DEBUG=0 with SECRET_KEY and ALLOWED_HOSTS switches on production hardening."""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from core.env import env_bool, env_decimal, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", True)
PRODUCTION = not DEBUG

if PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY", "")
    if len(SECRET_KEY) < 50:
        raise RuntimeError("DEBUG=0 needs SECRET_KEY (at least 50 random characters) in the environment")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "")
    if not ALLOWED_HOSTS:
        raise RuntimeError("DEBUG=0 needs ALLOWED_HOSTS in the environment")
else:
    SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-never-use-in-production-3f9a7c1e5b2d4f6a8c0e")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "simple_history",
    "axes",
    "core",
    "audit",
    "trading",
    "lottery",
    "evaluation",
    "recordings",
    "archive",
    "inspection",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # before anything looks a path or a filter up: a NUL in either is 400, not a database error
    "core.middleware.StorableInputMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "audit.middleware.AuditContextMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    # last, so that a lockout answers before any view runs
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"), conn_max_age=env_int("CONN_MAX_AGE", 0)
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # BEGIN IMMEDIATE: writers queue for the lock instead of failing on upgrade, so the ledger never forks
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 30}
    # a file (threads of the live server and the forked verifier share it), one per test run so that runs side
    # by side never recreate each other's database
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's own cursors bind client-side and are never prepared; this lets the ledger's append, which binds
    # server-side, be parsed and planned once per connection (audit.ledger._fetch_one)
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "trading.User"

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
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# brute-force protection: lock a user name from one address after repeated failures
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env_bool("AXES_ENABLED", True)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")  # every time a person reads: pages, messages, PDF records
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # one JSON object per body, bounded in size and depth, every string storable (core/parsers.py)
    "DEFAULT_PARSER_CLASSES": ["core.parsers.JSONObjectParser", "core.parsers.FormParser",
                               "core.parsers.MultiPartParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "公共资源交易平台 API",
    "DESCRIPTION": "Projects, registrations, verifiable draws, sessions, recordings, audit.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # rooms and sessions share one set of kinds; without a name the generator warns (check --deploy must be clean)
    "ENUM_NAME_OVERRIDES": {"RoomKindEnum": "trading.models.sessions.RoomKind",
                            # `outcome`: a complaint's (with withdrawn) and a decision's (upheld or rejected)
                            "ComplaintOutcomeEnum": "trading.models.aftercare.Complaint.Outcome",
                            "DecisionOutcomeEnum": ["upheld", "rejected"]},
}

# One console handler for everything: Django's own "django" logger (its console handler when DEBUG, then the root's
# again by propagation) would print each request warning twice. A 403 is one line, without its traceback.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"denial_without_traceback": {"()": "core.logs.DenialWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["denial_without_traceback"]}},
    "loggers": {"django": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO"), "propagate": False}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# --- rules; each overridable by an environment variable of the same name ---
FPS_BUDGET_LIMIT = env_decimal("FPS_BUDGET_LIMIT", "2000000.00")
FPS_MAX_ONGOING = env_int("FPS_MAX_ONGOING", 2)
FPS_MIN_CANDIDATES = env_int("FPS_MIN_CANDIDATES", 3)
PUBLICITY_DAYS = env_int("PUBLICITY_DAYS", 3)
SIGN_DAYS = env_int("SIGN_DAYS", 30)
SUSPENSION_DAYS = env_int("SUSPENSION_DAYS", 180)
RECORDING_RETENTION_DAYS = env_int("RECORDING_RETENTION_DAYS", 60)
REGISTRATION_MIN_DAYS = env_int("REGISTRATION_MIN_DAYS", 5)
DOSSIER_RETENTION_YEARS = env_int("DOSSIER_RETENTION_YEARS", 15)
# the OCDS prefix registered for this centre (https://standard.open-contracting.org/latest/en/schema/identifiers/)
OCDS_PREFIX = env_str("OCDS_PREFIX", "ocds-jy0000")
# the key the opening-key shares of sealed bids are sealed under (default: SECRET_KEY); keep it off the database host
BID_SEALING_KEY = env_str("BID_SEALING_KEY", "")
# bid files sealed at the bidder (docs/evaluation.md, the ceremony): key holders per round, shares that open a bid
BID_KEY_HOLDERS = env_int("BID_KEY_HOLDERS", 3)
BID_KEY_THRESHOLD = env_int("BID_KEY_THRESHOLD", 2)
BID_FILE_MAX_BYTES = env_int("BID_FILE_MAX_BYTES", 50 * 1024 * 1024)
# the key the committed draw secrets are sealed under at rest (default: SECRET_KEY); keep it off the database host
DRAW_SECRET_KEY = env_str("DRAW_SECRET_KEY", "")
DRAW_MIN_SUPERVISORS = env_int("DRAW_MIN_SUPERVISORS", 2)
# how long supervisors have to reveal once every seal is in; who has not revealed by then counts as ""
DRAW_REVEAL_SECONDS = env_int("DRAW_REVEAL_SECONDS", 300)
DRAW_INPUT_MAX_LENGTH = env_int("DRAW_INPUT_MAX_LENGTH", 64)
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
RECORDING_MAX_BYTES = env_int("RECORDING_MAX_BYTES", 4 * 1024 * 1024 * 1024)
RECORDING_THUMB_EVERY_S = env_int("RECORDING_THUMB_EVERY_S", 10)  # a thumbnail every N seconds of video
RECORDING_INLINE_TRANSCODE_MAX_S = env_int("RECORDING_INLINE_TRANSCODE_MAX_S", 900)  # longer: make_playback_copies
# uploads are spooled here (Django's setting), and so is every local copy of a transfer (spools, downloads of an
# original, transcodes): a directory of ours, so that what a killed process leaves is found and removed by
# `reconcile_recordings` once untouched for UPLOAD_TEMP_MAX_AGE_HOURS
FILE_UPLOAD_TEMP_DIR = env_str("FILE_UPLOAD_TEMP_DIR", str(VAR_DIR / "tmp" / "uploads"))
Path(FILE_UPLOAD_TEMP_DIR).mkdir(parents=True, exist_ok=True)  # Django writes into it and never creates it
UPLOAD_TEMP_MAX_AGE_HOURS = env_int("UPLOAD_TEMP_MAX_AGE_HOURS", 6)
# a complaint freezes the award and holds the video: one party's complaints on one project are limited
COMPLAINT_MAX_OPEN = env_int("COMPLAINT_MAX_OPEN", 3)  # open at once (409 until the agency answers one)
COMPLAINT_MAX_PER_DAY = env_int("COMPLAINT_MAX_PER_DAY", 5)  # filed in any 24 hours (429 with Retry-After)
# the statutory objection (质疑/异议) and complaint (投诉) procedure (trading.complaint_rules). Tendering-type projects
# (fixed_price, land_auction, asset_transfer) follow 招标投标法实施条例, procurement 政府采购法; days are calendar days
# unless named WORKDAYS (Monday to Friday: statutory holidays are not modelled)
OBJECTION_DOCUMENTS_DAYS = env_int("OBJECTION_DOCUMENTS_DAYS", 10)  # 条例 art. 22: ≥10 days before the bid opening
OBJECTION_PREQUAL_DAYS = env_int("OBJECTION_PREQUAL_DAYS", 2)  # 条例 art. 22: ≥2 days before the application deadline
OBJECTION_ANSWER_DAYS = env_int("OBJECTION_ANSWER_DAYS", 3)  # 条例 arts. 22, 54: answered within 3 days
COMPLAINT_FILE_DAYS = env_int("COMPLAINT_FILE_DAYS", 10)  # 条例 art. 60: within 10 days of knowing
COMPLAINT_ACCEPT_WORKDAYS = env_int("COMPLAINT_ACCEPT_WORKDAYS", 3)  # 条例 art. 61: accepted or not in 3 working days
COMPLAINT_DECIDE_WORKDAYS = env_int("COMPLAINT_DECIDE_WORKDAYS", 30)  # 条例 art. 61: decided in 30 working days
GP_OBJECTION_WORKDAYS = env_int("GP_OBJECTION_WORKDAYS", 7)  # 政府采购法 art. 52: 质疑 within 7 working days
GP_OBJECTION_ANSWER_WORKDAYS = env_int("GP_OBJECTION_ANSWER_WORKDAYS", 7)  # art. 53: answered within 7 working days
GP_COMPLAINT_WORKDAYS = env_int("GP_COMPLAINT_WORKDAYS", 15)  # art. 55: 投诉 within 15 working days of the answer period
GP_COMPLAINT_ACCEPT_WORKDAYS = env_int("GP_COMPLAINT_ACCEPT_WORKDAYS", 5)  # 财政部令第94号 art. 21: reviewed in 5
GP_COMPLAINT_DECIDE_WORKDAYS = env_int("GP_COMPLAINT_DECIDE_WORKDAYS", 30)  # art. 56: decided in 30 working days
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "http://127.0.0.1:8000")
# a record's document number (文号): this prefix, the year the record was issued and a serial of that year,
# e.g. 城交〔2026〕12号; assigned once per record (archive.services.record_number) and kept
RECORD_NUMBER_PREFIX = env_str("RECORD_NUMBER_PREFIX", "交易中心")

# --- background work (core/tasks.py) and notifications ---
# empty: tasks run in the web process on commit (the embedded default); a Redis URL (redis://host:6379/0): they go to
# Celery workers (`celery -A config worker`) and the periodic work below to `celery -A config beat`
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "")
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "jiaoyi")  # workers: `celery -A config worker -Q <it>`
CELERY_TASK_ACKS_LATE = True  # acknowledged when done: a worker that dies mid-task leaves it to another
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # long tasks (video): a worker takes one at a time
CELERY_TASK_IGNORE_RESULT = True  # results live in core.models.Job
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# an unacknowledged task (its worker killed) goes back to the queue after this many seconds; longer than any task
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 3 * 3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_BEAT_SCHEDULE = {
    "run-deadlines": {"task": "core.run", "schedule": 60.0,
                      "args": ["trading.tasks:run_deadlines", [], {}]},
    "reconcile-recordings": {"task": "core.run", "schedule": 3600.0,
                             "args": ["recordings.tasks:reconcile_recordings", [], {}]},
    "purge-recordings": {"task": "core.run", "schedule": 24 * 3600.0,
                         "args": ["recordings.tasks:purge_recordings", [], {}]},
    "make-playback-copies": {"task": "core.run", "schedule": 600.0,
                             "args": ["recordings.tasks:make_playback_copies", [], {}]},
    # a safety net under the sequencer thread of each web process (or the audit_sequencer process): whatever
    # waits is sequenced well within AUDIT_MAX_MERGE_DELAY_SECONDS even if no commit wakes a sequencer
    "audit-sequence": {"task": "core.run", "schedule": 20.0,
                       "args": ["audit.sequencer:sequence_pending", [], {}]},
    "audit-checkpoint": {"task": "core.run", "schedule": 3600.0,
                         "args": ["audit.checkpoints:publish", ["hourly"], {}]},
    "notify-new-findings": {"task": "core.run", "schedule": 3600.0,
                            "args": ["inspection.tasks:notify_new_findings", [], {}]},
}
# mail (notifications): a file per message under var/mail by default; EMAIL_BACKEND=
# django.core.mail.backends.smtp.EmailBackend with EMAIL_HOST etc. for a real server
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "noreply@jiaoyi.invalid")

# --- the audit history ---
# django-simple-history's switch: the history cannot be off (system check audit.E001 refuses anything else)
SIMPLE_HISTORY_ENABLED = True

# --- the inspectors' risk findings (inspection/findings.py) ---
AUDIT_OFFICE_HOURS = env_str("AUDIT_OFFICE_HOURS", "08:30-18:00")  # Asia/Shanghai, Monday to Friday
AUDIT_FAILED_LOGIN_THRESHOLD = env_int("AUDIT_FAILED_LOGIN_THRESHOLD", 3)  # failed logins of one name in a day
AUDIT_WINS_THRESHOLD = env_int("AUDIT_WINS_THRESHOLD", 2)  # wins, and more than twice the chance
AUDIT_NEAR_DEADLINE_MINUTES = env_int("AUDIT_NEAR_DEADLINE_MINUTES", 60)
AUDIT_PDF_MAX_ROWS = env_int("AUDIT_PDF_MAX_ROWS", 2000)
# a frozen pool of at most this many candidates is a finding (default: FPS_MIN_CANDIDATES + 1, barely enough)
AUDIT_THIN_POOL = env_int("AUDIT_THIN_POOL", FPS_MIN_CANDIDATES + 1)
# where checkpoints are published: a dotted path to a CheckpointStore class; empty = the write-once object store
# (S3 with object lock when S3_ENDPOINT is set); audit.checkpoints.FileCheckpointStore = plain files in var/
AUDIT_CHECKPOINT_STORE = env_str("AUDIT_CHECKPOINT_STORE", "")
AUDIT_CHECKPOINT_RETENTION_DAYS = env_int("AUDIT_CHECKPOINT_RETENTION_DAYS", 15 * 366)  # as long as the dossiers
# audit_verify warns when the last published checkpoint is older than this (publish at least hourly)
AUDIT_CHECKPOINT_MAX_AGE_MINUTES = env_int("AUDIT_CHECKPOINT_MAX_AGE_MINUTES", 60)
# --- the ledger as a transparency log (audit/merkle.py, audit/sequencer.py; docs/transparency.md) ---
# the log's name in its signed checkpoints (C2SP checkpoint origin): one per centre, never reused
AUDIT_LOG_ORIGIN = env_str("AUDIT_LOG_ORIGIN", "ggzy.example.cn/audit-log")
# "thread": a sequencer thread in each process, woken by the commits that wrote entries (`make run`, one process);
# "commit": the committing thread sequences at once (the tests: deterministic); "worker": only
# `manage.py audit_sequencer --loop` (or its periodic task) assigns tree positions
AUDIT_SEQUENCER = env_str("AUDIT_SEQUENCER", "thread")
AUDIT_SEQUENCER_BATCH = env_int("AUDIT_SEQUENCER_BATCH", 2000)  # entries per batch
AUDIT_SEQUENCER_INTERVAL_MS = env_int("AUDIT_SEQUENCER_INTERVAL_MS", 200)  # a sequencer's pause between batches
# the log's maximum merge delay: receipts promise a tree position within it; audit_verify reports entries
# waiting longer
AUDIT_MAX_MERGE_DELAY_SECONDS = env_int("AUDIT_MAX_MERGE_DELAY_SECONDS", 60)
# witnesses whose cosignatures the platform accepts and shows: C2SP verifier keys (name+hash+base64 key),
# comma-separated; the discipline inspection commission's witness key goes here
AUDIT_WITNESS_KEYS = env_list("AUDIT_WITNESS_KEYS", "")

# --- the centre's signing key (checkpoints, receipts, dossier manifests: core/signing.py) ---
# an Ed25519 private key in PEM; created (mode 0600) on first use when the file does not exist
SIGNING_KEY_PATH = Path(env_str("SIGNING_KEY_PATH", str(VAR_DIR / "keys" / "centre-ed25519.pem")))
# verifier keys of earlier, rotated signing keys, still accepted for what they signed (comma-separated vkeys)
SIGNING_OLD_KEYS = env_list("SIGNING_OLD_KEYS", "")

# --- object storage (recordings/, archive/, checkpoints) ---
OBJECT_STORE_DIR = Path(env_str("OBJECT_STORE_DIR", str(VAR_DIR / "objects")))
S3_ENDPOINT = env_str("S3_ENDPOINT", "")
S3_ACCESS_KEY = env_str("S3_ACCESS_KEY", "")
S3_SECRET_KEY = env_str("S3_SECRET_KEY", "")
S3_BUCKET = env_str("S3_BUCKET", "jiaoyi")
S3_SECURE = env_bool("S3_SECURE", False)

# --- production hardening (DEBUG=0) ---
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
# with S3, playback and contact sheets load from presigned URLs on the S3 endpoint: only that origin is added
_OBJECTS = f" {'https' if S3_SECURE else 'http'}://{S3_ENDPOINT}" if S3_ENDPOINT else ""
CONTENT_SECURITY_POLICY = (
    f"default-src 'self'; img-src 'self' data: blob:{_OBJECTS}; media-src 'self' blob:{_OBJECTS}; style-src 'self'; "
    "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
)
