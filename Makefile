# Two commands: `make run` (the service on SQLite at http://127.0.0.1:5000) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# The PDF converter's environment (service/conversion): Debian's own Python with its site
# packages, the only interpreter LibreOffice's uno module (python3-uno) works with.
CONVERTER_ENV := var/converter-env

.PHONY: run test test-sweep format lock openapi bench converter browser guide-screens clean

$(BIN)/python:
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv)
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-run: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install -q -c constraints.txt -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install -q -c constraints.txt -e '.[test]'
	touch $@ $(VENV)/.installed-run

# LibreOffice, python3-uno and the fonts (installed when missing and possible), then the
# environment; without them the service runs and only PDF conversion is unavailable.
$(CONVERTER_ENV)/.installed: scripts/ensure-services.sh
	@bash scripts/ensure-services.sh converter || \
		echo "converter: LibreOffice, python3-uno or the fonts are missing: no PDF" >&2
	@if /usr/bin/python3 -c 'import uno' 2>/dev/null; then \
		/usr/bin/python3 -m venv --without-pip --system-site-packages $(CONVERTER_ENV) && \
		$(CONVERTER_ENV)/bin/python -c 'import uno' && touch $@; fi

converter: $(CONVERTER_ENV)/.installed

# The browser tests' Chromium and npm (installed when missing and possible), then axe-core
# from npm (tests/browser/package-lock.json); without them the browser tests skip, or fail
# where make test has the services (DOCGEN_REQUIRE_SERVICES=1).
AXE_CORE := tests/browser/node_modules/.package-lock.json
$(AXE_CORE): tests/browser/package.json tests/browser/package-lock.json scripts/ensure-services.sh
	@bash scripts/ensure-services.sh browser || \
		echo "browser: Chromium or npm is missing: the browser tests will skip" >&2
	@cd tests/browser && npm ci --no-audit --no-fund --loglevel=error || \
		echo "browser: npm ci failed: no axe-core, the browser tests will skip" >&2

browser: $(AXE_CORE)
	@[ -x /usr/bin/chromium ] || bash scripts/ensure-services.sh browser || \
		echo "browser: Chromium is missing: the browser tests will skip" >&2

run: $(VENV)/.installed-run converter
	$(BIN)/docgen db upgrade
	$(BIN)/docgen users bootstrap
	$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers 1 --threads 8 --timeout 120 wsgi:app

test: $(VENV)/.installed-test converter browser
	@if bash scripts/ensure-services.sh; then export DOCGEN_REQUIRE_SERVICES=1; \
		else echo "PostgreSQL/Redis unavailable: only the SQLite tests will run" >&2; fi; \
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/pytest

# Every bad-input case through HTTP and rendering (make test runs one per field class).
test-sweep: $(VENV)/.installed-test
	$(BIN)/pytest tests/test_bad_input.py -m "sweep or not sweep"

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

# Refresh the pinned versions after changing the ranges in pyproject.toml.
lock: | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	$(BIN)/pip freeze --exclude-editable | grep -v '^-e' > constraints.txt

# The user guide's pictures, taken by the browser tests in both languages and kept in
# service/web/static/guide/ (commit them when the pages change).
guide-screens: $(VENV)/.installed-test converter browser
	$(BIN)/pytest -q tests/browser/test_browser_guide.py
	$(BIN)/python -m scripts.guide_screens

openapi: $(VENV)/.installed-run
	$(BIN)/python -m scripts.export_openapi

bench: $(VENV)/.installed-test
	bash scripts/ensure-services.sh
	$(BIN)/python -m bench.distributed

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
