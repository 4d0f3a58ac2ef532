"""Django settings, read from the environment.

Production is the default: a missing secret key or host list is an error, not a
silent insecure fallback. `CIVICSOCIAL_DEBUG=1` (set by `make demo` and the test
suite) switches to a development setup with a generated key kept under `var/`.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CIVICSOCIAL_VAR_DIR", BASE_DIR / "var"))
# The database, the task queue, media and productions live here: it must exist before
# anything (Huey opens its queue file on import) touches it.
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _number(name: str, default: float, minimum: float = 0) -> float:
    """A numeric setting; a value that is not a number (or too small) is a clear error."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {text!r}.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum:g}, not {text}.")
    return value


def _list(name: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, "").split(",") if part.strip()]


DEBUG = _flag("CIVICSOCIAL_DEBUG")


def _secret_key() -> str:
    key = os.environ.get("CIVICSOCIAL_SECRET_KEY", "")
    if key:
        if len(key) < 32:
            raise ImproperlyConfigured("CIVICSOCIAL_SECRET_KEY must be at least 32 characters long.")
        return key
    if not DEBUG:
        raise ImproperlyConfigured(
            "CIVICSOCIAL_SECRET_KEY is required in production. Set it to a long random "
            "string (python3 -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set CIVICSOCIAL_DEBUG=1 for a development setup."
        )
    # Development: one generated key per checkout, never committed (var/ is ignored).
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = _list("CIVICSOCIAL_ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "CIVICSOCIAL_ALLOWED_HOSTS is required in production: a comma-separated list "
            "of the host names this site is served under (e.g. social.example.gov)."
        )
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
CSRF_TRUSTED_ORIGINS = _list("CIVICSOCIAL_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp_webauthn",
    "axes",
    "civicsocial.registry",
    "civicsocial.security",
    "civicsocial.duties",
    "civicsocial.signin",
    "civicsocial.policy",
    "civicsocial.records",
    "civicsocial.platforms",
    "civicsocial.inbox",
    "civicsocial.incidents",
    "civicsocial.publishing",
    "civicsocial.ops",
    "huey.contrib.djhuey",
    "ninja",  # so /api/docs serves Swagger UI from the package's static files, not a CDN
]

MIDDLEWARE = [
    "civicsocial.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "civicsocial.security.middleware.RejectNulCharactersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "civicsocial.signin.middleware.RequireSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Axes goes last so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "civicsocial.urls"
WSGI_APPLICATION = "civicsocial.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "civicsocial" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "civicsocial.signin.context.roles",
            ],
        },
    },
]


def _databases() -> dict[str, dict[str, object]]:
    default_url = f"sqlite:///{VAR_DIR / 'civicsocial.sqlite3'}"
    url = os.environ.get("DATABASE_URL") or default_url
    config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=60))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        Path(str(config["NAME"])).parent.mkdir(parents=True, exist_ok=True)
        # WAL lets readers and one writer work at once; IMMEDIATE avoids
        # "database is locked" on upgrade from a read to a write transaction.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;",
            "transaction_mode": "IMMEDIATE",
        }
        config["CONN_MAX_AGE"] = 0
    return {"default": config}


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "registry.Person"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Passkeys and security keys (WebAuthn) as a second factor beside TOTP (issue 18), never
# alone: passwordless login stays off. The relying party is the host the page was served
# from; the origins are those the site is served under (HTTPS; http://localhost in
# development).
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_RP_NAME = "Civic Social"
OTP_WEBAUTHN_RP_ID_CALLABLE = "civicsocial.signin.passkeys.relying_party"
OTP_WEBAUTHN_ALLOWED_ORIGINS = [f"https://{host}" for host in ALLOWED_HOSTS if host != "testserver"] + \
    ([f"http://localhost:{os.environ.get('PORT', '8000')}"] if DEBUG else [])

# Single sign-on with the city's identity provider (OpenID Connect; signin/sso.py).
OIDC_RP_CLIENT_ID = os.environ.get("CIVICSOCIAL_OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("CIVICSOCIAL_OIDC_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("CIVICSOCIAL_OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("CIVICSOCIAL_OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("CIVICSOCIAL_OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("CIVICSOCIAL_OIDC_JWKS_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = "openid email profile"
OIDC_USE_PKCE = True
OIDC_CREATE_USER = False
LOGIN_REDIRECT_URL_FAILURE = "/login/?sso=refused"
if OIDC_RP_CLIENT_ID:
    AUTHENTICATION_BACKENDS.append("civicsocial.signin.sso.CityIdentityBackend")

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "civicsocial.security.passwords.ZxcvbnValidator"},
]

# P13: failed logins are throttled per user name and address; behind reverse proxies the
# address is the client's as the nearest of them saw it (security/addresses.py).
TRUSTED_PROXIES = int(_number("CIVICSOCIAL_TRUSTED_PROXIES", 0, minimum=0))
AXES_CLIENT_IP_CALLABLE = "civicsocial.security.addresses.client_address"
AXES_FAILURE_LIMIT = int(_number("CIVICSOCIAL_LOGIN_FAILURE_LIMIT", 5, minimum=1))
AXES_COOLOFF_TIME = _number("CIVICSOCIAL_LOGIN_COOLOFF_HOURS", 0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "signin/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

OTP_TOTP_ISSUER = os.environ.get("CIVICSOCIAL_OTP_ISSUER", "Civic Social")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("CIVICSOCIAL_TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Static files (ours, Swagger UI's in the ninja package) straight from the apps: one
# command starts everything, with no collectstatic step to forget.
WHITENOISE_USE_FINDERS = True
STATICFILES_DIRS = [BASE_DIR / "civicsocial" / "static"]

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_HSTS_SECONDS = int(_number("CIVICSOCIAL_HSTS_SECONDS", 31536000))
    # HTTPS on every subdomain, and the browsers' preload list: turn off only for a domain
    # that still serves plain HTTP somewhere (`check --deploy` warns then).
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _flag("CIVICSOCIAL_HSTS_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = _flag("CIVICSOCIAL_HSTS_PRELOAD", True)
    SECURE_SSL_REDIRECT = _flag("CIVICSOCIAL_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

EMAIL_BACKEND = os.environ.get(
    "CIVICSOCIAL_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("CIVICSOCIAL_FROM_EMAIL", "civic-social@localhost")

# P14: who is told first when an account is reported compromised, in this order (issue 18).
# Unset in production, the timeline says so for each report (development has demo addresses).
_DEMO_CONTACTS = {"ODS": "ods-security@demo.nyc.gov", "CYBER": "cyber-command@demo.nyc.gov",
                  "PRESS": "press-office@demo.nyc.gov"} if DEBUG else {}
# Publishing (issue 19): a worker's claim on a post it is sending lasts this long; after it,
# another worker takes the post over (the first one died). Short in the kill test.
PUBLISHING_LEASE_SECONDS = int(os.environ.get("CIVICSOCIAL_PUBLISHING_LEASE_SECONDS", "300"))

INCIDENT_CONTACTS = [
    (role, os.environ.get(f"CIVICSOCIAL_INCIDENT_{key}_EMAIL", _DEMO_CONTACTS.get(key, "")))
    for key, role in (("ODS", "ODS"), ("CYBER", "NYC Cyber Command"), ("PRESS", "City Hall press office"))
]
# Where the file-based backend (CIVICSOCIAL_EMAIL_BACKEND=...filebased.EmailBackend) writes.
EMAIL_FILE_PATH = os.environ.get("CIVICSOCIAL_EMAIL_DIR", str(VAR_DIR / "mail"))
# P21: a moderator reviews every account's inbox at least this often.
REVIEW_EVERY_HOURS = _number("CIVICSOCIAL_REVIEW_EVERY_HOURS", 24)

# Logs: one JSON object a line in production (CIVICSOCIAL_LOG_FORMAT=json, the default
# outside development), plain text in development; each line names its request or task.
LOG_FORMAT = os.environ.get("CIVICSOCIAL_LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"CIVICSOCIAL_LOG_FORMAT must be json or text, not {LOG_FORMAT!r}.")
# Content Security Policy (issue 18): nothing inline, nothing from elsewhere. Templates hold
# no script, style attribute or event handler (security/tests/test_headers.py reads them all).
CONTENT_SECURITY_POLICY = {"DIRECTIVES": {
    "default-src": ["'self'"], "script-src": ["'self'"], "style-src": ["'self'"],
    "img-src": ["'self'", "data:"], "object-src": ["'none'"], "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"], "form-action": ["'self'"]}}

# Error reports (debug page, administrators' e-mail) star secrets in development too (P13).
DEFAULT_EXCEPTION_REPORTER_FILTER = "civicsocial.security.errors.SecretHidingFilter"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "civicsocial.logs.ContextFilter"}},
    "formatters": {
        "json": {"()": "pythonjsonlogger.json.JsonFormatter",
                 "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(process)d",
                 "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"}},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["context"],
                             "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": os.environ.get("CIVICSOCIAL_LOG_LEVEL", "WARNING")},
    # The Huey consumer gives its logger a handler of its own: not twice through root.
    "loggers": {"axes": {"level": "ERROR"}, "huey": {"propagate": False}},
}

# Branding and policy constants used across apps.
CITY_NAME = os.environ.get("CIVICSOCIAL_CITY_NAME", "New York City")

# The archive's media files, stored once each under their SHA-256.
MEDIA_STORE = Path(os.environ.get("CIVICSOCIAL_MEDIA_DIR", VAR_DIR / "media"))
# How often each account is polled when it has no interval of its own (seconds).
CAPTURE_INTERVAL_SECONDS = int(_number("CIVICSOCIAL_CAPTURE_INTERVAL", 300, minimum=10))
# Background work (DESIGN.md): Huey with its queue in a SQLite file beside the database,
# or in Redis when CIVICSOCIAL_REDIS_URL is set (several workers on several machines).
# `civicsocial serve` starts a worker; `civicsocial worker` runs one on its own.
REDIS_URL = os.environ.get("CIVICSOCIAL_REDIS_URL", "").strip()
HUEY: dict[str, object] = {
    "name": "civicsocial",
    "immediate": False,  # djhuey would run tasks inline whenever DEBUG is on
    "results": False,  # jobs keep their state in the database, where the pages read it
    "consumer": {"workers": 2, "worker_type": "thread"},
}
if REDIS_URL:
    if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured("CIVICSOCIAL_REDIS_URL must be a redis://, rediss:// or "
                                   f"unix:// URL, not {REDIS_URL!r}.")
    HUEY.update({"huey_class": "huey.RedisHuey", "url": REDIS_URL})
else:
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": str(VAR_DIR / "tasks.sqlite3")})

# Branding audit (P8): the city's reference logo (an image file; empty: the demo city's
# mark) and the user policy the bios must link to.
BRAND_LOGO = os.environ.get("CIVICSOCIAL_BRAND_LOGO", "")
USER_POLICY_URL = os.environ.get("CIVICSOCIAL_USER_POLICY_URL", "https://www.nyc.gov/socialmediapolicy")
# FOIL productions built from the pages, and capture files uploaded to the imports page
# for the worker to import (issue 21). Workers on other machines must see both (shared
# storage), as they see the media store.
PRODUCTIONS_DIR = Path(os.environ.get("CIVICSOCIAL_PRODUCTIONS_DIR", VAR_DIR / "productions"))
IMPORTS_DIR = Path(os.environ.get("CIVICSOCIAL_IMPORTS_DIR", VAR_DIR / "imports"))
IMPORT_UPLOAD_MAX_BYTES = int(os.environ.get("CIVICSOCIAL_IMPORT_UPLOAD_MAX_BYTES", str(4 * 1024**3)))
# Evidence (issue 21, records/evidence.py): the city's signing certificate (PEM, then its
# chain; the key is in the vault), the RFC 3161 time-stamping authority, and the roots a
# verifier trusts. The demo city generates its own under var/evidence (make demo).
EVIDENCE_CERT = os.environ.get("CIVICSOCIAL_EVIDENCE_CERT", "")
TSA_URL = os.environ.get("CIVICSOCIAL_TSA_URL", "")
EVIDENCE_TRUST = os.environ.get("CIVICSOCIAL_EVIDENCE_TRUST", "")
# Productions of at least this many items draw their thread PDFs in a process per core
# (records/thread_drawing.py): each process first reads the fonts, a few seconds.
PRODUCTION_PARALLEL_ITEMS = int(os.environ.get("CIVICSOCIAL_PRODUCTION_PARALLEL_ITEMS", "10000"))
