# Thin layer over `python -m orchestration`: every target works on a fresh machine with only
# Python 3.10+ installed. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
INSTALLED := $(VENV)/.installed
DBT := $(PY) -m orchestration dbt
SOURCE ?=
MODEL ?=
REPLAY ?=
PYTEST_ARGS ?=
# test modules run in parallel, one module (or modules sharing a built warehouse) a worker at a time
# (pytest-xdist, tests/conftest.py); TEST_WORKERS=0 runs them in turn
TEST_WORKERS ?= 2

.DEFAULT_GOAL := help
.PHONY: help install deps run scheduled el scaffold lineage impact api transform train docs docs-serve test lint warehouse-url warehouse-up warehouse-stop bench bench-skills clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

$(INSTALLED): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

install: $(INSTALLED) ## create .venv and install the project with its tools

deps: $(INSTALLED) ## optional dbt packages (Elementary, dbt_utils): from DBT_PACKAGES_CACHE offline, else dbt deps
	@$(PY) -m orchestration deps

run: $(INSTALLED) deps ## set up, warehouse, extract-load, dbt build (what changed; FULL=1 all; FULL_REFRESH=1 from scratch), docs, summary
	$(PY) -m orchestration run $(if $(FULL),--full-build) $(if $(FULL_REFRESH),--full-refresh)

scheduled: $(INSTALLED) deps ## one scheduled run, ELT_SCHEDULE=<cron>: its sources, then the marts all their sources are ready for
	$(PY) -m orchestration scheduled

el: $(INSTALLED) ## extract-load only (SOURCE=<board> to pick one; REPLAY=<file|folder> loads captured responses)
	$(PY) -m orchestration el $(if $(SOURCE),--source $(SOURCE)) $(if $(REPLAY),--replay "$(REPLAY)")

api: $(INSTALLED) ## the REST API on API_HOST:API_PORT (127.0.0.1:8000; API_TOKEN: bearer auth), see orchestration/api/README.md
	$(PY) -m orchestration.api

scaffold: $(INSTALLED) ## staging for a loaded source, SOURCE=<name>: sources yml with freshness, a stg_ model per table (never over an edited file)
	$(PY) -m orchestration scaffold --source $(SOURCE)

lineage: $(INSTALLED) ## MODEL=<name>: its upstream sources and downstream marts and exposures (from the dbt manifest)
	@$(PY) -m orchestration lineage --model $(MODEL)

impact: $(INSTALLED) ## SOURCE=<name>: what a change to that source rebuilds (source:raw_<name>+)
	@$(PY) -m orchestration impact --source $(SOURCE)

transform: $(INSTALLED) deps ## dbt build (seeds, models, tests) on what is loaded
	$(DBT) build

train: $(INSTALLED) ## train, evaluate and version the predictive models (MODEL= to pick one), write their predictions
	$(PY) -m orchestration train $(if $(MODEL),--model $(MODEL))

docs: $(INSTALLED) deps ## dbt docs generate (single-file static site in dbt_project/target/static_index.html)
	$(DBT) docs generate --static

docs-serve: docs ## serve the dbt docs site on http://127.0.0.1:8080
	$(DBT) docs serve --port 8080 --host 127.0.0.1 --no-browser

test: $(INSTALLED) deps browser java ## run the test suite (starts what it needs)
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

lint: $(INSTALLED) deps ## sqlfluff on the dbt models (needs the warehouse: started if needed), ruff on Python
	$(BIN)/ruff check dlt_pipelines orchestration tests
	$(PY) -m orchestration lint-sql

warehouse-url: $(INSTALLED) ## print the warehouse URL in use (starts the local warehouse if needed)
	@$(PY) -m orchestration warehouse-url

warehouse-up: $(INSTALLED) ## start the local warehouse (no-op when WAREHOUSE_URL is set)
	$(PY) -m orchestration warehouse-up

warehouse-stop: $(INSTALLED) ## stop the local warehouse
	$(PY) -m orchestration warehouse-stop

bench: $(INSTALLED) ## benchmark: BENCH_POSTINGS postings (default 200000): full run, no-op rerun, delta, taxonomy change, extraction speed
	$(PY) -m orchestration.bench

bench-skills: $(INSTALLED) ## score skill extraction on labelled postings (GOLD=, PREDICTIONS=; default SkillSpan dev)
	$(PY) -m orchestration.bench_skills $(if $(GOLD),--gold $(GOLD)) $(if $(PREDICTIONS),--predictions $(PREDICTIONS))

clean: ## stop the local warehouse, remove it, the venv and build output
	-@test -x $(PY) && $(PY) -m orchestration warehouse-stop
	-@test -x $(PY) && $(PY) -m orchestration.spark down
	rm -rf .warehouse build dbt_project/target dbt_project/logs dbt_project/dbt_packages $(VENV) .pytest_cache

# Operations (orchestration/ops): backups, health, slim CI build, docs site for GitHub Pages.
BACKUP ?=
TARGET_DB ?=
PROD_MANIFEST ?=
.PHONY: backup restore verify-backup health ci-slim docs-site

backup: $(INSTALLED) ## pg_dump the warehouse into BACKUP_DIR with a manifest (sha256, rows), apply the retention
	$(PY) -m orchestration backup

restore: $(INSTALLED) ## restore BACKUP=<file|latest> into TARGET_DB (default the warehouse's; never over data)
	$(PY) -m orchestration restore --backup "$(BACKUP)" $(if $(TARGET_DB),--target-db "$(TARGET_DB)")

verify-backup: $(INSTALLED) ## restore the latest backup (or BACKUP=) into a scratch database, compare with its manifest
	$(PY) -m orchestration verify-backup $(if $(BACKUP),--backup "$(BACKUP)")

health: $(INSTALLED) ## check the warehouse, sources, freshness and the last run; exit 1 when unhealthy
	@$(PY) -m orchestration health

ci-slim: $(INSTALLED) deps ## load the sandbox, dbt build what changed since PROD_MANIFEST (state:modified), else all
	$(PY) -m orchestration ci-build $(if $(PROD_MANIFEST),--prod-manifest "$(PROD_MANIFEST)")

docs-site: docs ## the docs site to publish (GitHub Pages): build/site/index.html
	mkdir -p build/site && cp "$${DBT_TARGET_PATH:-dbt_project/target}/static_index.html" build/site/index.html

# Data quality (orchestration/quality): Elementary's report and alerts, the browser the tests use.
.PHONY: report monitor browser

report: $(INSTALLED) deps ## Elementary's HTML report of the test results: build/elementary/report.html
	$(PY) -m orchestration report

monitor: $(INSTALLED) deps ## alerts: edr monitor to SLACK_WEBHOOK_URL, failed-test summary to ALERT_WEBHOOK_URL
	$(PY) -m orchestration monitor

browser: $(INSTALLED) ## headless Chromium for the browser tests (apt-get install chromium when missing, as root)
	@$(PY) -m orchestration.quality.browser

# Spark (orchestration/spark): the local standalone cluster for WAREHOUSE_ENGINE=spark.
.PHONY: spark-up spark-down spark-status java

spark-up: $(INSTALLED) ## start the local Spark cluster on 127.0.0.1: master, 2 workers, Thrift server (data in build/spark)
	$(PY) -m orchestration.spark up

spark-down: $(INSTALLED) ## stop the local Spark cluster
	$(PY) -m orchestration.spark down

spark-status: $(INSTALLED) ## the Spark cluster's workers and applications, from the master (exit 1 when it is down)
	@$(PY) -m orchestration.spark status

java: $(INSTALLED) ## Java for Spark (apt-get install openjdk-17-jre-headless when missing, as root)
	@$(PY) -m orchestration.spark.java
