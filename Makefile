# Beian Kiosk. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Debian packages: libgl1/libglib2.0-0 for OpenCV, a CJK font for stamping photos and PDF reports.
APT_RUN := libgl1 libglib2.0-0 fonts-wqy-zenhei
# Tests add headless Chromium (browser tests), PostgreSQL (shared-database tests), ffmpeg (fake camera files),
# poppler-utils (pdftoppm renders the printed verification sheet to check it).
APT_TEST := $(APT_RUN) chromium postgresql ffmpeg poppler-utils

.DEFAULT_GOAL := help
.PHONY: help run test test-fast bench lint sysdeps-run sysdeps-test clean

# pytest-xdist workers: one per core of the project's 2-core machines (each worker has its own Chromium and
# PostgreSQL server). PYTEST_WORKERS=0 runs everything in one process.
PYTEST_WORKERS ?= 2
FAST := not browser and not postgres and not slow

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

define apt_ensure
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	$(PYTHON) -c 'import ensurepip, venv' >/dev/null 2>&1 || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; fi
endef

sysdeps-run: ## install the Debian packages the kiosk needs (when missing)
	$(call apt_ensure,$(APT_RUN))

sysdeps-test: ## install the Debian packages the tests need (when missing)
	$(call apt_ensure,$(APT_TEST))

$(VENV)/.installed: requirements.txt requirements-nodeps.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	$(PY) -m pip install -q --no-deps -r requirements-nodeps.txt
	touch $@

run: sysdeps-run $(VENV)/.installed ## start the kiosk on 127.0.0.1:8000 (SQLite, var/archive, webcam 0 or the demo video)
	$(PY) -m kiosk serve --role kiosk

define pytest_run
	@$(PY) -m pytest -n $(PYTEST_WORKERS) $(1) $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: that counts as a failure" >&2; exit 1; fi; exit $$rc
endef

test: sysdeps-test $(VENV)/.installed ## run the whole test suite (unit, PostgreSQL, headless Chromium)
	$(call pytest_run,)

test-fast: sysdeps-run $(VENV)/.installed ## the quick loop: no browser, no PostgreSQL, nothing slow
	$(call pytest_run,-m "$(FAST)")

bench: sysdeps-test $(VENV)/.installed ## print performance figures (photo judge, booth latency, documents, archive)
	$(PY) -m tests.bench

lint: $(VENV)/.installed ## ruff over everything, mypy over kiosk/ and capture/ (settings in pyproject.toml)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

clean: ## remove the virtualenv and local data (var/)
	rm -rf $(VENV) var
