# Flokk: two commands to know, `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/flokk

.PHONY: run install test test-sqlite test-postgres lint bench devnet messages clean

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

test: install /usr/bin/chromium lint test-sqlite test-postgres

test-sqlite: install
	$(BIN)/pytest -q -n 2

test-postgres: install
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -n 2

lint: install
	$(BIN)/ruff check flokk tests bench conftest.py
	$(BIN)/ruff format --check flokk tests bench conftest.py
	$(BIN)/flokk makemigrations --check --dry-run
	$(BIN)/mypy flokk

bench: install
	@for b in bench/*.py; do [ -e "$$b" ] && $(BIN)/python "$$b"; done; true

messages: install
	cd flokk && ../$(BIN)/flokk makemessages -l sv -l da -l nb -l en --no-obsolete --ignore "*/tests/*"
	cd flokk && ../$(BIN)/flokk compilemessages

clean:
	rm -rf $(VENV) var
