# GTM OS — the two commands that matter are `make run` and `make test`.
PY ?= python3
VENV := .venv
UV := .uv/bin/uv
UV_ENV := UV_PROJECT_ENVIRONMENT=$(VENV) UV_PYTHON=$(PY) UV_PYTHON_DOWNLOADS=never
MANAGE := $(VENV)/bin/python manage.py

# Where `make run` listens (and so the links in its emails): make run ADDR=127.0.0.1:8123
ADDR ?= 127.0.0.1:8000

.PHONY: install run logins test bench migrate lint clean

$(UV):
	$(PY) -m venv .uv
	.uv/bin/pip install --quiet --disable-pip-version-check uv==0.13.9

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV_ENV) $(UV) sync --frozen --quiet --group embedded
	touch $@

install: $(VENV)/.synced

migrate: install
	$(MANAGE) migrate --noinput

## Quick start: the whole product (web, worker, swarm worker, beat) on PostgreSQL + Redis — embedded under var/
## unless DATABASE_URL / CELERY_BROKER_URL are set; demo data loaded once; ends with the logins table.
run: install
	$(MANAGE) run_stack --addr $(ADDR)

## The address and the demo logins again.
logins: install
	@$(MANAGE) logins

## The full suite on PostgreSQL + Redis: DATABASE_URL / CELERY_BROKER_URL if set, else embedded under var/test/.
test: install
	$(VENV)/bin/python -m pytest $(PYTEST_ARGS)

## Benchmarks on PostgreSQL; figures go to the README's performance section.
bench: install
	$(VENV)/bin/python -m bench $(BENCH_ARGS)

## Lint: ruff check and ruff format --check (configured in pyproject.toml); CI runs it before the tests.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) .uv var
