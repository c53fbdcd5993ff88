# Türöffner – the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
export UV_PROJECT_ENVIRONMENT := $(VENV)
export LITESTAR_APP := api.app:create_app
export PYTHONPATH := src:.
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test coverage install migrate lint typecheck bench clean-db

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(UV): | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==0.13.9"

# Install exactly what the lock file pins (with hashes); re-run when the lock changes.
$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --locked --all-groups
	touch $@

install: $(VENV)/.synced

migrate: install
	mkdir -p var
	$(BIN)/litestar --app $(LITESTAR_APP) database upgrade --no-prompt

# E-mailed links point where the app serves (make run PORT=8012); MATCHING_BASE_URL overrides.
run: export MATCHING_BASE_URL := $(or $(MATCHING_BASE_URL),http://$(HOST):$(PORT))
run: migrate
	$(BIN)/litestar --app $(LITESTAR_APP) tueroeffner load-reference-data
	$(BIN)/litestar --app $(LITESTAR_APP) tueroeffner demo-data --if-empty
	$(BIN)/litestar --app $(LITESTAR_APP) tueroeffner demo-logins --url http://$(HOST):$(PORT)
	$(BIN)/litestar --app $(LITESTAR_APP) run --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/bandit -q -c pyproject.toml -r src scoring
	# Known vulnerabilities in the lock fail; unreachable advisory data only prints a notice.
	$(BIN)/python scripts/audit_dependencies.py

typecheck: install
	$(BIN)/mypy

# Two workers, one per core; worksteal keeps both busy when a long test comes last.
test: lint typecheck
	$(BIN)/pytest -n 2 --dist worksteal

# The same suite with branch coverage (about a third slower; report in var/coverage.xml).
coverage: install
	$(BIN)/pytest -n 2 --dist worksteal --cov --cov-report=term --cov-report=xml:var/coverage.xml

# Each script prints its figures beside the targets (PostgreSQL ones use a throw-away database).
bench: install
	$(BIN)/python benchmarks/bench_scoring.py
	$(BIN)/python benchmarks/bench_ranking.py
	$(BIN)/python benchmarks/bench_import.py
	$(BIN)/python benchmarks/bench_intake_parse.py
	$(BIN)/python benchmarks/bench_upload_bomb.py
	$(BIN)/python benchmarks/bench_proposals.py
	$(BIN)/python benchmarks/bench_demo_data.py
	$(BIN)/python benchmarks/bench_reports.py
	$(BIN)/python benchmarks/bench_household_search.py
	$(BIN)/python benchmarks/bench_acceptance.py

clean-db:
	rm -f var/tueroeffner.sqlite3 var/tueroeffner.sqlite3-wal var/tueroeffner.sqlite3-shm
