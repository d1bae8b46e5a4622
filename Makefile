# Newsroom: the two commands a fresh machine needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install migrate seed test-postgres lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput

# Imports the seeds as published stories; running it again changes nothing.
seed: migrate
	DEBUG=1 $(BIN)/python manage.py import_seeds --publish

## Install, migrate, import the seeds and serve the site on SQLite at http://127.0.0.1:8000/
run: seed
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

## Run the whole test suite (SQLite; DATABASE_URL=postgres://… runs it on PostgreSQL)
test: install
	$(BIN)/python -m pytest

test-postgres: install
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom $(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: install
	$(BIN)/python bench/import_bench.py

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm .pytest_cache
