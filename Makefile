# Vigil: `make run` for the demo, `make test` for the whole suite. `make help` lists the rest.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PORT ?= 8000
STAMP_RUN := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-test
CATALOGS := $(wildcard locale/*/LC_MESSAGES/django.po)
COMPILED := $(CATALOGS:.po=.mo)

.PHONY: help run test test-fast bench bench-million cluster-test check audit lint format messages makemessages lock clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml constraints.txt | $(PY)
	$(PIP) install --quiet -c constraints.txt -e .
	touch $@

$(STAMP_TEST): pyproject.toml constraints.txt | $(PY)
	$(PIP) install --quiet -c constraints.txt -e ".[test]"
	touch $@ $(STAMP_RUN)

locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po $(STAMP_RUN)
	$(VENV)/bin/pybabel compile --statistics -i $< -o $@

messages: $(COMPILED) ## Compile the translation catalogs (.po -> .mo)

run: export VIGIL_DEBUG ?= 1
run: export VIGIL_DEMO_MODE ?= 1
run: $(STAMP_RUN) messages ## Migrate the SQLite database in var/, load the demo data once, serve on 127.0.0.1:$(PORT) with a worker
	$(PY) manage.py migrate --no-input
	$(PY) manage.py loaddemo
	@echo "Vigil is starting on http://127.0.0.1:$(PORT)/ (the desk: http://127.0.0.1:$(PORT)/desk/)"
	@scripts/serve-with-worker $(PY) $(PORT)

# The suite runs with production settings (VIGIL_DEBUG unset), throwaway keys and its
# own data folder, so that it never touches the demo's var/.
TEST_ENV = env -u VIGIL_DEBUG VIGIL_DATA_DIR="$(CURDIR)/test-output/data" \
	VIGIL_SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	VIGIL_ENCRYPTION_KEYS="$$($(PY) -c 'from cryptography.fernet import Fernet as F; print(F.generate_key().decode())')" \
	VIGIL_AUDIT_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(32))')"

test: $(STAMP_TEST) messages ## Run the whole suite (PostgreSQL when DATABASE_URL is set, else SQLite)
	@scripts/ensure-test-tools
	$(TEST_ENV) $(VENV)/bin/pytest $(PYTEST_ARGS)

test-fast: $(STAMP_TEST) messages ## The inner loop: the suite without browser journeys and slow tests
	@scripts/ensure-test-tools
	$(TEST_ENV) $(VENV)/bin/pytest -m "not browser and not slow" $(PYTEST_ARGS)

bench: $(STAMP_RUN) ## Benchmarks of the audit chain, case list, intake, statistics and import (up to 100,000 records; SQLite, and PostgreSQL when it answers): figures beside baselines from the same run
	$(PY) bench/audit_chain.py
	$(PY) bench/case_list.py
	$(PY) bench/intake.py
	$(PY) bench/dashboard.py
	$(PY) bench/import_records.py

bench-million: $(STAMP_RUN) ## A million incidents in PostgreSQL: load, case list, statistics, pages under load, beside baselines (docs/performance.md)
	$(PY) bench/million.py $(BENCH_ARGS)

cluster-test: $(STAMP_TEST) messages ## As root: hosts in network namespaces, nginx, 2 web, 2 workers, PostgreSQL primary and replica, Redis, S3; kills under load
	@scripts/ensure-test-tools
	$(PY) cluster/run.py

lint: $(STAMP_TEST) ## Lint and check formatting with ruff
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP_TEST) ## Format the code with ruff
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: lint test ## Lint, check that no migration is missing, run the tests, audit the dependencies
	VIGIL_DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	$(MAKE) audit

# --strict: a dependency that cannot be looked up fails the audit too, so that a
# package index without vulnerability data never passes for "no known vulnerability".
audit: $(STAMP_TEST) ## Look up every locked dependency in PyPI's vulnerability data (pip-audit)
	$(VENV)/bin/pip-audit --requirement constraints.txt --no-deps --disable-pip --strict \
		--progress-spinner off

makemessages: $(STAMP_RUN) ## Update the catalogs from the code (needs GNU gettext); then translate what is new
	VIGIL_DEBUG=1 $(PY) manage.py makemessages --no-obsolete --no-location \
		-l en -l nl -l ar -l zh_Hans -l fr -l ru -l es \
		--ignore '.venv/*' --ignore 'var/*' --ignore 'test-output/*'
	@# English is the source language: its catalog repeats each message as written
	@# (fuzzy guesses are emptied first, then every empty entry gets its msgid).
	msgattrib --clear-fuzzy --empty --clear-previous locale/en/LC_MESSAGES/django.po -o locale/en/LC_MESSAGES/django.po
	msgen locale/en/LC_MESSAGES/django.po -o locale/en/LC_MESSAGES/django.po

lock: $(PY) ## Re-resolve the dependency ranges and rewrite constraints.txt
	rm -rf $(VENV)/lock && $(PYTHON) -m venv $(VENV)/lock
	$(VENV)/lock/bin/pip install --quiet -e ".[test]"
	{ echo "# Exact versions tested with Vigil; \`make lock\` regenerates this file from the"; \
	  echo "# ranges in pyproject.toml. Every install goes through it (pip -c)."; \
	  $(VENV)/lock/bin/pip freeze --exclude-editable | grep -v '^#'; } > constraints.txt
	rm -rf $(VENV)/lock

clean: ## Remove the virtual environment, compiled catalogs and test output (keeps var/)
	rm -rf $(VENV) test-output .pytest_cache .ruff_cache
	find locale -name '*.mo' -delete
