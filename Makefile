# Two commands on a fresh clone: `make run` and `make test`. Needs only python3.11 and make.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
AXE_JS := node_modules/axe-core/axe.min.js
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test lint format migrate seed messages compilemessages worker beat bench loadtest e2e check-deploy clean

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

# axe-core for the browser suite (tests/e2e). Without npm the browser tests skip locally
# (and fail in CI, where .ci/run provides npm and chromium).
$(AXE_JS): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --no-audit --no-fund --loglevel=error && touch $(AXE_JS); \
	else echo "npm not found: the browser tests (tests/e2e) will be skipped"; fi

migrate: $(STAMP)
	@mkdir -p var
	$(PY) manage.py migrate --noinput

compilemessages: $(STAMP)
	$(PY) manage.py compiletranslations

messages: $(STAMP)
	$(PY) manage.py makemessages -l zh_Hans -l en --no-obsolete --ignore=.venv --ignore=var
	$(PY) manage.py compiletranslations

seed: migrate
	DJANGO_DEBUG=1 $(PY) manage.py seed_demo

run: $(STAMP) compilemessages
	@mkdir -p var
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=1 $(PY) manage.py seed_demo
	@echo ""
	@echo "  Portal:        http://$(HOST):$(PORT)/"
	@echo "  Police admin:  http://$(HOST):$(PORT)/admin/"
	@echo "  Health:        http://$(HOST):$(PORT)/healthz"
	@echo "  SMS messages (codes, results) are printed in this terminal."
	@echo ""
	DJANGO_DEBUG=1 HOST=$(HOST) PORT=$(PORT) $(PY) manage.py runserver $(HOST):$(PORT)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: $(STAMP) $(AXE_JS) compilemessages lint
	$(VENV)/bin/pytest $(PYTEST_ARGS)

e2e: $(STAMP) $(AXE_JS) compilemessages
	$(VENV)/bin/pytest -m e2e $(PYTEST_ARGS)

# Seeds 100,000 applications and 1,000,000 permits into a dedicated PostgreSQL database (created
# if missing; its name must contain "bench") and prints query counts and median times; then serves
# the portal and a bare Django view with gunicorn and prints their requests/s under wrk (needs
# wrk: apt-get install wrk). BENCH_ARGS="--only pages" (or sql, workers, documents) for one part.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/portal_bench
bench: $(STAMP)
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) -m tests.perf.bench $(BENCH_ARGS)

# A province's peak-hour mix (Locust, tests/perf/locustfile.py) against nginx + 2 web nodes +
# PgBouncer + a primary and its streaming standby + workers started on this machine (needs nginx,
# pgbouncer and PostgreSQL's programs: .ci/run's apt list); prints req/s and p50/p95/p99 per page,
# errors, the database's connections, CPU per request and the scale on paper (issue 28).
# LOADTEST_ARGS="--users 80 --seconds 120" for a longer run.
LOADTEST_REDIS_URL ?= redis://127.0.0.1:6379/11
loadtest: $(STAMP)
	REDIS_URL=$(LOADTEST_REDIS_URL) $(PY) -m tests.perf.loadtest $(LOADTEST_ARGS)

worker: $(STAMP)
	$(VENV)/bin/celery -A config worker --loglevel=INFO -Q default,sms,daily

beat: $(STAMP)
	$(VENV)/bin/celery -A config beat --loglevel=INFO --schedule var/celerybeat-schedule

check-deploy: $(STAMP)
	DJANGO_DEBUG=0 SECRET_KEY=$${SECRET_KEY:-check-deploy-$$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')} \
	  ALLOWED_HOSTS=portal.example.gov.cn SMS_BACKEND=twilio TWILIO_ACCOUNT_SID=ACcheckdeploy \
	  TWILIO_AUTH_TOKEN=check-deploy TWILIO_FROM=+8613800000000 \
	  $(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var
