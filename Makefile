# The two commands: `make run` (the main job end to end on DuckDB) and `make test`.
# Each sets up what it needs on a fresh clone and skips what is already done.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA_DIR := data
INBOX_DIR := $(DATA_DIR)/inbox
LANDING_DIR := $(DATA_DIR)/landing
MANIFEST := $(DATA_DIR)/manifest.json

# Scale of the simulated sources for `make run`; override on the command line,
# e.g. `make run DAYS=30 CALLS_PER_DAY=20000`.
DAYS ?= 14
CUSTOMERS ?= 500
CALLS_PER_DAY ?= 4000
ORDERS_PER_DAY ?= 120
SEED ?= 42

export MELTANO_SEND_ANONYMOUS_USAGE_STATS := false
export MELTANO_CLI_DISABLE_VERSION_CHECK := true
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1
export TELESTREAM_INBOX_DIR ?= $(INBOX_DIR)
export TELESTREAM_LANDING_DIR ?= $(LANDING_DIR)
export TELESTREAM_DUCKDB_PATH ?= warehouse.duckdb

.PHONY: help setup run test lint format bench docs clean distclean

help:
	@echo "make run    simulate the sources, land them with Meltano, build the warehouse (DuckDB)"
	@echo "make test   run every test (pytest: simulator, Meltano landing, dbt build, marts vs ground truth)"
	@echo "make bench  benchmarks (throughput, ratios); never part of make test"
	@echo "make lint   sqlfluff on the dbt project, ruff on the Python"
	@echo "make docs   dbt docs generate (then: $(BIN)/dbt docs serve --profiles-dir .)"
	@echo "make clean  remove generated data, the warehouse and dbt artefacts"

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/pip install --quiet -e '.[pipeline,kafka,dev]'
	@touch $@

.meltano/.installed: meltano.yml $(VENV)/.installed
	$(BIN)/meltano install
	@touch $@

.env:
	cp .env.example .env

setup: $(VENV)/.installed .meltano/.installed .env

$(MANIFEST): | $(VENV)/.installed
	$(BIN)/python -m extract.simulator --clean --out-dir $(INBOX_DIR) --manifest $(MANIFEST) \
		--seed $(SEED) --days $(DAYS) --customers $(CUSTOMERS) \
		--calls-per-day $(CALLS_PER_DAY) --orders-per-day $(ORDERS_PER_DAY)

run: setup $(MANIFEST)
	$(BIN)/meltano --environment dev run elt
	$(BIN)/python -m extract.run_summary --warehouse $(TELESTREAM_DUCKDB_PATH) --run-results target/run_results.json

test: setup
	$(BIN)/python -m pytest

# Every benchmarks/bench_*.py, one after the other; never part of `make test`.
bench: setup
	@for bench in benchmarks/bench_*.py; do \
		echo "== $$bench"; \
		$(BIN)/python -m benchmarks.$$(basename $$bench .py) || exit 1; \
	done

lint: $(VENV)/.installed
	$(BIN)/ruff check extract tests benchmarks
	$(BIN)/ruff format --check extract tests benchmarks
	$(BIN)/sqlfluff lint models macros tests/singular analyses snapshots

format: $(VENV)/.installed
	$(BIN)/ruff format extract tests benchmarks
	$(BIN)/ruff check --fix extract tests benchmarks

docs: setup
	$(BIN)/dbt docs generate --profiles-dir . --target duckdb

clean:
	rm -rf $(DATA_DIR) target logs dbt_packages warehouse.duckdb warehouse.duckdb.wal

distclean: clean
	rm -rf $(VENV) .meltano .env
