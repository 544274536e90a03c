# GTM OS — the two commands that matter are `make run` and `make test`.
PY ?= python3
VENV := .venv
UV := .uv/bin/uv
UV_ENV := UV_PROJECT_ENVIRONMENT=$(VENV) UV_PYTHON=$(PY) UV_PYTHON_DOWNLOADS=never
MANAGE := $(VENV)/bin/python manage.py

.PHONY: install run test bench migrate lint clean

$(UV):
	$(PY) -m venv .uv
	.uv/bin/pip install --quiet --disable-pip-version-check uv==0.13.9

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV_ENV) $(UV) sync --frozen --quiet --group embedded
	touch $@

install: $(VENV)/.synced

migrate: install
	$(MANAGE) migrate --noinput

## Quick start: embedded SQLite + filesystem broker; demo data loaded once; web + worker + beat.
run: migrate
	$(MANAGE) seed_demo --if-empty
	$(MANAGE) run_stack

## Tests on PostgreSQL + Redis at 127.0.0.1 (falls back to a SQLite subset and says what it skipped).
test: install
	$(VENV)/bin/python -m pytest $(PYTEST_ARGS)

## Benchmarks on PostgreSQL; figures go to the README's performance section.
bench: install
	$(VENV)/bin/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .uv var
