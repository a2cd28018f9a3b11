"""Settings for every profile, read from the environment.

``OUTREACH_PROFILE`` picks the profile:

* ``embedded`` (default): SQLite in ``var/``, a file-system Celery broker, media served by
  Django itself; needs no server and no configuration.
* ``production``: refuses to start without ``SECRET_KEY`` and ``ALLOWED_HOSTS``; HTTPS-only
  cookies and HSTS; ``DATABASE_URL`` (PostgreSQL) and ``CELERY_BROKER_URL`` (Redis or
  RabbitMQ) are expected.

See ``.env.example`` for every variable.
"""

import datetime
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from .env import (
    embedded_base_url,
    embedded_secret_key,
    env_bool,
    env_groups,
    env_int,
    env_list,
    env_str,
    redact_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("OUTREACH_VAR_DIR", str(BASE_DIR / "var")))

PROFILE = env_str("OUTREACH_PROFILE", "embedded")
if PROFILE not in {"embedded", "production"}:
    raise ImproperlyConfigured(
        f"OUTREACH_PROFILE={PROFILE!r} is unknown: use 'embedded' or 'production'."
    )
PRODUCTION = PROFILE == "production"

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if SECRET_KEY is None:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. The production profile needs a long random secret key, "
            "e.g. SECRET_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    SECRET_KEY = embedded_secret_key(VAR_DIR)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is not set. List the site's host names, e.g. ALLOWED_HOSTS=sy.example.gov.cn"
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "outreach_site.apps.OutreachSiteConfig",
    "publicity",
    "publicity.inbox",
    "media_schedule",
    "media_schedule.channels.led",
    "media_schedule.coverage",
    "media_schedule.channels.broadcast",
    "media_schedule.calendar",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "outreach_site.apps.UsersConfig",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    # Login throttling: failed attempts are recorded in the database, shared by all processes.
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside the page cache, so copies served from it carry the same policy headers.
    "outreach_site.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "outreach_site.middleware.DefaultLanguageMiddleware",
    # ETag and 304 answers for every page, including copies served from the page cache.
    "django.middleware.http.ConditionalGetMiddleware",
    # Whole public pages for visitors without a session; see publicity/cache.py.
    "publicity.cache.AnonymousPageCacheMiddleware",
    # Public page views find their Wagtail site and home page in one query.
    "publicity.middleware.PublicSiteMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Permission checks for Wagtail admin views that make none (choosers, admin API).
    "outreach_site.admin_access.AdminAccessMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes requires: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "outreach_site.urls"
WSGI_APPLICATION = "outreach_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------

SQLITE_PATH = VAR_DIR / "db.sqlite3"
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{SQLITE_PATH}")
try:
    _database = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
except ValueError as error:
    raise ImproperlyConfigured(
        f"DATABASE_URL={redact_url(DATABASE_URL)!r} cannot be used: {error}. "
        "Expected e.g. postgres://user:password@host:5432/dbname or sqlite:////path/db.sqlite3."
    ) from None

if _database["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # Web, worker and beat share the file: wait for locks instead of failing at once, and
    # take the write lock at BEGIN so two writers never deadlock on a lock upgrade.
    # Connections persist (DB_CONN_MAX_AGE) as on PostgreSQL: opening one costs about a
    # millisecond a request. The worker's reuse is CELERY_DB_REUSE_MAX's (below).
    _database["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not memory, so that worker processes started by tests see the test database.
    _database["TEST"] = {"NAME": str(VAR_DIR / "test_db.sqlite3")}
else:
    _database["CONN_HEALTH_CHECKS"] = True
    _database.setdefault("OPTIONS", {})["connect_timeout"] = env_int("DB_CONNECT_TIMEOUT", 5)
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "outreach",
    }
}
if env_str("CACHE_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_str("CACHE_URL"),
    }

# --- Internationalisation -------------------------------------------------------------------

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

# --- Static files and media -----------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").is_dir() else []
# The calendar's FullCalendar build, installed from package.json by `npm ci` (scripts/start,
# scripts/test; production runs it before collectstatic) and served as our own static files.
STATICFILES_DIRS += [
    (prefix, BASE_DIR / "node_modules" / folder)
    for prefix, folder in (
        ("vendor/fullcalendar", "fullcalendar"),
        ("vendor/fullcalendar/locales", "@fullcalendar/core/locales"),
    )
    if (BASE_DIR / "node_modules" / folder).is_dir()
]
MEDIA_URL = env_str("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Documents, LED packages and unfinished uploads: never under MEDIA_URL (site/storage.py).
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")))
# Embedded runs serve public uploads (images) through Django so nothing else is needed;
# production puts a front server in front of MEDIA_ROOT instead.
SERVE_MEDIA = env_bool("SERVE_MEDIA", not PRODUCTION)
STORAGES = {
    "default": {"BACKEND": "outreach_site.storage.MediaStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_MAX_AGE = 3600

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Wagtail --------------------------------------------------------------------------------

WAGTAIL_SITE_NAME = env_str("SITE_NAME", "双拥专栏")
# The embedded run's address is the one scripts/start served last (var/base_url), so that
# commands run beside it (manage.py health, the worker) agree with the web server.
WAGTAILADMIN_BASE_URL = (
    env_str("BASE_URL")
    or (None if PRODUCTION else embedded_base_url(VAR_DIR))
    or "http://127.0.0.1:8000"
)
# Wagtail offers every time zone the server knows, some of which browsers reject; the office
# works in Beijing time.
WAGTAIL_USER_TIME_ZONES = ["Asia/Shanghai"]
WAGTAIL_I18N_ENABLED = False
# Government intranets allow no calls to outside hosts: no release check on the dashboard,
WAGTAIL_ENABLE_UPDATE_CHECK = False
# and no avatars fetched from gravatar.com (the admin shows its default avatar instead).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Wagtail's database backend, with Chinese split into characters so the admin finds it.
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "publicity.search_backend"}}
# Audio and video uploads are allowed: article bodies carry radio and TV clips.
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAILDOCS_EXTENSIONS += ["mp3", "m4a", "wav", "ogg", "mp4", "webm"]
# Documents always go through Wagtail's view, which checks collection privacy.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 60_000_000
WAGTAIL_DATE_FORMAT = "%Y-%m-%d"
WAGTAIL_DATETIME_FORMAT = "%Y-%m-%d %H:%M"
# Not a Wagtail setting: publicity/wagtail_hooks.py reads it and removes the direct "publish"
# path for pages under a workflow, so publishing needs the 三审 approval.
WAGTAIL_WORKFLOW_REQUIRE_APPROVAL_TO_PUBLISH = True

# Public pages: browser/proxy max-age, server-side page cache lifetime, consent warning.
PUBLICITY_PAGE_MAX_AGE = env_int("PUBLICITY_PAGE_MAX_AGE", 300)
PUBLICITY_PAGE_CACHE_SECONDS = env_int("PUBLICITY_PAGE_CACHE_SECONDS", 120)
# Renewed on every publish or view-restriction change; each process checks it (publicity/cache.py).
PUBLICITY_PAGE_CACHE_STAMP = VAR_DIR / "page-cache.stamp"
PUBLICITY_CONSENT_WARNING_DAYS = 30

# --- Celery ---------------------------------------------------------------------------------

CELERY_DIR = VAR_DIR / "celery"
# A host name keeps kombu from warning; the file-system transport ignores it.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://localhost/")
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # Served by site/broker.py, not kombu's own file-system transport, which can hand a
    # consumer a message file before it is written (the Celery app registers it).
    for _folder in ("queue", "staging", "claimed", "damaged", "control", "results"):
        (CELERY_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # One folder that every process reads and writes; the others must be on the
        # same file system, as messages move between them by rename.
        "data_folder_in": str(CELERY_DIR / "queue"),
        "data_folder_out": str(CELERY_DIR / "queue"),
        "staging_folder": str(CELERY_DIR / "staging"),
        "claimed_folder": str(CELERY_DIR / "claimed"),
        "damaged_folder": str(CELERY_DIR / "damaged"),
        "control_folder": str(CELERY_DIR / "control"),
        # Each poll takes one message; kombu's default of 1 s caps the embedded worker at
        # about one task a second, too slow for the dispatcher's bursts of due placements.
        "polling_interval": 0.1,
    }
    CELERY_RESULT_BACKEND = CELERY_RESULT_BACKEND or f"file://{CELERY_DIR / 'results'}"
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
    if CELERY_RESULT_BACKEND is None and CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
        CELERY_RESULT_BACKEND = CELERY_BROKER_URL
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Acknowledge after the work is done, and requeue if the worker dies: the database row
# stays the record of what is due, so a repeated message is harmless.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fix-up closes the database connection around every task unless this is
# set; a delivery then paid for a new PostgreSQL connection each time. Broken or aged
# connections are still dropped after each task (media_schedule.tasks).
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 1000)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 120)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 180)
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 5
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Written by the embedded run's supervisor (manage.py run_embedded); read by manage.py
# health and the admin dashboard. Production, which has no such supervisor, has no file.
EMBEDDED_STATUS_FILE = VAR_DIR / "run" / "embedded.json"

# --- Dispatcher (media_schedule) ------------------------------------------------------------

# Adapters added or replaced per outlet kind, as "kind=dotted.path.Class" pairs.
OUTREACH_CHANNELS = {}
for _pair in env_list("OUTREACH_CHANNELS", []):
    _kind, _sep, _path = _pair.partition("=")
    if not _sep or not _kind.strip() or not _path.strip():
        raise ImproperlyConfigured(
            f"OUTREACH_CHANNELS entry {_pair!r} is not kind=dotted.path.Class."
        )
    OUTREACH_CHANNELS[_kind.strip()] = _path.strip()
OUTREACH_DISPATCH = {
    "TICK_SECONDS": env_int("DISPATCH_TICK_SECONDS", 2),
    # Longer than the delivery task's hard time limit, so a live task never loses its lease.
    "LEASE_SECONDS": env_int("DISPATCH_LEASE_SECONDS", CELERY_TASK_TIME_LIMIT + 60),
    "MAX_ATTEMPTS": env_int("DISPATCH_MAX_ATTEMPTS", 8),
    "RETRY_BASE_MS": env_int("DISPATCH_RETRY_BASE_MS", 30_000),
    "RETRY_CAP_SECONDS": env_int("DISPATCH_RETRY_CAP_SECONDS", 3600),
    "BATCH": env_int("DISPATCH_BATCH", 500),
    "CONFIRM_INTERVAL_SECONDS": env_int("DISPATCH_CONFIRM_INTERVAL_SECONDS", 15),
    "MAX_CHECKS": env_int("DISPATCH_MAX_CHECKS", 40),
}
CELERY_BEAT_SCHEDULE: dict = {
    # The dispatcher's trigger. Beat may fire late or twice: the tick reads what is due
    # from the database, so a missed or doubled tick delays nothing and sends nothing twice.
    "dispatch-placements": {
        "task": "media_schedule.tick_dispatcher",
        "schedule": float(OUTREACH_DISPATCH["TICK_SECONDS"]),
        # Ticks that waited behind a burst of deliveries still run; older ones are dropped.
        "options": {"expires": 10.0 * OUTREACH_DISPATCH["TICK_SECONDS"]},
    },
}

CELERY_BEAT_SCHEDULE.update(
    {
        # Go-live and expiry of pages (Wagtail's publish_scheduled), every minute rather than
        # the hourly cron Wagtail's docs suggest.
        "publicity-publish-scheduled": {
            "task": "publicity.publish_scheduled_pages",
            "schedule": 60.0,
        },
        # Exemplars whose consent to be shown has lapsed leave the public site.
        "publicity-unpublish-lapsed-exemplars": {
            "task": "publicity.unpublish_lapsed_exemplars",
            "schedule": 3600.0,
        },
        # Incoming feeds: each due source gets one poll task; its own interval and back-off
        # live on the source, so a late or doubled tick polls nothing twice.
        "inbox-poll-due-feed-sources": {
            "task": "inbox.poll_due_feed_sources",
            "schedule": 60.0,
            "options": {"expires": 120.0},
        },
    }
)

# --- E-mail ---------------------------------------------------------------------------------

# Wagtail mails reviewers when a page waits for them (三审). The embedded run has no mail
# server: messages are written to var/mail/ instead of failing. EMAIL_HOST switches to SMTP.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "noreply@localhost")
WAGTAILADMIN_NOTIFICATION_FROM_EMAIL = DEFAULT_FROM_EMAIL
if env_str("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env_str("EMAIL_HOST")
    EMAIL_PORT = env_int("EMAIL_PORT", 465)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", EMAIL_PORT == 465)
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    EMAIL_TIMEOUT = 10
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"

# --- Security -------------------------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
# Wagtail's admin shows page previews in a same-origin iframe: DENY would blank them.
X_FRAME_OPTIONS = "SAMEORIGIN"
SILENCED_SYSTEM_CHECKS = ["security.W019"]
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Proxies in front of the web server that append the client's address to X-Forwarded-For
# (nginx: one). 0 trusts no such header: a client could write any address into it.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Login throttling (django-axes): after LOGIN_FAILURE_LIMIT failed logins for one account or
# from one address, further logins there are refused for LOGIN_LOCKOUT_MINUTES, the right
# password too. Unlock early with `manage.py axes_reset_username NAME` or `axes_reset_ip ADDR`.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
# "username,ip_address" locks an account and an address each on its own; a "+" joins
# parameters, e.g. "username+ip_address" locks an account only from the guessing address.
AXES_LOCKOUT_PARAMETERS = env_groups(
    "LOGIN_LOCKOUT_BY", ["username", "ip_address"], choices={"username", "ip_address", "user_agent"}
)
# Attempts while locked do not extend the lockout: it ends on time for the real user.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "outreach_site.lockout.client_ip"
AXES_LOCKOUT_CALLABLE = "outreach_site.lockout.lockout_response"

# Content-Security-Policy of public pages (site/middleware.py); the admin has none, as
# Wagtail's admin relies on inline scripts. CSP_FRAME_SRC adds hosts whose players article
# bodies may embed; uploads served from another host (MEDIA_URL) are allowed automatically.
CSP_FRAME_SRC = env_list("CSP_FRAME_SRC", [])
CSP_REPORT_ONLY = env_bool("CSP_REPORT_ONLY", False)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    # A screen's ?token= in a logged URL, or a bearer token, is written as ***.
    "filters": {"mask_secrets": {"()": "outreach_site.log_masking.MaskSecretsFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["mask_secrets"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Masked where logged, so Django's own handlers (mail to ADMINS) never see a token.
        "django.request": {"filters": ["mask_secrets"]},
        # Wagtail runs its search-index updates as background tasks that log every step.
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        # httpx logs every request URL; WeChat's carry the AppSecret and the access token.
        "httpx": {"level": "WARNING"},
        # Failed logins and lockouts are warnings; the start-up banner of every command is not.
        "axes": {"level": "WARNING"},
        # WeasyPrint and fontTools narrate every step of every PDF they make.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
