"""Settings shared by every mode, read from the environment (see .env.example).

With no environment set this is the embedded default: SQLite under var/, local files
under var/media, in-process Celery tasks, in-memory channel layer and local-memory cache.
"""

import os
from datetime import timedelta
from pathlib import Path

import environ
from corsheaders.defaults import default_headers, default_methods
from django.core.exceptions import ImproperlyConfigured

from .config import database_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env(
    "SECRET_KEY", default="cnt-embedded-default-key-change-me-in-production-0123456789"
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "channels",
    "axes",
    # The project's apps in layer order, lowest first (seed_demo runs their demo modules so).
    "cnt",
    "cnt.notifications",
    "accounts",
    "media",
    "catalog",
    "catalog.recommendations",
    "bible",
    "community",
    "live",
    "finance",
    "support",
]

MIDDLEWARE = [
    # Request ids and request metrics (cnt/observability.py), around everything else.
    "cnt.observability.ObservabilityMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # ETag on every GET answer, and 304 for an If-None-Match that still matches: phones on
    # metered data revalidate what they hold instead of downloading it again.
    "django.middleware.http.ConditionalGetMiddleware",
    "cnt.middleware.ApiJsonErrorsMiddleware",
    # NUL and control characters in the path or query: 400 before any view or query runs.
    "cnt.middleware.RequestBoundsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns its lockout signal into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cnt.urls"
WSGI_APPLICATION = "cnt.wsgi.application"
ASGI_APPLICATION = "cnt.asgi.application"

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

# --- Database -------------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL", default="")
if not DATABASE_URL:
    VAR_DIR.mkdir(exist_ok=True)
    DATABASE_URL = f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
DATABASES = {"default": database_config(DATABASE_URL)}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
_db_options = DATABASES["default"].setdefault("OPTIONS", {})
if IS_POSTGRES and env.bool("DB_POOL", default=True):
    # Under ASGI every request runs its sync code on a thread of its own, and Django keeps
    # persistent connections per thread: with CONN_MAX_AGE > 0 a burst left one idle
    # connection per request thread, until PostgreSQL refused everyone. psycopg's pool bounds
    # them per process: a request borrows a connection and gives it back when Django closes it
    # at the end of the request (hence CONN_MAX_AGE 0); past DB_POOL_MAX_SIZE a request waits
    # up to DB_POOL_TIMEOUT seconds for one, then gets a 503 (cnt/middleware.py).
    if env.int("CONN_MAX_AGE", default=0):
        raise ImproperlyConfigured(
            "CONN_MAX_AGE must be 0 with the connection pool (DB_POOL, the default): pooled "
            "connections are returned at the end of each request. Unset it, or set "
            "DB_POOL=false to run without the pool (behind pgbouncer)."
        )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    _db_options["pool"] = {
        "min_size": env.int("DB_POOL_MIN_SIZE", default=2),
        "max_size": env.int("DB_POOL_MAX_SIZE", default=10),
        "timeout": env.float("DB_POOL_TIMEOUT", default=10.0),
    }
    _pool = _db_options["pool"]
    if _pool["max_size"] < 1 or not 0 <= _pool["min_size"] <= _pool["max_size"]:
        raise ImproperlyConfigured(
            "DB_POOL_MAX_SIZE must be at least 1 and at least DB_POOL_MIN_SIZE (0 or more)."
        )
    if _pool["timeout"] <= 0:
        raise ImproperlyConfigured("DB_POOL_TIMEOUT must be a positive number of seconds.")
elif IS_POSTGRES:
    # No pool in the process (an external pooler such as pgbouncer in front): a connection
    # per request, closed at its end unless CONN_MAX_AGE says otherwise (not under ASGI).
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
    # pgbouncer in transaction mode hands each transaction to any server connection: named
    # cursors that outlive one would break (Django already turns prepared statements off).
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
else:
    # SQLite, the embedded default, has one writer at a time. WAL lets readers go on while it
    # writes; IMMEDIATE takes the write lock when a transaction begins, so a transaction that
    # reads and then writes queues in the busy timeout instead of failing at once with
    # "database is locked" (SQLite cannot wait to upgrade a deferred transaction's read lock).
    _db_options.update(
        timeout=20,
        transaction_mode="IMMEDIATE",
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# Django Admin logins are throttled by django-axes: AXES_FAILURE_LIMIT failures in a row for
# one account OR from one IP lock that account / that IP out of the admin for
# AXES_COOLOFF_MINUTES (templates/admin/lockout.html; unlock: README, "Admin lockouts").
# The API's login has its own throttles and never calls authenticate(), so axes only
# watches the admin site. Its backend comes first, as axes requires.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ONLY_ADMIN_SITE = True
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# Usernames are case-insensitive here: "Admin" and "ADMIN" count against one account.
AXES_USERNAME_CALLABLE = "accounts.admin_lockout.lockout_username"
# The client address as the API throttles see it (X-Forwarded-For only with NUM_PROXIES).
AXES_CLIENT_IP_CALLABLE = "accounts.admin_lockout.lockout_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/lockout.html"
AXES_HTTP_RESPONSE_CODE = 429

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# API messages, emails and pushes in English and French: the user's `language` when set,
# else Accept-Language (cnt/api/authentication.py, LocaleMiddleware). Catalogues live in
# locale/ and are compiled by `make run` and `make test`.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Redis: cache, channel layer, Celery broker ----------------------------------------
REDIS_URL = env("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            # Django's Redis backend on one client per process (cnt/cache.py).
            "BACKEND": "cnt.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="cnt"),
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # redis-py 8 defaults to a 5 s socket timeout, the same as channels-redis'
                # blocking-pop timeout, and to 100 pooled connections that raise when
                # exhausted: both fail under a few hundred sockets, so they are set here.
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "socket_timeout": 30,
                        "socket_connect_timeout": 5,
                        "max_connections": env.int("CHANNEL_REDIS_MAX_CONNECTIONS", default=5000),
                    }
                ],
                "prefix": env("CHANNEL_PREFIX", default="cnt"),
                # Messages for every socket of one server process share one Redis queue, so
                # a broadcast to many users of one process needs room (default is 100).
                "capacity": env.int("CHANNEL_CAPACITY", default=10000),
                "expiry": 60,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# The embedded mode with a worker (`make run`): a Celery worker and beat beside the web
# process, on kombu's filesystem broker in a folder beside the SQLite file, and a channel
# layer through which the worker's pushes reach the web process's sockets (cnt/channel_spool).
# Uploads answer at once; their progress arrives over the socket as in production.
EMBEDDED_WORKER = env.bool("EMBEDDED_WORKER", default=False) and not REDIS_URL
EMBEDDED_DIR = (
    Path(DATABASES["default"]["NAME"]).parent
    if not IS_POSTGRES and DATABASES["default"]["NAME"] != ":memory:"
    else VAR_DIR
)
_embedded_broker = EMBEDDED_DIR / "broker"
if EMBEDDED_WORKER:
    for _folder in ("queue", "control"):
        (_embedded_broker / _folder).mkdir(parents=True, exist_ok=True)
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "cnt.channel_spool.SpoolChannelLayer",
            "CONFIG": {"spool_dir": str(EMBEDDED_DIR / "channels")},
        }
    }

# How often an open WebSocket re-checks that its user is still active with the same password,
# in case a revocation message was missed (revocations themselves close sockets at once).
WS_REVALIDATE_SECONDS = env.float("WS_REVALIDATE_SECONDS", default=60.0)

CELERY_BROKER_URL = env(
    "CELERY_BROKER_URL",
    default=REDIS_URL or ("filesystem://localhost/" if EMBEDDED_WORKER else "memory://localhost/"),
)
# Results are kept only by tasks that ask (a chord's header: the chunks of a long video);
# the embedded worker keeps them in files beside its broker.
if EMBEDDED_WORKER:
    (EMBEDDED_DIR / "results").mkdir(parents=True, exist_ok=True)
CELERY_RESULT_BACKEND = (
    env("CELERY_RESULT_BACKEND", default="")
    or REDIS_URL
    or (f"file://{EMBEDDED_DIR / 'results'}" if EMBEDDED_WORKER else None)
)
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_EXPIRES = 2 * 24 * 3600
# Without a broker the tasks run in-process, right after the transaction commits.
CELERY_TASK_ALWAYS_EAGER = env.bool(
    "CELERY_TASK_ALWAYS_EAGER", default=not (REDIS_URL or EMBEDDED_WORKER)
)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=50 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=60 * 60)
# Above the hard time limit, so a long transcode is never handed to a second worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 10 * 60}
if CELERY_BROKER_URL.startswith("filesystem://"):
    # One folder both ways: what the web process writes, the worker reads.
    CELERY_BROKER_TRANSPORT_OPTIONS.update(
        data_folder_in=str(_embedded_broker / "queue"),
        data_folder_out=str(_embedded_broker / "queue"),
        control_folder=str(_embedded_broker / "control"),
        polling_interval=0.2,
    )
if EMBEDDED_WORKER:
    CELERY_BEAT_SCHEDULE_FILENAME = str(EMBEDDED_DIR / "celerybeat-schedule")
# Image renditions take seconds: they do not wait behind hour-long transcodes (an exact
# name wins over the pattern).
CELERY_TASK_ROUTES = {
    "media.process_image": {"queue": "default"},
    "media.*": {"queue": "media"},
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    "media-purge-tus-uploads": {"task": "media.purge_tus_uploads", "schedule": 3600.0},
    "media-purge-direct-uploads": {"task": "media.purge_direct_uploads", "schedule": 3600.0},
    "finance-expire-abandoned-donations": {
        "task": "finance.expire_abandoned_donations",
        "schedule": 3600.0,
    },
    "live-purge-webhook-events": {"task": "live.purge_webhook_events", "schedule": 24 * 3600.0},
    "catalog-rebuild-search-lexicon": {
        "task": "catalog.rebuild_search_lexicon",
        "schedule": 24 * 3600.0,
    },
    "recommendations-update": {
        "task": "recommendations.update",
        "schedule": env.float("RECOMMENDATIONS_UPDATE_SECONDS", default=300.0),
    },
}

# --- Recommendations (catalog/recommendations/) -------------------------------------
# Plays and saves younger than this wait for the next update run (a transaction still open
# with a lower id must not be passed by the watermark).
RECOMMENDATIONS_SETTLE_SECONDS = env.int("RECOMMENDATIONS_SETTLE_SECONDS", default=60)
# Events per update run (one transaction each); a run repeats until it has caught up.
RECOMMENDATIONS_BATCH_EVENTS = env.int("RECOMMENDATIONS_BATCH_EVENTS", default=50_000)
# A new engagement pairs with at most this many of the listener's most recent ones.
RECOMMENDATIONS_WINDOW = env.int("RECOMMENDATIONS_WINDOW", default=100)
# Neighbours kept per item, and the fewest shared listeners that make two items neighbours.
RECOMMENDATIONS_NEIGHBOURS = env.int("RECOMMENDATIONS_NEIGHBOURS", default=50)
RECOMMENDATIONS_MIN_LISTENERS = env.int("RECOMMENDATIONS_MIN_LISTENERS", default=1)
# At most this many items of one artist (or owner) in a list of recommendations.
RECOMMENDATIONS_PER_ARTIST = env.int("RECOMMENDATIONS_PER_ARTIST", default=2)
# A listener's computed list is reused (paging, coming back) for at most this long, and
# only while no update run and none of their plays or follows changed it; 0 turns it off.
RECOMMENDATIONS_LIST_CACHE_SECONDS = env.int("RECOMMENDATIONS_LIST_CACHE_SECONDS", default=120)

# --- Files --------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "static"))
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it to exist
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
FILE_UPLOAD_TEMP_DIR = env("FILE_UPLOAD_TEMP_DIR", default=None)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Bodies other than file uploads (JSON, forms): larger ones get 413 payload_too_large.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)
# Form fields and query parameters per request (Django's default); more: 400 too_many_fields.
DATA_UPLOAD_MAX_NUMBER_FIELDS = env.int("DATA_UPLOAD_MAX_NUMBER_FIELDS", default=1000)
# JSON nesting past this depth: 400 too_deep (no request body of this API nests beyond 5).
API_JSON_MAX_DEPTH = env.int("API_JSON_MAX_DEPTH", default=32)

AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME", default=None)
    AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL", default=None)
    AWS_ACCESS_KEY_ID = env("AWS_ACCESS_KEY_ID", default=None)
    AWS_SECRET_ACCESS_KEY = env("AWS_SECRET_ACCESS_KEY", default=None)
    AWS_S3_CUSTOM_DOMAIN = env("AWS_S3_CUSTOM_DOMAIN", default=None)
    AWS_S3_SIGNATURE_VERSION = env("AWS_S3_SIGNATURE_VERSION", default="s3v4")
    AWS_DEFAULT_ACL = None
    AWS_QUERYSTRING_AUTH = True
    AWS_S3_FILE_OVERWRITE = False
    _media_storage = {"BACKEND": "storages.backends.s3.S3Storage"}
else:
    _media_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": MEDIA_URL},
    }
STORAGES = {
    "default": _media_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- Email --------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="CNT Media <no-reply@localhost>")

# --- API ----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "cnt.api.authentication.JWTAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON bodies everywhere; only the operations that take a file parse multipart (and
    # only multipart), so the schema advertises one request content type per operation.
    # Bounded by DATA_UPLOAD_MAX_MEMORY_SIZE and API_JSON_MAX_DEPTH, NUL-free (cnt/api/parsers).
    "DEFAULT_PARSER_CLASSES": ["cnt.api.parsers.BoundedJSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_PAGINATION_CLASS": "cnt.api.pagination.StandardPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "cnt.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "cnt.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "login": env("THROTTLE_LOGIN", default="10/min"),
        "register": env("THROTTLE_REGISTER", default="5/min"),
        "send_otp": env("THROTTLE_SEND_OTP", default="5/min"),
        "verify_otp": env("THROTTLE_VERIFY_OTP", default="10/min"),
        "check_username": env("THROTTLE_CHECK_USERNAME", default="30/min"),
        "password_reset": env("THROTTLE_PASSWORD_RESET", default="5/min"),
        "google_login": env("THROTTLE_GOOGLE_LOGIN", default="10/min"),
        "donations": env("THROTTLE_DONATIONS", default="30/hour"),
        "support": env("THROTTLE_SUPPORT", default="10/hour"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Trusted proxies in front of the app; X-Forwarded-For is ignored for throttling without it.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=None),
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=30)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": env("JWT_SIGNING_KEY", default=SECRET_KEY),
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
    # Access tokens die with a password change or reset, not 30 minutes later.
    "CHECK_REVOKE_TOKEN": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "CNT Media API",
    "DESCRIPTION": (
        "Backend of the CNT Media platform: podcasts, movies, music, Bible stories, "
        "community, playlists, live streams, donations and support. "
        "Authenticate with `Authorization: Bearer <access token>`. "
        "The WebSockets (notifications, upload and edit progress, live chat) are described "
        "by the AsyncAPI 3.0 document at [/api/asyncapi.json](/api/asyncapi.json)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Enum components are named here by their set of values, for model choices used by
    # plain ChoiceFields. Two enums with the same values but different meanings (catalog
    # StreamTypeEnum and EditJobKindEnum are both audio/video) cannot be told apart this
    # way; those fields use cnt.api.serializers.EnumField, which names its component itself.
    "ENUM_NAME_OVERRIDES": {
        "AssetPurposeEnum": "media.models.AssetPurpose.choices",
        "OtpPurposeEnum": "accounts.models.OtpPurpose.choices",
        "ModerationStatusEnum": "cnt.models.ModerationStatus.choices",
        "NotificationTypeEnum": "cnt.notifications.models.NotificationType.choices",
        "VideoUploadPurposeEnum": "media.api.serializers.VIDEO_UPLOAD_PURPOSES",
        "ImageUploadPurposeEnum": "media.api.serializers.IMAGE_UPLOAD_PURPOSES",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "media.api.tus_views.add_tus_operations",
        "cnt.api.schema.add_error_responses",
        "cnt.api.schema.integer_path_ids",
        "cnt.api.schema.uniform_types",
    ],
}

CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
# Outside production, web clients served from this machine (Flutter web in development on
# any port) may call the API; production allows only CORS_ALLOWED_ORIGINS.
CORS_ALLOWED_ORIGIN_REGEXES = env.list(
    "CORS_ALLOWED_ORIGIN_REGEXES",
    default=[r"^https?://(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$"],
)
# tus resumable uploads (media/tus.py) need their headers allowed and exposed to web clients.
CORS_ALLOW_METHODS = (*default_methods, "HEAD")
CORS_ALLOW_HEADERS = (
    *default_headers,
    "tus-resumable",
    "upload-length",
    "upload-metadata",
    "upload-offset",
    "upload-checksum",
    "upload-defer-length",
    "x-http-method-override",
    "idempotency-key",
)
CORS_EXPOSE_HEADERS = [
    "ETag",
    "Location",
    "Upload-Offset",
    "Upload-Length",
    "Upload-Metadata",
    "Upload-Expires",
    "Upload-Asset-Id",
    "Tus-Resumable",
    "Tus-Version",
    "Tus-Extension",
    "Tus-Max-Size",
    "Tus-Checksum-Algorithm",
    "Content-Range",
    "Accept-Ranges",
    "Idempotent-Replayed",
]
CORS_URLS_REGEX = r"^/(api|media|ws)/.*$"
CORS_ALLOW_CREDENTIALS = False

# --- Security headers that hold in every mode --------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# --- External services (each disabled with a 503 "not configured" when unset) -----------
GOOGLE_CLIENT_IDS = {
    "web": env("GOOGLE_WEB_CLIENT_ID", default=""),
    "ios": env("GOOGLE_IOS_CLIENT_ID", default=""),
    "android": env("GOOGLE_ANDROID_CLIENT_ID", default=""),
}
GOOGLE_CERTS_URL = env("GOOGLE_CERTS_URL", default="https://www.googleapis.com/oauth2/v1/certs")
LIVEKIT_URL = env("LIVEKIT_URL", default="")
LIVEKIT_API_KEY = env("LIVEKIT_API_KEY", default="")
LIVEKIT_API_SECRET = env("LIVEKIT_API_SECRET", default="")
LIVEKIT_PUBLIC_URL = env("LIVEKIT_PUBLIC_URL", default="")
LIVEKIT_TOKEN_TTL_SECONDS = env.int("LIVEKIT_TOKEN_TTL_SECONDS", default=600)
LIVEKIT_API_TIMEOUT_SECONDS = env.int("LIVEKIT_API_TIMEOUT_SECONDS", default=10)
LIVEKIT_AGENT_NAME = env("LIVEKIT_AGENT_NAME", default="cnt-voice-assistant")
LIVEKIT_MEETING_EMPTY_TIMEOUT = env.int("LIVEKIT_MEETING_EMPTY_TIMEOUT", default=600)
LIVEKIT_VOICE_EMPTY_TIMEOUT = env.int("LIVEKIT_VOICE_EMPTY_TIMEOUT", default=60)
LIVEKIT_EGRESS_ENABLED = env.bool("LIVEKIT_EGRESS_ENABLED", default=False)
LIVEKIT_EGRESS_PREFIX = env("LIVEKIT_EGRESS_PREFIX", default="live/recordings")
LIVEKIT_EGRESS_LOCAL_DIR = env("LIVEKIT_EGRESS_LOCAL_DIR", default="")
LIVE_CHAT_MAX_LENGTH = env.int("LIVE_CHAT_MAX_LENGTH", default=500)
LIVE_CHAT_RATE_COUNT = env.int("LIVE_CHAT_RATE_COUNT", default=5)
LIVE_CHAT_RATE_SECONDS = env.int("LIVE_CHAT_RATE_SECONDS", default=5)
LIVE_CHAT_HISTORY = env.int("LIVE_CHAT_HISTORY", default=200)
LIVE_PASSCODE_ATTEMPTS = env.int("LIVE_PASSCODE_ATTEMPTS", default=10)
LIVE_VOICE_SESSION_RATE = env("LIVE_VOICE_SESSION_RATE", default="10/min")
# Applied LiveKit webhook ids are kept this long to drop redeliveries (LiveKit retries for
# minutes), then purged daily.
LIVE_WEBHOOK_RETENTION_DAYS = env.int("LIVE_WEBHOOK_RETENTION_DAYS", default=30)
VOICE_AGENT_LLM_MODEL = env("VOICE_AGENT_LLM_MODEL", default="gpt-4o-mini")
VOICE_AGENT_TTS_MODEL = env("VOICE_AGENT_TTS_MODEL", default="gpt-4o-mini-tts")
VOICE_AGENT_TTS_VOICE = env("VOICE_AGENT_TTS_VOICE", default="alloy")
VOICE_AGENT_STT_MODEL = env("VOICE_AGENT_STT_MODEL", default="nova-3")
OPENAI_API_KEY = env("OPENAI_API_KEY", default="")
OPENAI_BASE_URL = env("OPENAI_BASE_URL", default="")
# Chapters and summaries drafted from transcripts (cnt/llm.py, media/outlines.py): off
# without OPENAI_API_KEY; OPENAI_BASE_URL points the SDK at another OpenAI-compatible server.
OUTLINE_LLM_MODEL = env("OUTLINE_LLM_MODEL", default="gpt-4o-mini")
OPENAI_TIMEOUT_SECONDS = env.int("OPENAI_TIMEOUT_SECONDS", default=120)
DEEPGRAM_API_KEY = env("DEEPGRAM_API_KEY", default="")
# Transcription of spoken-word content (media/transcription.py): off without DEEPGRAM_API_KEY.
# DEEPGRAM_API_URL points the SDK elsewhere (self-hosted Deepgram, the tests' fake server),
# the voice assistant's speech-to-text too.
DEEPGRAM_API_URL = env("DEEPGRAM_API_URL", default="https://api.deepgram.com")
DEEPGRAM_TRANSCRIPTION_MODEL = env("DEEPGRAM_TRANSCRIPTION_MODEL", default="nova-3")
DEEPGRAM_TIMEOUT_SECONDS = env.int("DEEPGRAM_TIMEOUT_SECONDS", default=600)
# Push to phones (cnt/push.py, Firebase Admin SDK): off without a service-account JSON.
# FCM_API_URL points the SDK at another FCM HTTP v1 endpoint (the tests' fake server).
FCM_CREDENTIALS_FILE = env("FCM_CREDENTIALS_FILE", default="")
FCM_API_URL = env("FCM_API_URL", default="https://fcm.googleapis.com")
FCM_TIMEOUT_SECONDS = env.int("FCM_TIMEOUT_SECONDS", default=10)
# Likes and follows wait this long before their push, so a burst of them is one push.
FCM_COLLAPSE_SECONDS = env.int("FCM_COLLAPSE_SECONDS", default=30)
if FCM_CREDENTIALS_FILE and not Path(FCM_CREDENTIALS_FILE).is_file():
    raise ImproperlyConfigured(
        f"FCM_CREDENTIALS_FILE={FCM_CREDENTIALS_FILE} is not a file; point it at the "
        "service-account JSON from the Firebase console, or leave it empty to turn push off."
    )
PAYMENT_GATEWAY_SECRET_KEY = env("PAYMENT_GATEWAY_SECRET_KEY", default="")
PAYMENT_GATEWAY_WEBHOOK_SECRET = env("PAYMENT_GATEWAY_WEBHOOK_SECRET", default="")
PAYMENT_GATEWAY_API_BASE = env("PAYMENT_GATEWAY_API_BASE", default="")
PAYMENT_GATEWAY_WEBHOOK_TOLERANCE = env.int("PAYMENT_GATEWAY_WEBHOOK_TOLERANCE", default=300)

# --- Finance ---------------------------------------------------------------------------
# Fernet keys for bank details at rest, current first; empty = derived from SECRET_KEY.
FINANCE_ENCRYPTION_KEYS = env.list("FINANCE_ENCRYPTION_KEYS", default=[])
DONATION_MIN_AMOUNT = env("DONATION_MIN_AMOUNT", default="1.00")
DONATION_MAX_AMOUNT = env("DONATION_MAX_AMOUNT", default="10000.00")
DONATION_CURRENCIES = env.list("DONATION_CURRENCIES", default=["GBP", "USD", "EUR", "NGN"])
# A donation still unpaid this long after it was started is cancelled, with its
# PaymentIntent (finance/services/expiry.py, hourly).
DONATION_PENDING_EXPIRY_HOURS = env.int("DONATION_PENDING_EXPIRY_HOURS", default=24)

FFMPEG_BINARY = env("FFMPEG_BINARY", default="ffmpeg")
FFPROBE_BINARY = env("FFPROBE_BINARY", default="ffprobe")

ADMIN_URL = env("ADMIN_URL", default="admin/")
# Password of the accounts seed_demo creates (admin, moderator, demo users).
DEMO_ADMIN_PASSWORD = env("DEMO_ADMIN_PASSWORD", default="cnt-demo-2026")

# `plain` for people, `json` (one object per line, python-json-logger) for log collectors;
# both carry the request id (cnt/observability.py), also in the Celery tasks it queued.
LOG_FORMAT = env("LOG_FORMAT", default="plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "cnt.observability.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.db.backends": {"level": "WARNING"},
    },
}

# --- Media pipeline ------------------------------------------------------------------------
MEDIA_MAX_UPLOAD_BYTES = {
    "audio": env.int("MEDIA_MAX_AUDIO_BYTES", default=1024**3),
    "video": env.int("MEDIA_MAX_VIDEO_BYTES", default=8 * 1024**3),
    "image": env.int("MEDIA_MAX_IMAGE_BYTES", default=25 * 1024**2),
    "document": env.int("MEDIA_MAX_DOCUMENT_BYTES", default=200 * 1024**2),
}
MEDIA_MAX_DURATION_SECONDS = env.int("MEDIA_MAX_DURATION_SECONDS", default=6 * 3600)
MEDIA_MAX_VIDEO_DIMENSION = env.int("MEDIA_MAX_VIDEO_DIMENSION", default=8192)
MEDIA_MAX_IMAGE_PIXELS = env.int("MEDIA_MAX_IMAGE_PIXELS", default=50_000_000)
MEDIA_MAX_DOCUMENT_PAGES = env.int("MEDIA_MAX_DOCUMENT_PAGES", default=10_000)
MEDIA_PROBE_TIMEOUT_SECONDS = env.int("MEDIA_PROBE_TIMEOUT_SECONDS", default=60)
# Every FFmpeg/ffprobe child (media/ffexec.py): wall clock = min + real duration x factor;
# CPU time = that on every core; address space; output = 64 MB + real duration x rate.
MEDIA_FFMPEG_MIN_DEADLINE_SECONDS = env.int("MEDIA_FFMPEG_MIN_DEADLINE_SECONDS", default=120)
MEDIA_FFMPEG_SECONDS_PER_MEDIA_SECOND = env.float(
    "MEDIA_FFMPEG_SECONDS_PER_MEDIA_SECOND", default=8.0
)
MEDIA_FFMPEG_MAX_MEMORY_MB = env.int("MEDIA_FFMPEG_MAX_MEMORY_MB", default=4096)
MEDIA_FFMPEG_OUTPUT_BYTES_PER_SECOND = env.int(
    "MEDIA_FFMPEG_OUTPUT_BYTES_PER_SECOND", default=4 * 1024**2
)
# Video whose measured frame count is above this rate over its measured duration is refused.
MEDIA_MAX_VIDEO_FPS = env.int("MEDIA_MAX_VIDEO_FPS", default=240)
MEDIA_HLS_SEGMENT_SECONDS = env.int("MEDIA_HLS_SEGMENT_SECONDS", default=6)
MEDIA_X264_PRESET = env("MEDIA_X264_PRESET", default="veryfast")
MEDIA_REMUX = env.bool("MEDIA_REMUX", default=True)
MEDIA_PARALLEL_MIN_SECONDS = env.int("MEDIA_PARALLEL_MIN_SECONDS", default=600)
MEDIA_CHUNK_SECONDS = env.int("MEDIA_CHUNK_SECONDS", default=120)
# How many chunk encodes run at once (media workers x their concurrency): a long video is cut
# into a multiple of this many chunks, so no worker is left with one more than the others.
MEDIA_CHUNK_PARALLELISM = env.int("MEDIA_CHUNK_PARALLELISM", default=2)
MEDIA_WAVEFORM_PEAKS = env.int("MEDIA_WAVEFORM_PEAKS", default=1000)
MEDIA_MAX_ATTEMPTS = env.int("MEDIA_MAX_ATTEMPTS", default=3)
MEDIA_HEARTBEAT_STALE_SECONDS = env.int("MEDIA_HEARTBEAT_STALE_SECONDS", default=60)
MEDIA_URL_TTL_SECONDS = env.int("MEDIA_URL_TTL_SECONDS", default=6 * 3600)
# How long an approved item's public JSON may be served from the cache (0: never). Edits,
# moderation, media state changes and counted plays bust it at once; renamed artists or
# categories show after at most this long. Must stay well below MEDIA_URL_TTL_SECONDS.
CATALOG_DETAIL_CACHE_SECONDS = env.int("CATALOG_DETAIL_CACHE_SECONDS", default=60)
MEDIA_URL_SIGNING_KEY = env("MEDIA_URL_SIGNING_KEY", default=SECRET_KEY)
# Signed URLs expire on a grid of this many seconds, so every URL of an asset handed out
# within one window is the same string and a CDN caches it once (a URL then lives between
# MEDIA_URL_TTL_SECONDS and that plus the window).
MEDIA_URL_SIGNING_WINDOW_SECONDS = env.int("MEDIA_URL_SIGNING_WINDOW_SECONDS", default=3600)
# Playlists may change (captions, a reprocess): caches keep them this long.
MEDIA_PLAYLIST_MAX_AGE_SECONDS = env.int("MEDIA_PLAYLIST_MAX_AGE_SECONDS", default=60)
# Responsive image renditions (WebP and JPEG), never wider than the source.
MEDIA_IMAGE_WIDTHS = env.list("MEDIA_IMAGE_WIDTHS", cast=int, default=[160, 320, 640, 1280])
MEDIA_TUS_EXPIRY_HOURS = env.int("MEDIA_TUS_EXPIRY_HOURS", default=24)
MEDIA_TUS_DIR = env.path("MEDIA_TUS_DIR", default=str(VAR_DIR / "tus"))
# Fonts for text overlays and quote images (Debian's fonts-dejavu-core).
MEDIA_FONT_DIR = env("MEDIA_FONT_DIR", default="/usr/share/fonts/truetype/dejavu")
MEDIA_EDIT_MAX_ACTIVE_JOBS = env.int("MEDIA_EDIT_MAX_ACTIVE_JOBS", default=3)
CLOUDFRONT_KEY_PAIR_ID = env("CLOUDFRONT_KEY_PAIR_ID", default="")
CLOUDFRONT_PRIVATE_KEY = env("CLOUDFRONT_PRIVATE_KEY", default="")

# --- Podcast feeds (catalog/feeds/) ---------------------------------------------------
# Language of every feed (RSS <language>, an ISO 639 code); content has no language yet.
PODCAST_FEED_LANGUAGE = env("PODCAST_FEED_LANGUAGE", default="en")
# Apple Podcasts category and subcategory of every feed (Apple's fixed list).
PODCAST_FEED_CATEGORY = env("PODCAST_FEED_CATEGORY", default="Religion & Spirituality")
PODCAST_FEED_SUBCATEGORY = env("PODCAST_FEED_SUBCATEGORY", default="Christianity")
# itunes:owner email (the platform's, never the creator's private address); unset: omitted.
PODCAST_FEED_OWNER_EMAIL = env("PODCAST_FEED_OWNER_EMAIL", default="")
# Square artwork (1400-3000 px) for artists whose own image does not qualify; unset: none.
PODCAST_FEED_DEFAULT_ARTWORK_URL = env("PODCAST_FEED_DEFAULT_ARTWORK_URL", default="")
# The public web app; a channel links to {PODCAST_FEED_SITE_URL}/artists/{id}.
PODCAST_FEED_SITE_URL = env("PODCAST_FEED_SITE_URL", default="")
# Newest episodes a feed lists (bounds the response).
PODCAST_FEED_MAX_EPISODES = env.int("PODCAST_FEED_MAX_EPISODES", default=500)
# Seconds podcast apps and caches may reuse a feed before asking again (with its ETag).
PODCAST_FEED_MAX_AGE_SECONDS = env.int("PODCAST_FEED_MAX_AGE_SECONDS", default=300)

# --- Community -------------------------------------------------------------------------
COMMUNITY_POSTS_REQUIRE_APPROVAL = env.bool("COMMUNITY_POSTS_REQUIRE_APPROVAL", default=False)
COMMUNITY_REPORT_HIDE_THRESHOLD = env.int("COMMUNITY_REPORT_HIDE_THRESHOLD", default=3)
# Only reporters in good standing count toward that threshold (community/policies.py).
COMMUNITY_REPORTER_REQUIRE_VERIFIED_EMAIL = env.bool(
    "COMMUNITY_REPORTER_REQUIRE_VERIFIED_EMAIL", default=True
)
COMMUNITY_REPORTER_MIN_ACCOUNT_AGE_HOURS = env.int(
    "COMMUNITY_REPORTER_MIN_ACCOUNT_AGE_HOURS", default=72
)

# --- Observability (cnt/observability.py) ---------------------------------------------------
# /metrics: with a token, only `Authorization: Bearer <token>`; production serves it only
# when METRICS_TOKEN is set.
METRICS_TOKEN = env("METRICS_TOKEN", default="")
METRICS_REQUIRE_TOKEN = False
SENTRY_DSN = env("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env(
    "SENTRY_ENVIRONMENT",
    default="production"
    if os.environ.get("DJANGO_SETTINGS_MODULE", "").endswith("production")
    else "development",
)
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0)
if SENTRY_DSN:
    from cnt.observability import init_sentry

    init_sentry(
        SENTRY_DSN,
        environment=SENTRY_ENVIRONMENT,
        traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE,
    )
