# The two set-up commands of the README. Both are idempotent and work on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

NPM_STAMP := node_modules/.installed
ASSETS := web/static/dist/manifest.json
CATALOGS := $(foreach lang,kk ru en,web/i18n/$(lang)/LC_MESSAGES/messages.mo)
PYBABEL := $(BIN)/pybabel

.PHONY: run test bench mutation lint install clean assets i18n-extract i18n-update i18n-compile

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

# Front-end packages from the npm registry (package-lock.json), bundled into web/static/dist.
$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $(NPM_STAMP)

$(ASSETS): $(NPM_STAMP) frontend/build.mjs $(wildcard frontend/src/*)
	node frontend/build.mjs

assets: $(ASSETS)

# The pages' words: extract from code and templates, merge into each catalog, compile for the server.
i18n-extract: $(STAMP)
	$(PYBABEL) -q extract -F web/i18n/babel.cfg --no-location --sort-output --omit-header \
		-o web/i18n/messages.pot .

i18n-update: i18n-extract
	$(PYBABEL) -q update -i web/i18n/messages.pot -d web/i18n --no-fuzzy-matching --omit-header \
		--ignore-obsolete

web/i18n/%/LC_MESSAGES/messages.mo: web/i18n/%/LC_MESSAGES/messages.po $(STAMP)
	$(PYBABEL) -q compile -d web/i18n -l $*

i18n-compile: $(CATALOGS)

install: $(STAMP) $(ASSETS) $(CATALOGS)

run: install
	$(BIN)/sotkab db upgrade
	$(BIN)/sotkab demo seed
	$(BIN)/sotkab serve

test: install
	$(BIN)/python -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy core cabinet sessions signaling media recordings web

# Every bench/*.py is a bench (runs alone, ends with its JSON line); the processes a bench starts
# (load generators, servers under test) live in bench/parts/ and are not run on their own.
bench: install
	@set -e; for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script; done

# Mutation testing of the rule modules (bench/mutation): slow, so not part of `make test`.
# MUTATION_ARGS="--module sessions/lifecycle.py" checks one module.
mutation: $(STAMP)
	nice $(BIN)/python -m bench.mutation $(MUTATION_ARGS)

clean:
	rm -rf $(VENV) var mutants node_modules web/static/dist $(CATALOGS)
