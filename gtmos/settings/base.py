"""Complete settings for every environment; ``test`` and ``production`` only override.

All environment reading goes through ``gtmos.env`` so malformed values fail at start.
"""

from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab

from gtmos import embedded, env

BASE_DIR = env.BASE_DIR
VAR_DIR = env.VAR_DIR
# Without DATABASE_URL / CELERY_BROKER_URL (the quick start, a fresh clone) the same PostgreSQL and Redis as
# production run embedded under var/ (gtmos/embedded.py); production requires both (settings/production.py).
EMBEDDED_DIR = Path(env.string("GTMOS_EMBEDDED_DIR", str(VAR_DIR)))
_embedded = embedded.start(
    EMBEDDED_DIR,
    env.string("GTMOS_EMBEDDED_DB", "gtmos"),
    postgres=not env.string("DATABASE_URL"),
    redis=not env.string("CELERY_BROKER_URL"),
)
# What a process this one starts (the stack's web and workers, a test's worker) needs in its environment.
EMBEDDED_ENV = {
    name: url
    for name, url in (("DATABASE_URL", _embedded.database_url), ("CELERY_BROKER_URL", _embedded.broker_url))
    if url
}

SECRET_KEY = env.string("SECRET_KEY", "dev-insecure-key-change-me-for-anything-public")
DEBUG = env.boolean("DEBUG", default=True)
ALLOWED_HOSTS = env.csv_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env.csv_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # its templates and static: the /api/v1/docs Swagger UI served from static/, not a CDN (CSP)
    "template_partials",
    "csp",
    "axes",
    "waffle",
    "django_celery_beat",
    "django_celery_results",
    "gtmos.core",
    "gtmos.audit",
    "gtmos.crm",
    "gtmos.ingest",
    "gtmos.comp",
    "gtmos.health",
    "onboarding",
    "coaching",
    "enrichment",
    "routing",
]

MIDDLEWARE = [
    "gtmos.core.middleware.RequestIdMiddleware",  # first: every response, redirects included, carries the id
    "gtmos.core.memo.RequestMemoMiddleware",  # settings rows read once per GET (gtmos/core/memo.py)
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "gtmos.core.middleware.HtmxLoginRedirectMiddleware",
    "waffle.middleware.WaffleMiddleware",
    # Axes last: it must see the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "gtmos.urls"
WSGI_APPLICATION = "gtmos.wsgi.application"

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
                "gtmos.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.database(default=_embedded.database_url)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane; ~30 ms of CPU, gtmos/core/hashers.py).
# PBKDF2 stays listed so older hashes still verify; they are rehashed at the next sign-in.
PASSWORD_HASHERS = [
    "gtmos.core.hashers.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
PASSWORD_ARGON2_MEMORY_KIB = env.integer("PASSWORD_ARGON2_MEMORY_KIB", 19 * 1024)
PASSWORD_ARGON2_TIME_COST = env.integer("PASSWORD_ARGON2_TIME_COST", 2)
PASSWORD_ARGON2_PARALLELISM = env.integer("PASSWORD_ARGON2_PARALLELISM", 1)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.string("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise scans it at start
WHITENOISE_USE_FINDERS = DEBUG

# --- Email: notifications go to the in-app inbox and by email ---------------------------------
# The quick start writes every email as a file under var/mail/ (one .log file per connection), so the terminal
# stays quiet; production sends through SMTP (settings/production.py).
EMAIL_BACKEND = env.string("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env.string("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = env.string("EMAIL_HOST", "localhost")
EMAIL_PORT = env.integer("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env.string("DEFAULT_FROM_EMAIL", "GTM OS <gtmos@localhost>")
# A training session's reminder email goes to its invitees this long before it (our default; README).
TRAINING_REMINDER_HOURS = env.integer("TRAINING_REMINDER_HOURS", 24)
# Links in emails. run_stack sets it from --addr unless it is set; production sets it to the public address.
SITE_URL = env.string("SITE_URL", "http://127.0.0.1:8000")

# --- Batch jobs and ingest (issue 21; README, Configuration) -------------------------------------
HEALTH_DAILY_CHUNK = env.integer("HEALTH_DAILY_CHUNK", 20_000)
# Reads on a second connection in the job's exported snapshot (gtmos.core.snapshot), only in the outermost
# transaction; off = one connection, serial.
HEALTH_DAILY_OVERLAP = env.boolean("HEALTH_DAILY_OVERLAP", True)
COACHING_READ_OVERLAP = env.boolean("COACHING_READ_OVERLAP", True)
HEALTH_INTRADAY_QUIET_SECONDS = env.integer("HEALTH_INTRADAY_QUIET_SECONDS", 3)
HEALTH_INTRADAY_MAX_WAIT_SECONDS = env.integer("HEALTH_INTRADAY_MAX_WAIT_SECONDS", 60)
HEALTH_INTRADAY_BATCH = env.integer("HEALTH_INTRADAY_BATCH", 2000)
INGEST_SMALL_BATCH_ROWS = env.integer("INGEST_SMALL_BATCH_ROWS", 200)

# --- Celery: broker from the environment, results and beat schedule in the database -------------
CELERY_BROKER_URL = env.broker_url(default=_embedded.broker_url)
# Never schedule a countdown longer than this; long waits live in the database (retry ladder).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_RESULT_BACKEND = "django-db"
CELERY_RESULT_EXTENDED = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.boolean("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE
# Beat's jobs. Operators replay the daily ones by day (`manage.py run_job --list`, gtmos/core/jobs.py).
BEAT_JOBS = {
    # Shows at a glance that beat and the worker are alive: one Event row per minute.
    "system-heartbeat": {"task": "gtmos.audit.tasks.heartbeat", "schedule": timedelta(minutes=1)},
    # Daily onboarding jobs: sign-off window scan then the comp run; escalation scan; usage milestones.
    "onboarding-daily": {"task": "onboarding.tasks.onboarding_daily", "schedule": crontab(hour=5, minute=0)},
    # Health after the onboarding run, so M4/M6 detected today feed the onboarding substitutes.
    "health-daily": {"task": "gtmos.health.tasks.health_daily", "schedule": crontab(hour=5, minute=15)},
    # Re-score on the signal (issue 21): drain the accounts whose health inputs changed, every few seconds.
    "health-intraday": {
        "task": "gtmos.health.tasks.health_intraday",
        "schedule": timedelta(seconds=env.integer("HEALTH_INTRADAY_SWEEP_SECONDS", 5)),
    },
    "comp-hold-daily": {"task": "gtmos.comp.tasks.comp_hold_daily", "schedule": crontab(hour=5, minute=30)},
    # Coaching (seed 001) after health, since AM/CSM metrics read today's health log: daily flags; the
    # weekly pattern check on Mondays (the week that ended Sunday); digests on the first business day
    # (the task runs daily and works only on that day).
    "coaching-daily": {"task": "coaching.tasks.coaching_daily", "schedule": crontab(hour=6, minute=0)},
    "coaching-weekly": {
        "task": "coaching.tasks.coaching_weekly",
        "schedule": crontab(hour=6, minute=15, day_of_week=1),
    },
    "coaching-monthly": {"task": "coaching.tasks.coaching_monthly", "schedule": crontab(hour=6, minute=30)},
    "notifications-email": {
        "task": "gtmos.audit.tasks.send_pending_notification_emails",
        "schedule": crontab(minute="*/5"),
    },
}

# --- Access ------------------------------------------------------------------------------------
AXES_FAILURE_LIMIT = env.integer("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env.integer("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# --- Security headers (CSP: no inline script; htmx and charts are served from static/) ----------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

WAFFLE_CREATE_MISSING_FLAGS = True
WAFFLE_FLAG_DEFAULT = False

# --- Comp (payouts the MAP sign-off gate holds) -------------------------------------------------
COMP_ACV_COMMISSION_RATE = 0.10
COMP_USAGE_REALIZATION_RATE = 0.02
COMP_ACV_PAYOUT_DAYS = 30
COMP_USAGE_PAYOUT_DAYS = 90

# --- Ingest ------------------------------------------------------------------------------------
INGEST_MAX_BATCH = env.integer("INGEST_MAX_BATCH", 5000)
NINJA_PAGINATION_PER_PAGE = 100

# --- Logs: one line per record carrying the request id (web) or the task id (workers) ----------------------
# "text" for a person at a terminal (the quick start, var/log/), "json" for a log shipper (production's default).
LOG_LEVEL = env.string("LOG_LEVEL", "INFO")
LOG_FORMAT = env.string("LOG_FORMAT", "text")
if LOG_FORMAT not in {"text", "json"}:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r}: expected text or json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "gtmos.core.logging.ContextFilter"}},
    "formatters": {
        "json": {"()": "gtmos.core.logging.JsonFormatter"},
        "text": {"()": "gtmos.core.logging.TextFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["context"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},  # its start-up banner, once per process
        "pgserver": {"level": "WARNING"},  # every pg_ctl command line of the embedded PostgreSQL
        # runserver's access line and Django's own 4xx/5xx lines go through the same handler and format.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
# Celery keeps the logging configured here instead of installing its own handlers and format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Enrichment swarm and prospect flow (seed 002) ----------------------------------------------
# RevOps' numbers (θ, size bands, TTL, expansion, retention) are in RouterSettings / SessionSettings;
# these are the operational ones. The swarm ships dark: waffle flags and the SWARM_ENABLED switch are off.
SWARM_PROVIDERS = {
    "domain_site": "enrichment.providers.domain_site.DomainSiteProvider",
    "classifier": "enrichment.providers.classifier.ClassifierProvider",
    "size_estimator": "enrichment.providers.size_estimator.SizeEstimatorProvider",
    "role_resolver": "enrichment.providers.role_resolver.RoleResolverProvider",
    "project_finder": "enrichment.providers.project_finder.ProjectFinderProvider",
    "network_seeder": "enrichment.providers.network_seeder.NetworkSeederProvider",
    # Swap one for a vendor's implementation without a code change: SWARM_PROVIDERS="classifier=pkg.mod.Cls".
    **env.str_map("SWARM_PROVIDERS", ""),
}
# Each agent's latency budget; the seed's ~1 s / ~2 s plus headroom. Past its budget an agent times out.
SWARM_AGENT_BUDGET_MS = {
    "domain_site": env.integer("SWARM_BUDGET_DOMAIN_SITE_MS", 1500),
    "classifier": env.integer("SWARM_BUDGET_CLASSIFIER_MS", 2500),
    "size_estimator": env.integer("SWARM_BUDGET_SIZE_ESTIMATOR_MS", 2500),
    "role_resolver": env.integer("SWARM_BUDGET_ROLE_RESOLVER_MS", 2500),
    "project_finder": env.integer("SWARM_BUDGET_PROJECT_FINDER_MS", 30000),
    "network_seeder": env.integer("SWARM_BUDGET_NETWORK_SEEDER_MS", 30000),
}
# The most a cold prospect waits in S2: past it S2→S3 goes ahead as enrichment.partial.
SWARM_RUN_BUDGET_MS = env.integer("SWARM_RUN_BUDGET_MS", 3000)
# A worker that has not reported this long after an attempt was due is presumed dead (SIGKILL, OOM).
SWARM_LEASE_SECONDS = env.integer("SWARM_LEASE_SECONDS", 120)
SWARM_RETRY_LADDER_SECONDS = (120, 600, 3600, 21600)  # 2m → 10m → 1h → 6h → abandoned
SWARM_SWEEP_BATCH = env.integer("SWARM_SWEEP_BATCH", 500)
# How stale a worker's view of the swarm flags, the kill switch and the router settings may be.
SWARM_FLAG_CACHE_SECONDS = env.integer("SWARM_FLAG_CACHE_SECONDS", 1)
# Benchmarks and chaos tests only: a fixed latency in front of providers, e.g. "classifier=2000".
SWARM_PROVIDER_LATENCY_MS = env.int_map("SWARM_PROVIDER_LATENCY_MS", "")
# The company site: "archive" reads saved pages (offline), "http" fetches with the safe fetch.
SWARM_SITE_SOURCE = env.string("SWARM_SITE_SOURCE", "archive")
SWARM_SITE_ARCHIVE_DIR = env.string("SWARM_SITE_ARCHIVE_DIR", str(BASE_DIR / "enrichment" / "data" / "sites"))
SWARM_SITE_TTL_HOURS = env.integer("SWARM_SITE_TTL_HOURS", 168)
SWARM_FETCH_TIMEOUT_MS = env.integer("SWARM_FETCH_TIMEOUT_MS", 3000)
SWARM_FETCH_CONNECT_TIMEOUT_MS = env.integer("SWARM_FETCH_CONNECT_TIMEOUT_MS", 800)
SWARM_FETCH_MAX_BYTES = env.integer("SWARM_FETCH_MAX_BYTES", 1_000_000)
SWARM_FETCH_MAX_REDIRECTS = env.integer("SWARM_FETCH_MAX_REDIRECTS", 3)
SWARM_FETCH_ALLOWLIST: list[str] = []  # "host:port" a test server may use despite being loopback; tests only
# ACV estimate = seats × price; seats = the precon/PM share of headcount (headcount from revenue if unknown).
SWARM_SEAT_PRICE = env.integer("SWARM_SEAT_PRICE", 1800)
SWARM_SEATS_PER_EMPLOYEE = env.integer("SWARM_PRECON_STAFF_PCT", 8) / 100
SWARM_REVENUE_PER_EMPLOYEE = env.integer("SWARM_REVENUE_PER_EMPLOYEE", 400_000)
# The swarm's agents wait on remote sources (1–2 s each): they run on their own queue, consumed by a
# threads-pool worker (many cheap waits; DATABASE_CONN_MAX_AGE=0 so idle threads hold no connection), so a
# burst of prospects neither waits behind daily jobs nor starves them.
SWARM_QUEUE = "swarm"
SWARM_ASYNC_QUEUE = "swarm_async"  # project_finder, network_seeder: may lag; a small worker pool is enough
CELERY_TASK_ROUTES = {
    "enrichment.tasks.agent_run": {"queue": SWARM_QUEUE},
    "enrichment.tasks.run_deadline": {"queue": SWARM_QUEUE},
}
BEAT_JOBS.update(
    {
        # Retry ladder, overdue runs, dead workers' attempts, kill switch (claims rows with SKIP LOCKED).
        "swarm-sweep": {"task": "enrichment.tasks.swarm_sweep", "schedule": timedelta(seconds=30)},
        # Idle prospect sessions → ABANDONED (re-engage queue); kill switch → FALLBACK_FORM.
        "prospect-sessions-sweep": {
            "task": "onboarding.tasks.prospect_sessions_sweep",
            "schedule": timedelta(minutes=1),
        },
        # Unconverted leads' personal data past the retention window.
        "lead-retention": {"task": "onboarding.tasks.lead_retention_purge", "schedule": crontab(hour=3, minute=30)},
    }
)
CELERY_BEAT_SCHEDULE = BEAT_JOBS

# --- Prospect pages (seed 002 flows: landers → card; issue 7) -----------------------------------
# Sarah's takeoff (S7): a dotted path to a TakeoffProvider; the default is the labelled offline estimate.
TAKEOFF_PROVIDER = env.string("TAKEOFF_PROVIDER", "enrichment.providers.takeoff.OfflineRecipeTakeoff")
# The card at S10: "demo" (offline, marked as a demo, charges nothing) or "stripe" (Checkout + signed webhooks).
PAYMENT_PROVIDER = env.string("PAYMENT_PROVIDER", "demo")
STRIPE_API_BASE = env.string("STRIPE_API_BASE", "https://api.stripe.com")
STRIPE_SECRET_KEY = env.string("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = env.string("STRIPE_WEBHOOK_SECRET", "")
STRIPE_PRICE_ID = env.string("STRIPE_PRICE_ID", "")
STRIPE_WEBHOOK_TOLERANCE_SECONDS = env.integer("STRIPE_WEBHOOK_TOLERANCE_SECONDS", 300)
STRIPE_TIMEOUT_SECONDS = env.integer("STRIPE_TIMEOUT_SECONDS", 10)
# A personalized (warm) link works this long after it was issued.
PROSPECT_WARM_LINK_MAX_AGE_DAYS = env.integer("PROSPECT_WARM_LINK_MAX_AGE_DAYS", 14)
# Email captures allowed per client address per window (bots); the honeypot catches the simple ones.
PROSPECT_CAPTURE_LIMIT = env.integer("PROSPECT_CAPTURE_LIMIT", 10)
PROSPECT_CAPTURE_WINDOW_SECONDS = env.integer("PROSPECT_CAPTURE_WINDOW_SECONDS", 600)
# How often the enriching screen and the filling-in workspace poll (htmx).
PROSPECT_POLL_MS = env.integer("PROSPECT_POLL_MS", 1000)
# RevOps' funnel reads 30 days of the Event log: computed at most this often per web process (0: every view).
PROSPECT_FUNNEL_CACHE_SECONDS = env.integer("PROSPECT_FUNNEL_CACHE_SECONDS", 60)
# Where a DISQUALIFIED consumer (a homeowner) is sent: the homeowner product (default: its page in this app).
PROSPECT_HOMEOWNER_URL = env.string("PROSPECT_HOMEOWNER_URL", "/homeowners/")
# The company note a prospect keeps in the workspace (seed 002 Company Brain ``context_notes``): at most this long.
PROSPECT_COMPANY_NOTE_MAX_CHARS = env.integer("PROSPECT_COMPANY_NOTE_MAX_CHARS", 4000)
# While only a retrying agent (2m → 10m → 1h → 6h on the ladder) is left, the workspace polls this slowly.
PROSPECT_RETRY_POLL_MS = env.integer("PROSPECT_RETRY_POLL_MS", 30000)
