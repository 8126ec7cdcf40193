# Kennisbank Wijkenaanpak — every target sets itself up from a fresh clone (Python 3.11+ and pip).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint format index serve clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## run: install, build the index on first run, serve the web UI on http://127.0.0.1:8000/
run: $(STAMP)
	$(BIN)/kennisbank serve

## test: install and run the whole test suite (axe-core from npm when npm is there)
test: $(STAMP) node_modules/.installed
	$(BIN)/python -m pytest

# axe-core for tests/test_accessibility.py; without npm those tests skip with a message.
node_modules/.installed: package.json
	@if command -v npm >/dev/null 2>&1; then \
		npm install --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm ontbreekt: de toegankelijkheidstests (axe-core) worden overgeslagen"; fi

## lint: ruff (incl. PLC0415), format check, import contracts (import-linter), declared dependencies (deptry)
lint: $(STAMP)
	$(BIN)/ruff check kennisbank indexer web cli tests benchmarks
	$(BIN)/ruff format --check kennisbank indexer web cli tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/deptry .

format: $(STAMP)
	$(BIN)/ruff format kennisbank indexer web cli tests benchmarks
	$(BIN)/ruff check --fix kennisbank indexer web cli tests benchmarks

## index: (re)index the corpus incrementally
index: $(STAMP)
	$(BIN)/kennisbank index

## serve: serve the web UI (builds the index first when missing)
serve: run

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache node_modules
