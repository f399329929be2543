# Two commands for a fresh Debian machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The client generator of the contract test, apart from the project's packages.
CODEGEN := .venv-codegen
HOST ?= 127.0.0.1
PORT ?= 8000

# Parallel pytest workers (pytest-xdist); each gets its own test database and Redis
# database (tests/conftest.py).
PYTEST_WORKERS ?= 2

# The test suite runs against real PostgreSQL and Redis on this machine.
TEST_ENV := DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/cnt \
	REDIS_URL=redis://127.0.0.1:6379/15 \
	CELERY_TASK_ALWAYS_EAGER=1 \
	OPENAPI_PYTHON_CLIENT=$(abspath $(CODEGEN))/bin/openapi-python-client

.PHONY: help venv venv-dev lock run serve test pytest lint format worker beat bench migrate seed \
	messages clean cluster

help:
	@echo "make run     set up and serve the API, admin and WebSockets on http://$(HOST):$(PORT),"
	@echo "             with a Celery worker and beat (no Redis needed; Procfile.dev)"
	@echo "make test    install what is missing, then ruff, import layers, migrations check, pytest"
	@echo "make worker  a Celery worker for the default and media queues (needs REDIS_URL)"
	@echo "make lint    ruff check and format check;  make format  rewrite with ruff"
	@echo "make lock    recompile requirements.txt and requirements-dev.txt (hashes) from the .in files"
	@echo "make bench   the benchmarks under bench/"
	@echo "make cluster the production topology on this machine (two web processes, a worker"
	@echo "             per queue, beat, PostgreSQL, Redis, a local S3; see Procfile.cluster)"
	@echo "make messages  compile the message catalogues (locale/)"

# Two locked sets (make lock): requirements.txt is what serving, the worker and the commands
# need; requirements-dev.txt adds the tests and tooling. Both pin every package with hashes.
$(BIN)/.installed: requirements.txt
	@scripts/ensure-system.sh python
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --require-hashes -r requirements.txt
	@touch $@

$(BIN)/.installed-dev: requirements-dev.txt $(BIN)/.installed
	$(BIN)/pip install -q --require-hashes -r requirements-dev.txt
	@touch $@

venv: $(BIN)/.installed

venv-dev: $(BIN)/.installed-dev

# Recompile both lock files from requirements.in and requirements-dev.in (pip-tools).
PIP_COMPILE := CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile -q --generate-hashes \
	--allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links

lock: venv-dev
	$(PIP_COMPILE) -o requirements.txt requirements.in
	$(PIP_COMPILE) -o requirements-dev.txt requirements-dev.in

$(CODEGEN)/.installed: requirements-codegen.txt
	@test -x $(CODEGEN)/bin/python || $(PYTHON) -m venv $(CODEGEN)
	$(CODEGEN)/bin/pip install -q -r requirements-codegen.txt
	@touch $@

migrate: venv
	$(BIN)/python manage.py migrate --noinput

# The French (and any other) message catalogues under locale/, compiled to .mo (gettext).
messages: venv
	@scripts/ensure-system.sh gettext
	$(BIN)/python manage.py compilemessages -v0 --ignore='.venv*' --ignore=var --ignore=node_modules

seed: migrate
	$(BIN)/python manage.py seed_demo

run: venv messages
	@scripts/ensure-system.sh ffmpeg speech
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput -v0
	@# The demo's media goes to the embedded worker's queue: it is processed once the worker
	@# below starts, while the server already answers (each item turns ready over the socket).
	EMBEDDED_WORKER=1 $(BIN)/python manage.py seed_demo
	@echo "==> serving on http://$(HOST):$(PORT)  (admin: /admin/, API docs: /api/docs/)"
	@echo "==> with a Celery worker and beat (Procfile.dev); Ctrl-C stops them all"
	HOST=$(HOST) EMBEDDED_WORKER=1 $(BIN)/honcho -f Procfile.dev start -p $(PORT)

serve: venv
	$(BIN)/uvicorn --host $(HOST) --port $(PORT) --proxy-headers --lifespan off cnt.asgi:application

test: venv-dev messages $(CODEGEN)/.installed
	@scripts/ensure-system.sh ffmpeg services chromium speech
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(BIN)/pytest --create-db -q -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

pytest: venv-dev messages $(CODEGEN)/.installed
	$(TEST_ENV) $(BIN)/pytest -q $(PYTEST_ARGS)

lint: venv-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: venv-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

worker: venv
	$(BIN)/celery -A cnt worker -Q default,media -l info

beat: venv
	$(BIN)/celery -A cnt beat -l info

# The local S3 of the cluster is moto's server, a development package.
cluster: venv-dev
	@scripts/ensure-system.sh ffmpeg services
	@scripts/cluster.sh

bench: venv-dev
	@scripts/ensure-system.sh ffmpeg services
	$(TEST_ENV) $(BIN)/python bench/run.py

clean:
	rm -rf var/static
