# Two commands on a fresh machine: `make run` and `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/jiaoyi_test
# the Celery tests (tests/recordings/test_celery_worker.py) start workers against this Redis; db 13 is theirs
TEST_REDIS_URL ?= redis://127.0.0.1:6379/13
HOST ?= 127.0.0.1:8000

.PHONY: install fonts gettext system-deps pg-server redis messages run demo test test-sqlite test-pg s3-server lint bench \
	clean axe

$(BIN)/python:
	$(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -e ".[dev]"
	@touch $(VENV)/.installed

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(MAKE) install

# Debian packages, each group installed only when something in it is missing (apt-get as root, else via sudo).
# The checks look at the files the code opens (archive/pdf/fonts.py, tests/browser/conftest.py), not at fc-list.
APT_INSTALL := $(if $(filter 0,$(shell id -u)),,sudo) sh -c 'apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$$@"' apt-get
WQY := /usr/share/fonts/truetype/wqy
HANAZONO := /usr/share/fonts/truetype/hanazono

# `make run` needs one TrueType CJK font: without it every PDF falls back to STSong-Light, which is not
# embedded, and a reader without that font shows no Chinese at all
fonts:
	@[ -f "$(WQY)/wqy-zenhei.ttc" ] || [ -f "$(WQY)/wqy-microhei.ttc" ] \
	  || { [ -n "$$PDF_FONT" ] && [ -f "$$PDF_FONT" ]; } \
	  || $(APT_INSTALL) fonts-wqy-zenhei fonts-wqy-microhei fonts-hanazono

# msgfmt, for `messages`
gettext:
	@command -v msgfmt >/dev/null || $(APT_INSTALL) gettext

# what the tests use: Chromium for the browser tests, both WenQuanYi fonts and Hanazono (the fallback for
# characters beyond the BMP) for PDFs, poppler to read PDFs back as text and images, gettext
system-deps: fonts gettext
	@[ -x "$${CHROMIUM:-/usr/bin/chromium}" ] && command -v pdftoppm >/dev/null && command -v pdftotext >/dev/null \
	  && [ -f "$(WQY)/wqy-zenhei.ttc" ] && [ -f "$(WQY)/wqy-microhei.ttc" ] && [ -f "$(HANAZONO)/HanaMinB.ttf" ] \
	  || $(APT_INSTALL) chromium fonts-wqy-zenhei fonts-wqy-microhei fonts-hanazono poppler-utils

# axe-core, the accessibility engine the browser tests inject (tests/browser/a11y.py): from the npm registry at the
# version package-lock.json pins, into node_modules/ (not committed, never served); npm from Debian when missing
AXE := node_modules/axe-core/axe.min.js
axe: $(AXE)
$(AXE): package.json package-lock.json
	@command -v npm >/dev/null || $(APT_INSTALL) npm
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# the PostgreSQL half uses the machine's server (PG_URL): started here when it is installed but down
pg-server:
	@pg_isready -q -d "$(PG_URL)" 2>/dev/null \
	  || pg_ctlcluster --skip-systemctl-redirect "$$(ls /etc/postgresql)" main start \
	  || { echo "no PostgreSQL answers at $(PG_URL): install and start one, or set PG_URL" >&2; exit 1; }

# the Celery tests need Redis: started here when installed but down; without one they are skipped, said here
redis:
	@redis-cli -u "$(TEST_REDIS_URL)" ping >/dev/null 2>&1 \
	  || { command -v redis-server >/dev/null && redis-server --daemonize yes >/dev/null && sleep 1; } \
	  || echo "no Redis at $(TEST_REDIS_URL): the Celery worker tests will be skipped" >&2

# the English catalogue (locale/en) compiled for gettext; Chinese is the source language
messages: $(VENV)/.installed gettext
	$(BIN)/python manage.py compilemessages -v0 --ignore=".venv" --ignore="var"

run: $(VENV)/.installed messages fonts
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py demo
	$(BIN)/python manage.py runserver $(HOST)

demo: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py demo

# the whole suite: on SQLite (PostgreSQL-only tests deselected), then everything again on PostgreSQL. Both halves
# run even when the first fails, so one run shows every failure; the target fails if either did.
test: system-deps $(VENV)/.installed messages axe s3-server pg-server redis
	@failed=0; \
	  $(MAKE) --no-print-directory test-sqlite || failed=1; \
	  $(MAKE) --no-print-directory test-pg || failed=1; \
	  exit $$failed

# the S3 tests need a real S3 server (SeaweedFS with object lock): started here, left running for the next target.
# Another checkout's server on the same port is refused (scripts/s3_server.sh): give this one S3_PORT and
# S3_PORT_OFFSET of its own.
s3-server: $(VENV)/.installed
	@scripts/s3_server.sh start >/dev/null

test-sqlite: system-deps $(VENV)/.installed messages axe s3-server redis
	env -u DATABASE_URL TEST_REDIS_URL=$(TEST_REDIS_URL) $(BIN)/pytest -q -m "not postgres" -p no:cacheprovider

test-pg: system-deps $(VENV)/.installed messages axe s3-server pg-server redis
	DATABASE_URL=$(PG_URL) TEST_REDIS_URL=$(TEST_REDIS_URL) $(BIN)/pytest -q -p no:cacheprovider

lint: $(VENV)/.installed
	$(BIN)/ruff check .

bench: $(VENV)/.installed
	@for f in bench/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf var/db.sqlite3 var/objects var/checkpoints var/seaweed var/bench node_modules
