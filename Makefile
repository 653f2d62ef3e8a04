# The two set-up commands of the README. Both are idempotent and work on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench mutation lint install clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/sotkab db upgrade
	$(BIN)/sotkab demo seed
	$(BIN)/sotkab serve

test: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy core cabinet sessions signaling media recordings web

bench: $(STAMP)
	@set -e; for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script; done

# Mutation testing of the rule modules (bench/mutation): slow, so not part of `make test`.
# MUTATION_ARGS="--module sessions/lifecycle.py" checks one module.
mutation: $(STAMP)
	nice $(BIN)/python -m bench.mutation $(MUTATION_ARGS)

clean:
	rm -rf $(VENV) var mutants
