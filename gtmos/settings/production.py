"""Production overrides: DEBUG off, a real secret key, PostgreSQL and Redis named in the environment (never the
embedded quick-start servers), SMTP mail, manifest static files, JSON logs, secure cookies and HSTS."""

import os

from django.core.exceptions import ImproperlyConfigured

from gtmos import env

# Checked before base is imported: base starts the embedded servers for whichever of these is unset.
for _name in ("DATABASE_URL", "CELERY_BROKER_URL"):
    if not os.environ.get(_name):
        raise ImproperlyConfigured(f"{_name} must be set in production (the embedded servers are the quick start's)")
os.environ.setdefault("LOG_FORMAT", "json")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")

from .base import *  # noqa: E402,F403

DEBUG = env.boolean("DEBUG", default=False)
SECRET_KEY = env.string("SECRET_KEY")
SWARM_SITE_SOURCE = env.string("SWARM_SITE_SOURCE", "http")  # crawl the prospect's real site (base: archive)
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("dev-insecure"):
    raise ImproperlyConfigured("SECRET_KEY must be set to a random value of at least 50 characters")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.boolean("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the container healthcheck calls it over plain http inside the network
SECURE_HSTS_SECONDS = env.integer("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env.boolean("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.boolean("CSRF_COOKIE_SECURE", default=True)
WHITENOISE_USE_FINDERS = False  # collected, hashed files only (collectstatic runs in the image build)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
