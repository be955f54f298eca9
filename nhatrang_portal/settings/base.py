"""Every setting of the portal lives here; dev/test/production only override.

Values come from the environment (django-environ). A first run needs no configuration:
SQLite, Celery tasks run eagerly, SMS and email go to the console.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="dev-insecure-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "core",
    "accounts",
    "procedures",
    "dossiers",
    "feedback",
    "satisfaction",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.VietnameseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Staff pages deny by default; public views opt out with @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "nhatrang_portal.urls"
WSGI_APPLICATION = "nhatrang_portal.wsgi.application"

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
                "core.context_processors.portal",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
# SQLite is the embedded default for a first run; production and CI use PostgreSQL.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections: opening one per request costs ~3 ms of a 25 ms budget (bench/).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ---------------------------------------------------------------------------------
# Redis in production (rate limits need a shared cache); local memory for a first run.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://portal")}

# --- Auth ----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:staff-home"
LOGOUT_REDIRECT_URL = "core:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-axes: lock a username+IP pair out after repeated failed logins.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# --- Internationalisation ------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

# --- Static and media ----------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Downloadable procedure forms (public). Dossier scans will use a private storage.
PROCEDURE_FORM_MAX_BYTES = env.int("PROCEDURE_FORM_MAX_BYTES", default=10 * 1024 * 1024)
PROCEDURE_FORM_EXTENSIONS = ["pdf", "doc", "docx", "odt", "xls", "xlsx"]

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Celery --------------------------------------------------------------------------------
# No broker configured -> tasks run eagerly in-process (first run, no Redis needed).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
CELERY_BEAT_SCHEDULE: dict = {}

# --- Working calendar (core.calendar) ------------------------------------------------------
# Office hours of a working day; a day-based period ends when the office closes on its last day.
# Decree 61/2018 sets no hours; these are the usual Khánh Hòa office hours [U: DOMAIN.md §3.6].
OFFICE_HOURS = [
    (
        env.str("OFFICE_MORNING_OPENS", default="07:00"),
        env.str("OFFICE_MORNING_CLOSES", default="11:30"),
    ),
    (
        env.str("OFFICE_AFTERNOON_OPENS", default="13:30"),
        env.str("OFFICE_AFTERNOON_CLOSES", default="17:00"),
    ),
]
# A dossier received after this time counts as received on the next working day
# (DOMAIN.md §3.3, rule [U]: configurable, and overridable per procedure).
RECEIPT_CUTOFF = env.str("RECEIPT_CUTOFF", default="15:00")
# Holidays come from python-holidays for this country, in this language.
HOLIDAYS_COUNTRY = env.str("HOLIDAYS_COUNTRY", default="VN")
HOLIDAYS_LANGUAGE = env.str("HOLIDAYS_LANGUAGE", default="vi")

# --- Portal --------------------------------------------------------------------------------
NATIONAL_PORTAL_URL = env.str("NATIONAL_PORTAL_URL", default="https://dichvucong.gov.vn")
CATALOGUE_PAGE_SIZE = env.int("CATALOGUE_PAGE_SIZE", default=20)

# --- Security ------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- Logging -------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- Dossiers (rules not verified in the legal text are settings: DOMAIN.md §3.5, §14) -------
# How many times a dossier's result date may be rescheduled with an apology ("không quá một lần").
DOSSIER_MAX_RESCHEDULES = env.int("DOSSIER_MAX_RESCHEDULES", default=1)
# The apology must be issued at least this many working days before the due date.
DOSSIER_APOLOGY_LEAD_WORKING_DAYS = env.int("DOSSIER_APOLOGY_LEAD_WORKING_DAYS", default=1)
# Scans attached to dossiers: private storage, allowed types and size.
DOSSIER_ATTACHMENT_ROOT = env.path(
    "DOSSIER_ATTACHMENT_ROOT", default=BASE_DIR / "private" / "attachments"
)
DOSSIER_ATTACHMENT_MAX_BYTES = env.int("DOSSIER_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
DOSSIER_ATTACHMENT_TYPES = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
}
# Public look-ups: requests per IP per minute and per dossier code per hour (django-ratelimit).
LOOKUP_RATE_PER_IP = env.str("LOOKUP_RATE_PER_IP", default="20/m")
LOOKUP_RATE_PER_CODE = env.str("LOOKUP_RATE_PER_CODE", default="10/h")
# Base URL printed in QR codes and notices (the public address of the portal).
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000")

# ==============================================================================================
# --- Notices: SMS and email to citizens (core.notices; README "Notices", .env.example) ---------
# ==============================================================================================
# Email through Django's backends: console by default (`make run`), SMTP in production, e.g.
# EMAIL_URL=smtp+tls://user:password@smtp.example.gov.vn:587
vars().update(
    {k: v for k, v in env.email_url("EMAIL_URL", default="consolemail://").items() if v is not None}
)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Bo phan Mot cua <no-reply@localhost>")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

# SMS backend: "console" (prints), "file" (appends JSON lines), "http" (a gateway, below).
NOTICE_SMS_BACKEND = env.str("NOTICE_SMS_BACKEND", default="console")
NOTICE_SMS_FILE_PATH = env.path(
    "NOTICE_SMS_FILE_PATH", default=BASE_DIR / "private" / "sms-outbox.jsonl"
)
# Off: Vietnamese folded to ASCII, GSM-7, 160 characters a message (DOMAIN.md §12.1).
# On: diacritics kept (UCS-2, 70 characters a message): raise NOTICE_SMS_MAX_SEGMENTS too.
NOTICE_SMS_UNICODE = env.bool("NOTICE_SMS_UNICODE", default=False)
NOTICE_SMS_MAX_SEGMENTS = env.int("NOTICE_SMS_MAX_SEGMENTS", default=1)
NOTICE_SMS_BRANDNAME = env.str("NOTICE_SMS_BRANDNAME", default="")
# Generic HTTP gateway (core/notices/sms.py explains the placeholders and error classes).
NOTICE_SMS_HTTP_URL = env.str("NOTICE_SMS_HTTP_URL", default="")
NOTICE_SMS_HTTP_AUTH_HEADER = env.str("NOTICE_SMS_HTTP_AUTH_HEADER", default="")
NOTICE_SMS_HTTP_BODY = env.str(
    "NOTICE_SMS_HTTP_BODY",
    default='{"to": "$phone", "text": "$text", "reference": "$reference", "unicode": "$unicode"}',
)
NOTICE_SMS_HTTP_ID_PATH = env.str("NOTICE_SMS_HTTP_ID_PATH", default="id")
NOTICE_SMS_HTTP_STATUS_PATH = env.str("NOTICE_SMS_HTTP_STATUS_PATH", default="status")
NOTICE_SMS_HTTP_OK_STATUSES = env.list("NOTICE_SMS_HTTP_OK_STATUSES", default=["accepted"])
NOTICE_SMS_HTTP_DUPLICATE_STATUSES = env.list("NOTICE_SMS_HTTP_DUPLICATE_STATUSES", default=[])
NOTICE_SMS_HTTP_TIMEOUT = env.float("NOTICE_SMS_HTTP_TIMEOUT", default=10.0)
# True only if the gateway ignores a second request with the same reference: then a send cut
# short (worker killed, timeout) is repeated; otherwise it fails for staff to check and retry.
NOTICE_SMS_HTTP_IDEMPOTENT = env.bool("NOTICE_SMS_HTTP_IDEMPOTENT", default=False)
# Delivery reports POSTed by the gateway to /thong-bao/sms/bao-nhan/ (empty token: disabled).
NOTICE_SMS_RECEIPT_TOKEN = env.str("NOTICE_SMS_RECEIPT_TOKEN", default="")
NOTICE_SMS_RECEIPT_ID_PATH = env.str("NOTICE_SMS_RECEIPT_ID_PATH", default="id")
NOTICE_SMS_RECEIPT_STATUS_PATH = env.str("NOTICE_SMS_RECEIPT_STATUS_PATH", default="status")
NOTICE_SMS_RECEIPT_DELIVERED = env.list(
    "NOTICE_SMS_RECEIPT_DELIVERED", default=["delivered", "DELIVRD"]
)
NOTICE_SMS_RECEIPT_FAILED = env.list(
    "NOTICE_SMS_RECEIPT_FAILED", default=["failed", "undelivered", "UNDELIV", "REJECTD", "EXPIRED"]
)
# Retries of transient errors: attempts in all, back-off base · 2^(n-1) seconds, capped.
NOTICE_MAX_ATTEMPTS = env.int("NOTICE_MAX_ATTEMPTS", default=6)
NOTICE_RETRY_BASE_SECONDS = env.float("NOTICE_RETRY_BASE_SECONDS", default=30.0)
NOTICE_RETRY_MAX_SECONDS = env.float("NOTICE_RETRY_MAX_SECONDS", default=1800.0)
# A "sending" row older than this was interrupted (worker died); longer than any timeout.
NOTICE_SEND_LEASE_SECONDS = env.float("NOTICE_SEND_LEASE_SECONDS", default=120.0)
# The beat job publishes pending notices left untouched this long, at most this many a run.
NOTICE_REDISPATCH_AFTER_SECONDS = env.float("NOTICE_REDISPATCH_AFTER_SECONDS", default=60.0)
NOTICE_REDISPATCH_BATCH = env.int("NOTICE_REDISPATCH_BATCH", default=2000)
# A notice not sent this long after its event is dropped as out of date (0: never).
NOTICE_EXPIRE_AFTER_HOURS = env.int("NOTICE_EXPIRE_AFTER_HOURS", default=72)
# /healthz reports "not ok" when the oldest pending notice is older than this.
NOTICE_PENDING_ALERT_SECONDS = env.int("NOTICE_PENDING_ALERT_SECONDS", default=900)

# Celery for notices: a message a worker took but never acknowledged (it died) goes back to
# the queue after this many seconds; it must exceed NOTICE_RETRY_MAX_SECONDS (retries wait
# unacknowledged in the worker). A task whose worker process is killed is re-queued too.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
}
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Celery closes a worker's database connection after every task unless told to reuse it; a new
# PostgreSQL connection costs ~4 ms, most of a notice send. Reuse it for this many tasks
# (core.tasks also drops a connection that broke or outlived CONN_MAX_AGE).
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=500)
# Every minute, publish again the notices nobody is sending: those created while the broker
# was down, and those whose worker died mid-send (core.tasks.redispatch_notices). A run that
# waited longer than a minute in the queue is dropped: the next one does the same work.
CELERY_BEAT_SCHEDULE["redispatch-pending-notices"] = {
    "task": "core.redispatch_notices",
    "schedule": 60.0,
    "options": {"expires": 55},
}

# ==============================================================================================
# --- Feedback: phản ánh, kiến nghị (feedback app; Decree 20/2008, DOMAIN.md §7) ----------------
# ==============================================================================================
# Time limits in working days, from receipt (core.calendar). Art. 9(5) sets the 5-day forwarding
# [V]; the others are the national index's (766) [S], hence settings.
FEEDBACK_REFUSE_WORKING_DAYS = env.int("FEEDBACK_REFUSE_WORKING_DAYS", default=2)
FEEDBACK_INFO_REQUEST_WORKING_DAYS = env.int("FEEDBACK_INFO_REQUEST_WORKING_DAYS", default=5)
FEEDBACK_FORWARD_WORKING_DAYS = env.int("FEEDBACK_FORWARD_WORKING_DAYS", default=5)
FEEDBACK_HANDLE_WORKING_DAYS = env.int("FEEDBACK_HANDLE_WORKING_DAYS", default=15)
# Publication after the handling decision (answer).
FEEDBACK_PUBLISH_WORKING_DAYS = env.int("FEEDBACK_PUBLISH_WORKING_DAYS", default=2)
# Items received at or after this time count from the next working day; the calendar caps it
# at closing time, so the default means "after the office has closed".
FEEDBACK_RECEIPT_CUTOFF = env.str("FEEDBACK_RECEIPT_CUTOFF", default="23:59")
# Files citizens attach: private storage, types (checked by their first bytes), size, count.
FEEDBACK_ATTACHMENT_ROOT = env.path(
    "FEEDBACK_ATTACHMENT_ROOT", default=BASE_DIR / "private" / "feedback"
)
FEEDBACK_ATTACHMENT_MAX_BYTES = env.int("FEEDBACK_ATTACHMENT_MAX_BYTES", default=5 * 1024 * 1024)
FEEDBACK_ATTACHMENT_MAX_FILES = env.int("FEEDBACK_ATTACHMENT_MAX_FILES", default=3)
FEEDBACK_ATTACHMENT_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
# Longest content / proposed solution a sender may type, in characters.
FEEDBACK_CONTENT_MAX_CHARS = env.int("FEEDBACK_CONTENT_MAX_CHARS", default=5000)
# Public pages, per IP (django-ratelimit; empty switches a limit off): sending, tracking links,
# helpful/not-helpful votes.
FEEDBACK_SUBMIT_RATE = env.str("FEEDBACK_SUBMIT_RATE", default="5/h")
FEEDBACK_TRACK_RATE = env.str("FEEDBACK_TRACK_RATE", default="30/m")
FEEDBACK_VOTE_RATE = env.str("FEEDBACK_VOTE_RATE", default="30/h")
# Published answers per page of the public archive; how many the procedure page lists.
FEEDBACK_ARCHIVE_PAGE_SIZE = env.int("FEEDBACK_ARCHIVE_PAGE_SIZE", default=20)
FEEDBACK_PROCEDURE_QA_COUNT = env.int("FEEDBACK_PROCEDURE_QA_COUNT", default=5)

# ==============================================================================================
# --- Explanations: officers' giải trình for late dossiers (dossiers app; issue 5) ---------------
# ==============================================================================================
# Plan 645/KH-VHTT V.4 asks for a written explanation of every late dossier but sets no time
# limit: the officer has this many working days (core.calendar) from the request, or from the
# leader's return, to write it [U: a local rule].
EXPLANATION_DEADLINE_WORKING_DAYS = env.int("EXPLANATION_DEADLINE_WORKING_DAYS", default=2)
# Dossiers that finished late longer ago than this many days are not asked about (the first run
# on an old database would otherwise ask about years of history); 0 = no limit.
EXPLANATION_LOOKBACK_DAYS = env.int("EXPLANATION_LOOKBACK_DAYS", default=31)
# Email the officer when an explanation is asked for or returned (Django email, the officer's
# account address; nothing is sent to an officer without one).
EXPLANATION_EMAIL_OFFICERS = env.bool("EXPLANATION_EMAIL_OFFICERS", default=True)
from celery.schedules import crontab  # noqa: E402 - kept inside this part's block

# Every morning at 07:30 (Monday to Saturday; the task skips days that are not working days,
# so a make-up working Saturday counts): ask the responsible officers to explain the dossiers
# that became overdue or finished late (dossiers.tasks.request_overdue_explanations).
CELERY_BEAT_SCHEDULE["request-overdue-explanations"] = {
    "task": "dossiers.request_overdue_explanations",
    "schedule": crontab(hour=7, minute=30, day_of_week="mon-sat"),
    "options": {"expires": 6 * 3600},
}

# ==============================================================================================
# --- Reports: weekly late-dossier report and leadership dashboard (reports app; issue 5) -------
# ==============================================================================================
# Dashboard (reports.dashboard): "at risk" = open dossiers, clock running, not yet overdue, due
# within this many working days (issue 5: 3).
DASHBOARD_AT_RISK_WORKING_DAYS = env.int("DASHBOARD_AT_RISK_WORKING_DAYS", default=3)
# Dashboard: weeks in the trend of received / finished / on-time rate (issue 5: 12).
DASHBOARD_TREND_WEEKS = env.int("DASHBOARD_TREND_WEEKS", default=12)
# Dashboard: at most this many at-risk and paused dossiers listed on the page (the rest are in
# the staff dossier list the figure links to).
DASHBOARD_ROW_LIMIT = env.int("DASHBOARD_ROW_LIMIT", default=25)
# Dashboard: how long the figures of a closed week of the trend are kept in the cache (seconds).
# They are rebuilt from recorded times and change only through a reassignment or a correction,
# which take at most this long to show in the trend.
DASHBOARD_CLOSED_WEEK_CACHE_SECONDS = env.int(
    "DASHBOARD_CLOSED_WEEK_CACHE_SECONDS", default=12 * 60 * 60
)
# Weekly report (reports.services): its Excel and PDF files hold personal data, so they live
# outside MEDIA_ROOT and are served only through the staff views.
REPORTS_FILE_ROOT = env.path("REPORTS_FILE_ROOT", default=BASE_DIR / "private" / "reports")
# Weekly report: addresses emailed besides the leaders (staff with the agency-wide figures
# permission and an email address), e.g. the one-stop desk's mailbox. Comma-separated.
REPORTS_WEEKLY_EXTRA_RECIPIENTS = env.list("REPORTS_WEEKLY_EXTRA_RECIPIENTS", default=[])
# Weekly report PDF: at most this many late dossiers are printed (open ones first); the Excel
# file always lists them all. WeasyPrint takes ~50 ms per row of that table.
REPORTS_WEEKLY_PDF_MAX_ROWS = env.int("REPORTS_WEEKLY_PDF_MAX_ROWS", default=300)
# Weekly report emails: attempts on transient mail-server errors, the first wait (doubling
# each time, capped at an hour), and how long a send may take before it counts as lost.
REPORTS_WEEKLY_EMAIL_MAX_ATTEMPTS = env.int("REPORTS_WEEKLY_EMAIL_MAX_ATTEMPTS", default=5)
REPORTS_WEEKLY_EMAIL_RETRY_SECONDS = env.int("REPORTS_WEEKLY_EMAIL_RETRY_SECONDS", default=300)
REPORTS_WEEKLY_EMAIL_LEASE_SECONDS = env.int("REPORTS_WEEKLY_EMAIL_LEASE_SECONDS", default=600)
from celery.schedules import crontab  # noqa: E402 - kept inside this part's block

# Every Monday at 07:00 Nha Trang time (CELERY_TIMEZONE): build last week's late-dossier report
# of every agency and email it to the leaders (reports.tasks.build_weekly_reports). The run is
# idempotent: a week already built is emailed, not built again.
CELERY_BEAT_SCHEDULE["weekly-late-dossier-report"] = {
    "task": "reports.build_weekly_reports",
    "schedule": crontab(hour=7, minute=0, day_of_week="mon"),
    "options": {"expires": 12 * 3600},
}

# ==============================================================================================
# --- Satisfaction: six-criteria surveys, kiosk, index (satisfaction app; issue 7) --------------
# ==============================================================================================
# Survey side (invitations, public pages, kiosk; DOMAIN.md §8.1). How long the survey link of a
# dossier works after the result was handed over, in days [U: local choice].
SATISFACTION_INVITATION_VALID_DAYS = env.int("SATISFACTION_INVITATION_VALID_DAYS", default=30)
# A score at or below this (1 "very dissatisfied", 2 "dissatisfied") opens a follow-up.
SATISFACTION_LOW_SCORE = env.int("SATISFACTION_LOW_SCORE", default=2)
# Words in a comment or expectation that open a follow-up as a complaint. Matched without
# diacritics or case (core.text.fold) on whole words; ignored right after a negation
# ("không phiền hà"). Comma-separated in the environment.
SATISFACTION_COMPLAINT_KEYWORDS = env.list(
    "SATISFACTION_COMPLAINT_KEYWORDS",
    default=[
        "không hài lòng",
        "chưa hài lòng",
        "phiền hà",
        "nhũng nhiễu",
        "tiêu cực",
        "bồi dưỡng",
        "tiền ngoài",
        "chi phí ngoài",
        "hách dịch",
        "quát tháo",
        "thái độ kém",
        "thái độ không tốt",
        "thiếu tôn trọng",
        "gây khó khăn",
        "làm khó",
        "trễ hẹn",
        "chậm trễ",
        "đi lại nhiều lần",
        "khiếu nại",
        "tố cáo",
        "bức xúc",
        "thất vọng",
    ],
)
# Longest comment / expectation a citizen may type, in characters.
SATISFACTION_TEXT_MAX_CHARS = env.int("SATISFACTION_TEXT_MAX_CHARS", default=2000)
# Public pages, per IP unless said (django-ratelimit; empty switches a limit off): the entry
# with dossier code + phone digits (per IP and per code, like the look-up), opening survey
# links, sending answers, and the kiosk (per tablet and per IP).
SATISFACTION_ENTRY_RATE_PER_IP = env.str("SATISFACTION_ENTRY_RATE_PER_IP", default="20/m")
SATISFACTION_ENTRY_RATE_PER_CODE = env.str("SATISFACTION_ENTRY_RATE_PER_CODE", default="10/h")
SATISFACTION_LINK_RATE = env.str("SATISFACTION_LINK_RATE", default="60/m")
SATISFACTION_SUBMIT_RATE = env.str("SATISFACTION_SUBMIT_RATE", default="20/h")
SATISFACTION_KIOSK_RATE_PER_DEVICE = env.str("SATISFACTION_KIOSK_RATE_PER_DEVICE", default="60/h")
SATISFACTION_KIOSK_RATE_PER_IP = env.str("SATISFACTION_KIOSK_RATE_PER_IP", default="120/h")
# Seconds the kiosk's thank-you screen stays before the empty form comes back.
SATISFACTION_KIOSK_RESET_SECONDS = env.int("SATISFACTION_KIOSK_RESET_SECONDS", default=6)
# Life of the signed cookie that enrols a tablet, in days (revoking works at once anyway).
SATISFACTION_KIOSK_COOKIE_DAYS = env.int("SATISFACTION_KIOSK_COOKIE_DAYS", default=5 * 365)

# Index, reports and follow-ups (satisfaction.selectors, index part; DOMAIN.md §8.1-8.2).
# A criterion's index is the share of its answers scored at least this (4 "satisfied") [U].
SATISFACTION_SATISFIED_MIN_SCORE = env.int("SATISFACTION_SATISFIED_MIN_SCORE", default=4)
# Public summary: a group (the period, a month) with fewer responses shows no figure, so no
# answer can be tied to a citizen (small-number protection) [U: local choice].
SATISFACTION_PUBLIC_MIN_RESPONSES = env.int("SATISFACTION_PUBLIC_MIN_RESPONSES", default=5)
# Seconds the public summary's figures are kept in the cache.
SATISFACTION_PUBLIC_CACHE_SECONDS = env.int("SATISFACTION_PUBLIC_CACHE_SECONDS", default=300)
# Months in the trend tables and charts (staff index page, public summary, Excel export).
SATISFACTION_TREND_MONTHS = env.int("SATISFACTION_TREND_MONTHS", default=12)
# Longest period the staff index page and its export accept, in days (two years).
SATISFACTION_MAX_PERIOD_DAYS = env.int("SATISFACTION_MAX_PERIOD_DAYS", default=731)
# At most this many expectations listed on the leaders' index page (the export has them all).
SATISFACTION_EXPECTATIONS_SHOWN = env.int("SATISFACTION_EXPECTATIONS_SHOWN", default=50)
# 766 indicator 5.4 estimate: a response whose mean score is below this counts as "dislike"
# [S: national formula; the threshold is a local choice]; full marks (this many points) at
# this percentage (DOMAIN.md §8.2: 5.4 = 6 points, full at >= 90%) [S].
SATISFACTION_DISLIKE_MEAN_BELOW = env.float("SATISFACTION_DISLIKE_MEAN_BELOW", default=3.0)
SATISFACTION_TTHC_MAX_POINTS = env.float("SATISFACTION_TTHC_MAX_POINTS", default=6.0)
SATISFACTION_TTHC_FULL_MARKS_AT = env.float("SATISFACTION_TTHC_FULL_MARKS_AT", default=90.0)
# Longest note / action text a leader may write on a follow-up, in characters.
SATISFACTION_FOLLOWUP_TEXT_MAX_CHARS = env.int("SATISFACTION_FOLLOWUP_TEXT_MAX_CHARS", default=4000)

# ==============================================================================================
# --- Performance: period figures and the weekly report at scale (bench/README.md; issue 5) ----
# ==============================================================================================
# PostgreSQL's JIT compiler off for every connection (PostgreSQL only). The period figures
# (dossiers.reporting) are CASE expressions with guarded sub-queries that the planner costs at
# millions, so the server JIT-compiled them: 1.3-2.6 s instead of ~0.2 s for a week at 1,000,000
# dossiers (bench/weekly_report.py). The portal's queries are short; compiling never pays off.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _db_options = DATABASES["default"].setdefault("OPTIONS", {})
    _db_options["options"] = " ".join(filter(None, [_db_options.get("options"), "-c jit=off"]))

from celery.schedules import crontab  # noqa: E402 - kept inside this part's block

# Mondays at 06:45 as well (besides the 07:30 run of every working morning): ask for the
# explanations of the dossiers that became late over the weekend just before the 07:00 weekly
# report, which only reads their states (reports.services.weekly_report_build). Same task: it
# does nothing on a day that is not a working day (the report then shows "not requested yet").
CELERY_BEAT_SCHEDULE["request-overdue-explanations-before-weekly-report"] = {
    "task": "dossiers.request_overdue_explanations",
    "schedule": crontab(hour=6, minute=45, day_of_week="mon"),
    "options": {"expires": 3600},
}
