FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 UV_PROJECT_ENVIRONMENT=/app/.venv UV_PYTHON_DOWNLOADS=never \
    DJANGO_SETTINGS_MODULE=gtmos.settings.production
WORKDIR /app
RUN pip install --no-cache-dir uv==0.13.9
COPY pyproject.toml uv.lock ./
# Production dependencies only: no dev group, no embedded PostgreSQL/Redis (compose runs the real ones).
RUN uv sync --frozen --no-dev
COPY . .
# Hashed, compressed static files for the manifest storage. Settings need a database and broker URL and a secret
# to load; nothing connects during collectstatic, so these build-time values are never used for anything else.
RUN DATABASE_URL=postgres://build@build/build CELERY_BROKER_URL=redis://build:6379/0 \
    SECRET_KEY=build-time-only-collectstatic-key-0123456789abcdefghijklmnopqrstuvwxyz \
    /app/.venv/bin/python manage.py collectstatic --noinput -v 0
ENV PATH="/app/.venv/bin:$PATH"
EXPOSE 8000
CMD ["gunicorn", "-c", "python:gtmos.gunicorn"]
