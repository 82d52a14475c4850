# Two commands on a fresh machine: `make run` and `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/jiaoyi_test
HOST ?= 127.0.0.1:8000

.PHONY: install system-deps messages run demo test test-sqlite test-pg s3-server lint bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -e ".[dev]"
	@touch $(VENV)/.installed

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(MAKE) install

# Debian packages: Chromium for browser tests, a TrueType CJK font for PDFs, poppler for reading PDFs back
system-deps:
	@command -v chromium >/dev/null && fc-list | grep -qi zenhei && fc-list | grep -qi microhei && fc-list | grep -qi hanamin \
	  && command -v pdftoppm >/dev/null && command -v msgfmt >/dev/null || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    chromium fonts-wqy-zenhei fonts-wqy-microhei fonts-hanazono poppler-utils gettext)

# the English catalogue (locale/en) compiled for gettext; Chinese is the source language
messages: $(VENV)/.installed
	$(BIN)/python manage.py compilemessages -v0 --ignore=".venv" --ignore="var"

run: $(VENV)/.installed messages
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py demo
	$(BIN)/python manage.py runserver $(HOST)

demo: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py demo

# the whole suite: on SQLite (PostgreSQL-only tests deselected), then everything again on PostgreSQL
test: test-sqlite test-pg

# the S3 tests need a real S3 server (SeaweedFS with object lock): started here, left running for the next target
s3-server: $(VENV)/.installed
	@scripts/s3_server.sh start >/dev/null

test-sqlite: $(VENV)/.installed messages s3-server
	env -u DATABASE_URL $(BIN)/pytest -q -m "not postgres" -p no:cacheprovider

test-pg: $(VENV)/.installed messages s3-server
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -p no:cacheprovider

lint: $(VENV)/.installed
	$(BIN)/ruff check .

bench: $(VENV)/.installed
	@for f in bench/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf var/db.sqlite3 var/objects var/checkpoints var/seaweed var/bench
