# Two commands do all the set-up on a fresh Debian machine:
#   make run    install what is missing, prepare the SQLite database with demo data, serve on :5000
#   make test   the same set-up plus test tools, then the whole suite on SQLite and on PostgreSQL
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 2
export FLASK_APP := app

# Debian packages: WeasyPrint's Pango, HarfBuzz subsetting (6 s -> 0.1 s per Chinese PDF), a CJK font
APP_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-noto-cjk
# and for the tests: a PostgreSQL server, Chromium for the phone tests, QR decoding, PDF tools
TEST_DEBS := postgresql chromium zbar-tools poppler-utils redis-server

.PHONY: run dev test setup setup-test debs test-debs db translations messages bench clean help

help:
	@echo "make run    set up and serve on http://$(HOST):$(PORT)"
	@echo "make dev    set up and run Flask's debug server"
	@echo "make test   set up and run the whole suite on SQLite and PostgreSQL"

run: setup
	@echo "Serving on http://$(HOST):$(PORT) with $(WORKERS) gunicorn workers (Ctrl+C to stop)"
	$(BIN)/gunicorn --workers $(WORKERS) --preload --bind $(HOST):$(PORT) --access-logfile - --timeout 120 app:app

dev: setup
	$(BIN)/flask --app app run --debug --host $(HOST) --port $(PORT)

setup: debs $(VENV)/.installed translations db

setup-test: test-debs $(VENV)/.installed-test translations

debs:
	@scripts/ensure-debs.sh $(if $(filter 1,$(shell $(PYTHON) -c 'import ensurepip' 2>/dev/null || echo 1)),python3-venv) $(APP_DEBS)

test-debs:
	@STRICT=1 scripts/ensure-debs.sh $(if $(filter 1,$(shell $(PYTHON) -c 'import ensurepip' 2>/dev/null || echo 1)),python3-venv) $(APP_DEBS) $(TEST_DEBS)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

translations: $(VENV)/.installed
	@$(BIN)/pybabel compile --use-fuzzy -q -d quiz/translations 2>/dev/null || $(BIN)/pybabel compile -d quiz/translations

# after adding or changing a string the user reads: extract, then translate the new entries in
# quiz/translations/en/LC_MESSAGES/messages.po (tests/test_translations.py fails until they are)
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -q -F babel.cfg -k _l -k lazy_gettext -k N_ -o quiz/translations/messages.pot . 2>/dev/null || \
	  $(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_ -o quiz/translations/messages.pot .
	$(BIN)/pybabel update -i quiz/translations/messages.pot -d quiz/translations -l en

db: $(VENV)/.installed
	@$(BIN)/flask --app app db upgrade
	@$(BIN)/flask --app app demo load

test: setup-test
	@scripts/test.sh

# every benchmark (bench/*.py not starting with _), each bounded by BENCH_TIMEOUT seconds, its output kept
# in BENCH_OUT; then one table of every figure, its aim, met or not and the load average (bench/_table.py)
BENCH_OUT ?= test-artifacts/bench
BENCH_TIMEOUT ?= 1800
bench: setup-test
	@set -o pipefail; mkdir -p $(BENCH_OUT); rm -f $(BENCH_OUT)/*.out; \
	for b in bench/[!_]*.py; do echo "== $$b"; \
	  { timeout $(BENCH_TIMEOUT) $(BIN)/python $$b 2>&1; printf 'EXIT\t%s\n' $$?; } | tee $(BENCH_OUT)/$$(basename $$b .py).out; \
	done; \
	$(BIN)/python bench/_table.py $(BENCH_OUT)/*.out

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache
