# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1:8000

.PHONY: run test install install-test lint format migrate demo serve clean bench bench-edge bench-scale explain messages

# The stamp files re-run pip only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PIP) install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

migrate: install
	$(PY) manage.py migrate --noinput

# The demo accounts (one per role) and their passwords are printed here.
demo: migrate
	$(PY) manage.py load_demo --accounts

run: demo
	@echo "Newsroom is serving on http://$(HOST)/  (admin: http://$(HOST)/admin/)"
	$(PY) manage.py runserver $(HOST)

# Production: gunicorn with newsroom.settings.production, which needs SECRET_KEY,
# ALLOWED_HOSTS and DATABASE_URL in the environment (README: "Production").
SERVE_SETTINGS ?= newsroom.settings.production
WORKERS ?= 3
serve: install
	DJANGO_SETTINGS_MODULE=$(SERVE_SETTINGS) $(PY) manage.py check --deploy --fail-level ERROR
	DJANGO_SETTINGS_MODULE=$(SERVE_SETTINGS) $(PY) manage.py migrate --noinput
	DJANGO_SETTINGS_MODULE=$(SERVE_SETTINGS) $(PY) manage.py collectstatic --noinput --verbosity 0
	DJANGO_SETTINGS_MODULE=$(SERVE_SETTINGS) $(VENV)/bin/gunicorn newsroom.wsgi \
		--bind $(HOST) --workers $(WORKERS) --access-logfile - --error-logfile -

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-test
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: install-test lint
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# The words around a story in each language (locale/*/LC_MESSAGES/django.po),
# compiled to the .mo files the site reads; needs GNU gettext's msgfmt.
messages: install
	$(PY) manage.py compilemessages --locale ar --ignore '.venv/*'

clean:
	rm -rf $(VENV) .pytest_cache

# The benchmark (README: "Performance"): its own database in bench/out/, never
# newsroom.sqlite3. BENCH_ARGS=--quick for a short run while developing. With
# varnishd installed it ends with the edge run (bench/edge.py); bench-edge is
# that run alone.
bench: install
	$(PY) bench/run.py $(BENCH_ARGS)

bench-edge: install
	$(PY) bench/run.py --edge-only $(BENCH_ARGS)

# PostgreSQL at 100,000 and at BENCH_SCALE stories (bench/scale.py), in the
# databases <name>100k and <name>1m of BENCH_DATABASE_URL's server.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/bench
BENCH_SCALE ?= 1000000
bench-scale: install
	$(PY) bench/run.py --scale $(BENCH_SCALE) --database-url $(BENCH_DATABASE_URL) $(BENCH_ARGS)

# Query plans of the reader pages' queries; EXPLAIN_DATABASE_URL=postgres://… for PostgreSQL.
explain: install
	$(PY) bench/explain.py $(if $(EXPLAIN_DATABASE_URL),--database-url $(EXPLAIN_DATABASE_URL))
