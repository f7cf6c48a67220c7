# One command per habit. `make run` and `make test` work on a fresh
# Debian/Ubuntu machine: they create .venv, install the pinned requirements
# when they changed, and apt-get Chromium + chromedriver when missing.
# A variable given on the command line reaches the commands' environment like
# an exported one: `make run DEMOCLUB_KIND=grid` = `DEMOCLUB_KIND=grid make run`.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
# Lint and `manage.py check` run against the test settings: no services needed.
LINT_ENV := DJANGO_SETTINGS_MODULE=tennisbook.settings.test
BOOTSTRAP := $(PYTHON) tennisbook/devstack/bootstrap.py --venv $(VENV)

.DEFAULT_GOAL := help
.PHONY: help run test lint format bench bootstrap bootstrap-dev

help:  ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

run: bootstrap  ## start the whole system on loopback (Ctrl-C stops it)
	$(PY) -m tennisbook.devstack run

# With no PYTEST_ARGS the suite runs in two parts, each across TEST_WORKERS
# processes (pytest-xdist): the unit tests, then the tests that start real
# services and browsers (those mostly wait on release instants, so two run
# side by side on two cores). Both parts always run; make fails if either did.
TEST_WORKERS ?= 2
UNIT_TESTS := -m "not integration and not browser"
SLOW_TESTS := -m "integration or browser"

test: bootstrap-dev  ## run the whole test suite
ifeq ($(strip $(PYTEST_ARGS)),)
	@set +e; \
	$(PY) -m pytest $(UNIT_TESTS) -n $(TEST_WORKERS); unit=$$?; \
	$(PY) -m pytest $(SLOW_TESTS) -n $(TEST_WORKERS) --dist loadgroup; slow=$$?; \
	echo "make test: unit tests exit $$unit, integration and browser tests exit $$slow"; \
	[ $$unit = 0 ] && [ $$slow = 0 ]
else
	$(PY) -m pytest $(PYTEST_ARGS)
endif

lint: bootstrap-dev  ## ruff, format check, vendored assets, manage.py check, migrations check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m tennisbook.devstack.vendor --check
	$(LINT_ENV) $(PY) manage.py check
	$(LINT_ENV) $(PY) manage.py makemigrations --check --dry-run

format: bootstrap-dev  ## fix what ruff can fix and format the code
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: bootstrap-dev  ## run every bench/*.py (they print their own comparisons)
	@set -e; found=0; for script in bench/*.py; do \
		[ -e "$$script" ] || continue; found=1; \
		echo "== $$script"; $(PY) "$$script"; \
	done; [ $$found = 1 ] || echo "no benchmarks in bench/ yet"

bootstrap:  ## create .venv, install requirements.txt and Chromium when needed
	@$(BOOTSTRAP)

bootstrap-dev:  ## the same plus requirements-dev.txt
	@$(BOOTSTRAP) --dev
