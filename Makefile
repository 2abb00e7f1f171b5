# ripple: the one entry point. `make demo` and `make test` need only Python 3.11 and make.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DBT := $(BIN)/dbt --no-use-colors
DBT_DIRS := --project-dir dbt_project --profiles-dir profiles

# The demo's data set: the ticket history Jan..Oct 2023 (one CSV a day, ~1.9 M rows), the
# restaurant chain's reference data and a week of its sales (50 units, 6 windows a day), and
# 5,000 accounts' monthly snapshots 2019-01..2025-12 (~216 k account-months).
DEMO_START ?= 2023-01-01
DEMO_END ?= 2023-10-31
DEMO_SALES_START ?= 2024-03-01
DEMO_SALES_END ?= 2024-03-07
SEED ?= 42

.PHONY: demo test test-soak lint ingest build daily docs orchestrate dashboard clean help bench

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/'

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# exactly the lock, which pins every package: dependencies are not resolved again, so an extra a
	# package asks for (dagster-dbt's sqlglot[rs]) cannot pull in what the lock leaves out
	$(BIN)/pip install --quiet --no-deps -r requirements.lock
	$(BIN)/pip check
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

demo: $(STAMP)  ## set up, generate the default data, ingest, build, show what was built
	$(BIN)/ripple generate tickets --start $(DEMO_START) --end $(DEMO_END) --seed $(SEED)
	$(BIN)/ripple generate reference --seed $(SEED)
	$(BIN)/ripple generate sales --start $(DEMO_SALES_START) --end $(DEMO_SALES_END) --seed $(SEED)
	$(BIN)/ripple generate accounts --seed $(SEED)
	$(BIN)/ripple ingest
	$(BIN)/ripple build
	$(BIN)/ripple tables

test: lint  ## lint, then the whole test suite (unit, end-to-end, equivalence) on 2 workers
	$(BIN)/pytest -q -n 2 --dist worksteal

test-soak: $(STAMP)  ## 20 SIGKILL trials per source kind and step, 5 seeds per property test, 3,000 random files per fuzzer (~30 min)
	RIPPLE_CRASH_TRIALS=20 RIPPLE_PROPERTY_SEEDS=5 RIPPLE_FUZZ_EXAMPLES=3000 $(BIN)/pytest -q -rP -n 2 \
		tests/test_crash.py tests/test_equivalence.py tests/test_summary.py tests/test_clock_and_zone.py \
		tests/unit/test_files_fuzz.py

PY_SOURCES := ingest generator orchestration dashboard tests bench
# sqlfluff renders the models with dbt (.sqlfluff): against an empty lake in a throwaway data dir,
# so it lints each model's full-build SQL whatever the deployment's warehouse holds.
# One process (~17 s here): a second one parses the dbt project again and gains nothing.
lint: $(STAMP)  ## ruff (lint, import order, format), mypy over ingest/, generator/ and dashboard/, sqlfluff over the dbt models
	$(BIN)/ruff check $(PY_SOURCES)
	$(BIN)/ruff format --check $(PY_SOURCES)
	$(BIN)/mypy
	RIPPLE_DATA_DIR=$$(mktemp -d) $(BIN)/sqlfluff lint dbt_project

ingest: $(STAMP)  ## load every pending landed file into bronze
	$(BIN)/ripple ingest

build: $(STAMP)  ## dbt build (silver, gold, ops views, tests)
	$(BIN)/ripple build

daily: $(STAMP)  ## generate the next business day (tickets, and sales if any), ingest, build
	$(BIN)/ripple daily --seed $(SEED)

docs: $(STAMP)  ## dbt docs generate + serve on http://localhost:8080
	$(BIN)/ripple docs

# Dagster's instance (runs, schedule ticks, sensor cursors) lives under the data dir, like all state
DAGSTER_HOME_DIR = $(abspath $(or $(RIPPLE_DATA_DIR),data))/dagster
DAGSTER_PORT ?= 3000
orchestrate: $(STAMP)  ## Dagster web UI and daemon on http://localhost:3000: asset graph, schedules, landing-zone sensor
	mkdir -p $(DAGSTER_HOME_DIR)
	cp orchestration/dagster.yaml $(DAGSTER_HOME_DIR)/dagster.yaml
	DAGSTER_HOME=$(DAGSTER_HOME_DIR) $(BIN)/dagster dev -h 127.0.0.1 -p $(DAGSTER_PORT)

PORT ?= 8501
dashboard: $(STAMP)  ## the KPI dashboard over gold and ops on http://localhost:$(PORT), read-only (PORT=8501)
	$(BIN)/ripple dashboard --port $(PORT)

clean:  ## remove the data dir, dbt artifacts and the virtualenv
	rm -rf data dbt_project/target dbt_project/logs $(VENV)

SCALE ?= 1
bench: $(STAMP)  ## benchmarks against DuckDB doing the same job, each row's goal met or not; SCALE=0.1 for a quick run (bench/results.json)
	$(BIN)/python bench/run.py --scale $(SCALE)
