# Award Registry — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PACKAGE_STAGE ?= prod
# pytest-xdist workers: one runs the tests on the local stack (in order, one stack), the
# others every other test file; 2..4 (the stack's own processes need CPU too).
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); [ $$n -gt 4 ] && n=4; [ $$n -lt 2 ] && n=2; echo $$n)

.PHONY: run test lint format bench bench-export package template clean browser-deps

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "pip<26.3"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

## Set up and run the service locally: moto on 127.0.0.1:4566, API on 127.0.0.1:8000
## (other ports: MOTO_PORT=4567 API_PORT=8001 make run).
run: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" bash devtools/run_local.sh

## Set up and run every check (ruff, mypy) and test (the page's browser test needs chromium).
test: $(STAMP) browser-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist loadfile

## Debian's chromium and a CJK font for the browser test (CI: fresh Debian, as root).
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi wenquanyi; then \
		echo "installing chromium and fonts-wqy-microhei (apt-get)"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		LOG=$$(mktemp); \
		{ $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install \
			-y -qq --no-install-recommends chromium fonts-wqy-microhei; } >"$$LOG" 2>&1 \
			|| { cat "$$LOG"; rm -f "$$LOG"; exit 1; }; \
		rm -f "$$LOG"; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

## Benchmarks (not tests): prints a table and writes bench/RESULTS.md.
bench: $(STAMP)
	$(BIN)/python -m bench.run_all

## CloudFormation package (build/sam.json + build/deployment.zip), cfn-lint for us-east-1 and cn-north-1.
package: $(STAMP)
	$(BIN)/python -m devtools.package --stage $(PACKAGE_STAGE) --out build

## Regenerate the backfill template served at /v1/templates/awards.xlsx (commit the file).
template: $(STAMP)
	$(BIN)/python -m backfill.make_template

## Memory of the nightly export at 10k and 100k awards (several minutes: the emulator is slow).
bench-export: $(STAMP)
	$(BIN)/python -m bench.export_memory

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build
