# Quick start: `make run` (portal with demo data on http://127.0.0.1:8000), `make test` (whole suite).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run setup venv messages test lint format bench clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

venv: $(VENV)/.installed

messages: venv
	$(PY) manage.py compilemessages --ignore=.venv --verbosity 0

setup: venv messages
	$(PY) manage.py migrate --no-input --verbosity 0
	$(PY) manage.py seed_demo

run: setup
	@echo "Portal: http://$(HOST):$(PORT)/   staff login: http://$(HOST):$(PORT)/dang-nhap/"
	$(PY) manage.py runserver $(HOST):$(PORT)

test: venv
	bash scripts/test.sh

lint: venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: venv
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

clean:
	rm -rf $(VENV) staticfiles test-artifacts db.sqlite3
