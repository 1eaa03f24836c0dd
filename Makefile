# Greengrocer — `make run` starts the shop, `make test` proves it works.
SHELL := /bin/bash
# PYTHON=/path/to/python3.X picks the interpreter; by default scripts/ensure_venv.sh takes the
# newest supported one on PATH (requires-python in pyproject.toml).
export PYTHON
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
SYSTEM_PACKAGES := redis-server=redis-server pdftoppm=poppler-utils prometheus=prometheus prometheus-alertmanager=prometheus-alertmanager
TEST_SYSTEM_PACKAGES := $(SYSTEM_PACKAGES) chromium=chromium

.DEFAULT_GOAL := help
.PHONY: help install system-packages test-system-packages setup run test lint format test-postgres test-hosts bench bench-issue-sizes bench-quick soak clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

install: ## Create .venv with a supported Python (requires-python) and install the pinned packages
	@scripts/ensure_venv.sh $(VENV)

system-packages:
	@scripts/ensure_system_packages.sh $(SYSTEM_PACKAGES)

test-system-packages:
	@scripts/ensure_system_packages.sh $(TEST_SYSTEM_PACKAGES)

setup: install system-packages ## Migrate, create the beat schedules, collect the static files (idempotent)
	@mkdir -p var/media var/mail var/redis var/flower
	$(MANAGE) migrate --noinput
	$(MANAGE) setup_schedules
	$(MANAGE) collectstatic --noinput --verbosity 0

run: setup ## Install what is missing, start the whole stack, seed the demo once Redis answers (Ctrl-C stops it)
	@scripts/run.sh

# The Sentinel failover test repoints this process's broker, results and locks at Sentinels
# and back: it runs in a process of its own, so nothing it leaves can reach another test.
FAILOVER_TEST := tests/reliability/test_sentinel_failover.py
test: install test-system-packages lint ## Lint, then run the test suite against real Redis, workers and browser
	$(BIN)/python -m pytest --ignore=$(FAILOVER_TEST) $(PYTEST_ARGS)
	$(BIN)/python -m pytest $(FAILOVER_TEST) $(PYTEST_ARGS)

test-postgres: install test-system-packages ## Run the tests (not e2e) against a throwaway PostgreSQL cluster
	scripts/test_postgres.sh $(PYTEST_ARGS)

# The hosts suite makes its own network namespaces (root): a core at 10.231.0.1 (PostgreSQL,
# Redis, web) and two worker hosts; tests/hosts/conftest.py. It skips where it cannot make them.
HOSTS_CORE_DATABASE_URL := postgres://greengrocer@10.231.0.1:5432/greengrocer
test-hosts: install test-system-packages ## Worker hosts as network namespaces against one core (needs root)
	@scripts/ensure_system_packages.sh ip=iproute2 unshare=util-linux pg_ctlcluster=postgresql
	GREENGROCER_HOSTS_SUITE=1 DATABASE_URL=$(HOSTS_CORE_DATABASE_URL) DATABASE_CONN_MAX_AGE=0 \
		$(BIN)/python -m pytest tests/hosts $(PYTEST_ARGS)

lint: install ## ruff check + format check + the import contracts (pyproject.toml, docs/architecture.md)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

SOAK_MINUTES ?= 10
bench: install system-packages ## Benchmarks (~10 min: bench/results/latest.md), then the soak (SOAK_MINUTES)
	$(BIN)/python -m bench
	$(BIN)/python -m bench.soak --minutes $(SOAK_MINUTES)

bench-issue-sizes: install system-packages ## The three scaled-down benchmarks at the issue's full sizes (~7 min: bench/results/issue-sizes/)
	$(BIN)/python -m bench --issue-sizes --only priority --only campaign --only sync --output bench/results/issue-sizes

bench-quick: install system-packages ## The benchmarks at smoke-test size (make test runs it too)
	$(BIN)/python -m bench --quick --output var/bench-quick

soak: install system-packages ## Mixed traffic for SOAK_MINUTES (10) on a stack of its own, memory sampled; not in CI
	$(BIN)/python -m bench.soak --minutes $(SOAK_MINUTES)

clean: ## Remove var/ (database, media, mail, Redis data) — the demo is re-seeded on the next run
	rm -rf var
