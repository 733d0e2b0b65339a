# Parvis: `make run` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# `make test` runs the suite on TEST_WORKERS processes (pytest-xdist, one test database
# each): the machine's cores, at most 8. TEST_WORKERS=0 runs it in this one process.
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 1); [ $$n -gt 8 ] && n=8; echo $$n)

.PHONY: install run test screenshots lint format migrations-check messages clean bench-data bench bench-sockets

$(BIN)/django-admin: pyproject.toml constraints.txt
	bash scripts/install-system-packages
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(BIN)/django-admin

install: $(BIN)/django-admin  ## build .venv (and the system packages it needs)

# `make run` serves the demo on http://$(HOST):$(PORT); every absolute link it writes (e-mails,
# the admin, calendar feeds) follows, unless PORTAL_BASE_URL is set. The demo's own domain is
# internal there, so its people can invite colleagues and sign up (PORTAL_INTERNAL_DOMAINS).
# runserver is daphne's (first in INSTALLED_APPS): it serves the live sockets (/ws/live/) too,
# on the in-memory channel layer (REDIS_URL set: Redis); tests/portal/test_runserver_sockets.py.
run: export PORTAL_BASE_URL ?= http://$(HOST):$(PORT)
run: export PORTAL_INTERNAL_DOMAINS ?= parvis.example
run: export ALLOWED_HOSTS ?= localhost,127.0.0.1,[::1],$(HOST)
run: install  ## the portal on http://$(HOST):$(PORT) (127.0.0.1:8000) with demo data (SQLite, mail to console)
	DEBUG=1 $(BIN)/python manage.py migrate --no-input
	DEBUG=1 $(BIN)/python manage.py vapid_keys
	DEBUG=1 $(BIN)/python manage.py compilemessages --ignore=.venv -v 0
	DEBUG=1 $(BIN)/python manage.py seed_demo
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

# --no-loadscope-reorder: xdist would otherwise deal its multi-test groups (the stack modules,
# which commit and flush the database) first, and a worker would then run tests that roll
# back on a flushed database; in pytest-django's order, those that commit come last.
test: install  ## the whole test suite (DATABASE_URL / REDIS_URL select the real services)
	$(BIN)/python manage.py compilemessages --ignore=.venv -v 0
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup --no-loadscope-reorder $(PYTEST_ARGS)

# `make screenshots`, after an intended change of the look: takes the screenshot tests'
# references again (tests/e2e/references/, tests/e2e/test_visual.py) and the README's images
# (docs/screenshots/, from the browser tests that take them). Look at them, then commit them.
# On PostgreSQL, like CI: SCREENSHOTS_DATABASE_URL, by default DATABASE_URL or the local server.
SCREENSHOTS_DATABASE_URL ?= $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/parvis)
screenshots: install  ## take the screenshot references and the README's screenshots again
	$(BIN)/python manage.py compilemessages --ignore=.venv -v 0
	rm -f tests/e2e/references/*.png
	DATABASE_URL=$(SCREENSHOTS_DATABASE_URL) UPDATE_SCREENSHOTS=1 $(BIN)/pytest \
	  -n $(TEST_WORKERS) --dist loadgroup --no-loadscope-reorder \
	  tests/e2e/test_visual.py $$($(BIN)/python scripts/readme_screenshots.py tests)
	$(BIN)/python scripts/readme_screenshots.py copy
	@du -sh tests/e2e/references docs/screenshots

lint:  ## ruff, and the layer contracts (an upward import fails)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check:
	$(BIN)/python manage.py makemigrations --check --dry-run

messages:  ## refresh the French catalogue after changing strings
	$(BIN)/python manage.py makemessages -l fr --ignore=.venv --ignore=var --ignore=bench
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf var/test-media var/test-media-gw* var/test-parvis.sqlite3 var/test-parvis.sqlite3_gw*

SIZE ?= S
BENCH_DB ?= postgres://postgres@127.0.0.1:5432/parvis_bench_$(shell echo $(SIZE) | tr A-Z a-z)

$(BIN)/locust: $(BIN)/django-admin pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,bench]"
	touch $(BIN)/locust

bench-data: $(BIN)/locust  ## (re)build the bench data set SIZE=S or L on the local PostgreSQL
	DATABASE_URL=$(BENCH_DB) $(BIN)/python bench/generate.py --size $(SIZE)

bench: $(BIN)/locust  ## load run on SIZE, query counts on S and L, digest throughput
	$(BIN)/python bench/run.py --size $(SIZE) --queries --digests

# One ASGI process, 1,000 signed-in sockets, a 200-member chat at 20 messages/s (bench/sockets.py):
# the local PostgreSQL (database parvis_proof_bench) and Redis (channel prefix "proof").
bench-sockets: $(BIN)/locust  ## live sockets: delivery p50/p99, memory per connection, page ratio
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379} $(BIN)/python bench/sockets.py $(BENCH_ARGS)
