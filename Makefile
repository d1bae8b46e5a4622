# Newsroom: the two commands a fresh machine needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install messages migrate seed test-postgres lint bench clean quality-tools

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# The interface catalogues (locale/*/LC_MESSAGES/django.po) compiled to .mo; needs GNU gettext's msgfmt.
messages: install
	@command -v msgfmt >/dev/null || { echo "== installing gettext (msgfmt)"; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; }
	DEBUG=1 $(BIN)/python manage.py compilemessages --ignore=.venv --ignore=.ci -v0

migrate: messages
	DEBUG=1 $(BIN)/python manage.py migrate --noinput

# Imports the seeds as published stories; running it again changes nothing.
seed: migrate
	DEBUG=1 $(BIN)/python manage.py import_seeds --publish

## Install, migrate, import the seeds and serve the site on SQLite at http://127.0.0.1:8000/
run: seed
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

## Run the whole test suite (SQLite; DATABASE_URL=postgres://… runs it on PostgreSQL)
test: messages
	$(BIN)/python -m pytest

test-postgres: messages
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom $(BIN)/python -m pytest

## Install the browser tests' quality gates (Lighthouse, the Nu Html Checker) into .ci/node_modules/.
## Without them those checks skip (and fail with CI set). --ignore-scripts: vnu-jar's postinstall
## would download a Java runtime when java is missing; tests/browser/quality.py uses the system's java.
quality-tools: .ci/node_modules/.package-lock.json

.ci/node_modules/.package-lock.json: .ci/package.json .ci/package-lock.json
	npm ci --prefix .ci --no-audit --no-fund --ignore-scripts
	touch $@

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## Run every benchmark (import, search, serve) on SQLite, each printing its table, then a summary table
bench: install
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm .pytest_cache
