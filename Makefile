# Parvis: `make run` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: install run test lint format migrations-check messages clean

$(BIN)/django-admin: pyproject.toml constraints.txt
	bash scripts/install-system-packages
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(BIN)/django-admin

install: $(BIN)/django-admin  ## build .venv (and the system packages it needs)

run: install  ## the portal on http://127.0.0.1:8000 with demo data (SQLite, mail to console)
	DEBUG=1 $(BIN)/python manage.py migrate --no-input
	DEBUG=1 $(BIN)/python manage.py compilemessages --ignore=.venv -v 0
	DEBUG=1 $(BIN)/python manage.py seed_demo
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install  ## the whole test suite (DATABASE_URL / REDIS_URL select the real services)
	$(BIN)/python manage.py compilemessages --ignore=.venv -v 0
	$(BIN)/pytest $(PYTEST_ARGS)

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check:
	$(BIN)/python manage.py makemigrations --check --dry-run

messages:  ## refresh the French catalogue after changing strings
	$(BIN)/python manage.py makemessages -l fr --ignore=.venv --ignore=var --ignore=bench
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf var/test-media var/test-parvis.sqlite3
