# Award Registry — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench bench-export clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "pip<26.3"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

## Set up and run the service locally: moto on 127.0.0.1:4566, API on 127.0.0.1:8000.
run: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" bash devtools/run_local.sh

## Set up and run every check and test.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python -m bench.local_transactions

## Memory of the nightly export at 10k and 100k awards (several minutes: the emulator is slow).
bench-export: $(STAMP)
	$(BIN)/python -m bench.export_memory

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
