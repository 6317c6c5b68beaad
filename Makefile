# Two commands: `make run` (set up, demo data, server) and `make test` (set up, whole suite).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
VENDOR := vendor/.installed-stamp
HOST   ?= 127.0.0.1:8000
# The demo's "today" (baocao.core.clock, setting BAOCAO_TODAY): the day June 2020's forms are due (cut-off
# Sunday 14/6 + 2 working days), so deadlines, task statuses and reminders read as they did then. Only
# `make run` sets it; production and the test suite use the real date (docs/decisions/0020).
DEMO_TODAY ?= 2020-06-16

.PHONY: setup run serve test test-topology lint typecheck pytest migrate demo bench bench-setup bench-national clean lock lock-upgrade

# Python packages: exactly the versions and hashes of requirements.lock (one lock for every extra: run, test,
# CI, serve and bench install the same set; docs/decisions/0032-lock-file.md). The project itself goes in
# without its dependencies and without build isolation, so even its build backend (setuptools) is the locked
# one; `pip check` then fails if pyproject.toml asks for something the lock lacks (run `make lock`).
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	touch $(STAMP)

# Regenerate the lock after editing pyproject.toml's dependencies, keeping every other pin (`make lock`), or
# move everything to the newest versions the ranges allow (`make lock-upgrade`; one package:
# `make lock LOCK_ARGS="--upgrade-package django"`). Also locked: the build backend, pip and uv itself.
LOCK_ARGS ?=
lock lock-upgrade:
	test -x $(BIN)/uv || { test -x $(BIN)/python || $(PYTHON) -m venv $(VENV); \
	  $(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock; }
	$(BIN)/python -c 'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"], "pip", "uv", sep="\n")' \
	  | $(BIN)/uv pip compile pyproject.toml - --extra dev --universal --python-version 3.11 \
	    --generate-hashes --custom-compile-command "make lock" --output-file requirements.lock --quiet \
	    $(if $(filter lock-upgrade,$@),--upgrade) $(LOCK_ARGS)

# Front-end libraries: pinned in package.json / package-lock.json, installed from the npm registry and
# copied into vendor/, which Django serves as static/vendor/ (no CDN: intranets are often offline).
$(VENDOR): package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	rm -rf vendor && mkdir -p vendor/echarts vendor/quill vendor/axe-core
	cp node_modules/echarts/dist/echarts.min.js node_modules/echarts/i18n/langVI.js vendor/echarts/
	cp node_modules/quill/dist/quill.js node_modules/quill/dist/quill.snow.css vendor/quill/
	cp node_modules/axe-core/axe.min.js vendor/axe-core/
	touch $(VENDOR)

setup: $(STAMP) $(VENDOR)

migrate: setup
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo --print-logins
	$(BIN)/python manage.py make_demo_pki

run: demo
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0  # WhiteNoise serves them when DEBUG is off
	@echo "Mở http://$(HOST)/ và đăng nhập bằng tài khoản ở trên. Ngày hiện tại của bản demo: $(DEMO_TODAY)."
	BAOCAO_TODAY=$(DEMO_TODAY) $(BIN)/python manage.py runserver $(HOST)

# The production shape on this machine: collectstatic, migrate, then gunicorn and a job worker (deploy/serve.sh;
# Ctrl+C stops both). DATABASE_URL selects PostgreSQL; GUNICORN_BIND, WEB_CONCURRENCY... in .env.example.
serve: setup
	deploy/serve.sh

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports  # layer contracts ([tool.importlinter] in pyproject.toml; docs/decisions/0007-layers.md)

typecheck: setup
	$(BIN)/mypy baocao

pytest: setup
	$(BIN)/python manage.py check --fail-level WARNING
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest

test: lint typecheck pytest

# The production shape on loopback (deploy/topology.py: PostgreSQL primary + streaming replica, two gunicorn
# applications, two job workers), then its smoke, replication and fault tests (deploy/tests; CI runs it).
test-topology: setup
	$(BIN)/pytest deploy/tests -p no:cacheprovider

# Benchmarks (bench/RESULTS.md). The scale benchmarks need PostgreSQL: DATABASE_URL if it is set, else a
# throw-away cluster started by bench/with_postgres.sh. The savers' load comes from bench/loadgen.py (standard
# library, light enough not to starve the server); gunicorn is a main dependency.
bench-setup: setup

bench: bench-setup
	$(BIN)/python bench/bench_report.py
	bench/with_postgres.sh $(BIN)/python bench/bench_scale.py --scale province
	$(BIN)/python bench/bench_dashboard.py --scale demo
	bench/with_postgres.sh $(BIN)/python bench/bench_dashboard.py --scale province

bench-national: bench-setup
	bench/with_postgres.sh $(BIN)/python bench/bench_scale.py --scale national

clean:
	rm -rf $(VENV) vendor node_modules baocao.sqlite3* test-*baocao.sqlite3* .pytest_cache .mypy_cache .ruff_cache
