# casework — the two commands that matter: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
export CASEWORK_INSTANCE_PATH ?= $(CURDIR)/instance

.PHONY: run test install translations messages lint typecheck check bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

# Compile the checked-in .po catalogues into .mo files (git-ignored).
translations: install
	@if ls casework/translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
	  $(BIN)/pybabel compile -d casework/translations -D messages >/dev/null; fi

# Re-extract strings after changing templates or code, then translate the new entries.
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -o casework/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i casework/translations/messages.pot -d casework/translations --no-fuzzy-matching

# From nothing to the running app with demo data, on SQLite. Demo mode: no 2FA, http cookies.
run: translations
	CASEWORK_DEMO=1 $(BIN)/flask --app casework db upgrade
	CASEWORK_DEMO=1 $(BIN)/flask --app casework demo load --if-empty
	CASEWORK_DEMO=1 CASEWORK_SCHEDULER=inprocess $(BIN)/flask --app casework run --host 127.0.0.1 --port $(PORT)

# Production-like, on whatever DATABASE_URL / CASEWORK_* say: schema upgrade, no demo data, no
# debug, JSON logs, the scheduler as its own process, gunicorn with deploy/gunicorn.conf.py. Like
# production it needs the key ring for any existing data and sends cookies over HTTPS only (put
# it behind the TLS proxy). Countries come from `flask --app casework reference load` once.
.PHONY: serve
serve: translations
	CASEWORK_DEMO= $(BIN)/flask --app casework db upgrade
	@export CASEWORK_DEMO= CASEWORK_SCHEDULER= CASEWORK_LOG_FORMAT=$${CASEWORK_LOG_FORMAT:-json}; \
	  export CASEWORK_BIND=$${CASEWORK_BIND:-127.0.0.1:$(PORT)}; \
	  $(BIN)/flask --app casework scheduler & scheduler=$$!; \
	  trap 'kill -TERM $$scheduler 2>/dev/null; wait $$scheduler' EXIT; \
	  $(BIN)/gunicorn -c deploy/gunicorn.conf.py wsgi:app

# The whole suite: SQLite (with browser tests when Chromium exists), then PostgreSQL when
# initdb/pg_ctl exist. tests/run_suite.py says clearly what it skipped and why.
test: translations
	$(BIN)/python tests/run_suite.py

lint: install
	$(BIN)/ruff check casework tests bench
	$(BIN)/ruff format --check casework tests bench

typecheck: install
	$(BIN)/mypy

check: lint typecheck test

bench: translations
	$(BIN)/python bench/run_all.py

# Every worker page of the complaint journey as a 360 × 740 phone shows it, in each language:
# PNGs under build/screenshots/<language>/ (headless /usr/bin/chromium). LANGUAGES="en ur" for fewer.
# Then the caseworker's and supervisor's pages at 1366 px (staff/), and in Arabic (staff-ar/).
.PHONY: screenshots
screenshots: translations
	$(BIN)/python tests/browser/screenshots.py --out build/screenshots $(LANGUAGES)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
