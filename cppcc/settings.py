"""One settings module, read from the environment.

Nothing set: SQLite in the project folder, Celery tasks run inline, DEBUG off. This is the
embedded default that `python manage.py demo` runs on.
DATABASE_URL=postgres://… : PostgreSQL. REDIS_URL=redis://… : a real broker and the Redis cache.
DJANGO_ENV=production : SECRET_KEY and ALLOWED_HOSTS must come from the environment, and the
HTTPS hardening that `check --deploy` asks for is on.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env.bool("DJANGO_DEBUG", default=False)

if PRODUCTION:
    # No fallback: a production deployment that forgot these must not start.
    try:
        SECRET_KEY = env.str("SECRET_KEY")
        ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
    except ImproperlyConfigured as exc:
        raise ImproperlyConfigured(
            "DJANGO_ENV=production needs SECRET_KEY and ALLOWED_HOSTS in the environment"
        ) from exc
else:
    SECRET_KEY = env.str(
        "SECRET_KEY", default="cppcc-development-only-key-never-use-in-production-0123456789"
    )
    # Development and the demo: any host, so `demo 0.0.0.0:8000` can be opened from a phone.
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["*"])

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "import_export",
    # Two-factor sign-in for staff (cppcc.two_factor); TOTP devices only.
    "django_otp",
    "django_otp.plugins.otp_totp",
    # axes with a Chinese name in the admin (it ships no zh_Hans translation).
    "cppcc.apps.AxesConfig",
    "cppcc",
    "members",
    "studios",
    "consultations",
    "proposals",
    "reports",
]

MIDDLEWARE = [
    # First: answers /healthz/ before anything validates the Host header (docker-compose's
    # health check calls 127.0.0.1, which production ALLOWED_HOSTS rightly does not list).
    "cppcc.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # One audit row per write, login, logout, lockout, download and reveal (cppcc.audit).
    "cppcc.audit.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "cppcc.middleware.SessionLimitMiddleware",
    "cppcc.middleware.PasswordChangeRequiredMiddleware",
    "cppcc.middleware.TodoBadgeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during login into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cppcc.urls"
WSGI_APPLICATION = "cppcc.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cppcc.context_processors.chrome",
            ],
        },
    },
]

# Widgets rendered in Python where Django's templates give the same HTML (cppcc/form_renderer.py).
FORM_RENDERER = "cppcc.form_renderer.FastRenderer"

# --- Database -------------------------------------------------------------------------------
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        # No JIT: a page's figures are one statement of many small aggregates, whose estimated
        # cost crosses jit_above_cost at ten counties' scale; compiling it took 320 ms of the
        # office home's 500 (issue 13). Short web queries never win it back.
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = (options.get("options", "") + " -c jit=off").strip()
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            # A Path, as Django's own template writes it (CPPCC_SQLITE_PATH: another file,
            # e.g. CI's walk of the demo beside a developer's own).
            "NAME": Path(env.str("CPPCC_SQLITE_PATH", default=str(BASE_DIR / "db.sqlite3"))),
            "OPTIONS": {
                # WAL lets the dev server and an inline task read while another request writes;
                # busy_timeout makes a second writer wait instead of failing at once.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "cppcc.User"

# --- Cache and Celery -----------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Parallel test processes (pytest-xdist) share one Redis database: each keeps its
            # own keys, so one's writes do not move the other's generations (cppcc.generations).
            "KEY_PREFIX": env.str("PYTEST_XDIST_WORKER", default=""),
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
    # Every logged-in request reads its session: from Redis, with the database row kept as the
    # record (a Redis restart logs nobody out). Not with the per-process locmem cache, where one
    # worker would keep a session another has ended.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    # No broker configured: run tasks inline so the embedded default needs no worker.
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True

# Reliable-task settings (stack.md): a task whose worker dies is requeued, not lost.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# reject_on_worker_lost requeues a task whose pool *child* dies; when the whole worker is killed
# (SIGKILL, OOM, host loss) nobody rejects it, and Redis hands it out again only once it has been
# unacknowledged for visibility_timeout seconds (swept at startup and every interval × throttle
# seconds). The trade-off: a running task older than the timeout is delivered a second time, so
# it must exceed CELERY_TASK_TIME_LIMIT and any countdown/ETA; a longer one delays the recovery
# of a killed worker's tasks. The default (1 h, ~100 s sweeps) favours never running twice;
# tests/cppcc/test_task_reliability.py lowers it to see a redelivery within seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=10),
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_BEAT_SCHEDULE: dict = {
    # Flags stalled "一镇一事" matters to their town clerks and warns units of near deadlines.
    "consultations-reminders": {
        "task": "consultations.tasks.send_matter_reminders",
        "schedule": crontab(hour=8, minute=30),
    },
    # Warns units of proposal replies falling due and tells them and the office of overdue ones.
    "proposals-reminders": {
        "task": "proposals.tasks.send_proposal_reminders",
        "schedule": crontab(hour=8, minute=40),
    },
    # Safety net for the duty ledger: duties whose day has passed (duty days, meetings) count.
    "members-duty-ledger": {
        "task": "members.tasks.rebuild_duty_ledger_recent",
        "schedule": crontab(hour=2, minute=15),
    },
    # Removes audit rows older than CPPCC_AUDIT_RETENTION_DAYS (at least 184; cppcc.audit).
    "cppcc-prune-audit": {
        "task": "cppcc.tasks.prune_audit",
        "schedule": crontab(hour=3, minute=15),
    },
}

# --- Auth, sessions, lockout ----------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not a rule: Django calls its password_changed() after every saved set_password(), whatever
    # the path (own change, administrator's reset, the Django admin), so the API tokens go too.
    {"NAME": "cppcc.api_auth.RevokeTokensOnPasswordChange"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Five wrong passwords lock one user name from one address; an address is locked for every name
# only after CPPCC_LOGIN_ADDRESS_FAILURE_LIMIT failures, since an office or town hall reaches us
# through one NAT address and several people there may mistype (cppcc.lockout).
AXES_FAILURE_LIMIT = "cppcc.lockout.failure_limit"
CPPCC_LOGIN_FAILURE_LIMIT = env.int("CPPCC_LOGIN_FAILURE_LIMIT", default=5)
CPPCC_LOGIN_ADDRESS_FAILURE_LIMIT = env.int("CPPCC_LOGIN_ADDRESS_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "cppcc.lockout.LockoutHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Absolute limit; the 30-minute idle limit is enforced by cppcc.middleware.SessionLimitMiddleware.
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_IDLE_TIMEOUT = 30 * 60
SESSION_ABSOLUTE_TIMEOUT = 12 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# API tokens (cppcc.api_auth) are refused this many hours after they were issued.
CPPCC_TOKEN_TTL_HOURS = env.int("CPPCC_TOKEN_TTL_HOURS", default=12)
# A password that passed but whose two-factor code has not come within this many seconds is
# forgotten (cppcc.two_factor).
CPPCC_OTP_PENDING_SECONDS = 5 * 60
# The name authenticator apps show next to the code.
OTP_TOTP_ISSUER = "政协履职"

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Uploads are served only by views that check access (cppcc.files); behind nginx, set this to an
# `internal` location aliasing MEDIA_ROOT and the proxy sends the bytes (X-Accel-Redirect).
CPPCC_MEDIA_ACCEL_PREFIX = env.str("CPPCC_MEDIA_ACCEL_PREFIX", default="")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default=(
                "whitenoise.storage.CompressedManifestStaticFilesStorage"
                if PRODUCTION
                else "django.contrib.staticfiles.storage.StaticFilesStorage"
            ),
        )
    },
}
# The demo server runs without DEBUG; whitenoise serves static files straight from the finders.
WHITENOISE_USE_FINDERS = not PRODUCTION
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# The largest file a person may upload (cppcc.uploads.validate_upload), in MB.
CPPCC_UPLOAD_MAX_MB = env.int("CPPCC_UPLOAD_MAX_MB", default=20)
# How long audit rows are kept before the nightly prune (cppcc.audit.prune refuses < 184).
CPPCC_AUDIT_RETENTION_DAYS = env.int("CPPCC_AUDIT_RETENTION_DAYS", default=184)
# Where the CJK font cut for Word documents is kept (cppcc.documents.base_font: cut once per
# machine, 8 s of CPU; each document's subset is then cut from it in a tenth of a second).
CPPCC_FONT_CACHE_DIR = env.path("CPPCC_FONT_CACHE_DIR", default=BASE_DIR / ".cache" / "fonts")

# --- Email ----------------------------------------------------------------------------------
# Development prints mail to the console; production sends through SMTP (EMAIL_HOST …).
_email_backend = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
_mailer: dict = {"BACKEND": _email_backend}
if _email_backend.endswith("smtp.EmailBackend"):
    _mailer["OPTIONS"] = {
        "host": env.str("EMAIL_HOST", default="localhost"),
        "port": env.int("EMAIL_PORT", default=25),
        "username": env.str("EMAIL_HOST_USER", default=""),
        "password": env.str("EMAIL_HOST_PASSWORD", default=""),
        "use_tls": env.bool("EMAIL_USE_TLS", default=False),
    }
elif _email_backend.endswith("filebased.EmailBackend"):
    _mailer["OPTIONS"] = {"file_path": env.str("EMAIL_FILE_PATH", default=str(BASE_DIR / "mail"))}
MAILERS = {"default": _mailer}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="政协履职 <noreply@localhost>")

# --- Security -------------------------------------------------------------------------------
# Everything is served from this server: no CDN, no web font (government intranets are offline).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Django's own page is English and outside the layout.
CSRF_FAILURE_VIEW = "cppcc.views.csrf_failure"
SESSION_COOKIE_HTTPONLY = True
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True


# --- Django REST framework and the schema ---------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # DRF's token check with an expiry, refusing a login that still has a temporary password.
        # First, so that a missing or expired token is a 401 with `WWW-Authenticate: Token`.
        "cppcc.api_auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["cppcc.api.IsStaffOrScopedReadOnly"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    # The browsable API renders forms and filter dropdowns for people to click; in production
    # only programs call the API, so it answers JSON alone.
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        *([] if PRODUCTION else ["rest_framework.renderers.BrowsableAPIRenderer"]),
    ],
    "DEFAULT_PAGINATION_CLASS": "cppcc.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "cppcc.api_schema.AutoSchema",
    "EXCEPTION_HANDLER": "cppcc.api_errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "政协履职 API",
    "DESCRIPTION": "县级政协履职平台的接口。令牌或会话认证；数据范围与页面一致。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# --- Product settings -----------------------------------------------------------------------
# A town studio outside this size is flagged on the studio list (seed 000: 5–12 per town).
CPPCC_TOWN_STUDIO_SIZE = (
    env.int("CPPCC_TOWN_STUDIO_MIN", default=5),
    env.int("CPPCC_TOWN_STUDIO_MAX", default=12),
)
CPPCC_COUNTY_NAME = env.str("CPPCC_COUNTY_NAME", default="綦江区")
# A matter with no step move for this many days is flagged stalled and its town clerk told.
CPPCC_MATTER_STALL_DAYS = env.int("CPPCC_MATTER_STALL_DAYS", default=30)
# Handling units are reminded this many days before a matter's deadline.
CPPCC_MATTER_DEADLINE_WARN_DAYS = env.int("CPPCC_MATTER_DEADLINE_WARN_DAYS", default=7)
# Proposals (proposals.workflow, proposals.reminders): co-signers confirm within this many days;
# a unit's reply is due this many months after assignment, a re-handled one this many days
# after the 不满意 rating; units are warned this many days before the due date, and the office
# is told again when a reply is this many days overdue.
CPPCC_COSIGN_DAYS = env.int("CPPCC_COSIGN_DAYS", default=3)
CPPCC_PROPOSAL_REPLY_MONTHS = env.int("CPPCC_PROPOSAL_REPLY_MONTHS", default=3)
CPPCC_PROPOSAL_REHANDLE_DAYS = env.int("CPPCC_PROPOSAL_REHANDLE_DAYS", default=30)
CPPCC_PROPOSAL_DUE_WARN_DAYS = env.int("CPPCC_PROPOSAL_DUE_WARN_DAYS", default=7)
CPPCC_PROPOSAL_LONG_OVERDUE_DAYS = env.int("CPPCC_PROPOSAL_LONG_OVERDUE_DAYS", default=30)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
