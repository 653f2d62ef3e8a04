# The two set-up commands of the README. Both are idempotent and work on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

NPM_STAMP := node_modules/.installed
ASSETS := web/static/dist/manifest.json
CATALOGS = $(foreach lang,kk ru en,$(I18N)/$(lang)/LC_MESSAGES/messages.mo)
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
# Catalogs keep their headers (charset, plural forms): without one pybabel marks a catalog fuzzy and
# compile skips it without failing. Width 100 is the catalogs' own, so a round trip on a clean tree
# changes nothing; I18N=dir runs it on a copy (tests/web/pages/test_catalogs.py does).
I18N ?= web/i18n
BABEL_WIDTH := 100

i18n-extract: $(STAMP)
	$(PYBABEL) -q extract -F web/i18n/babel.cfg --no-location --sort-output --width $(BABEL_WIDTH) \
		--project "Sot Kabinet" --version 0.1 --msgid-bugs-address "the project issue tracker" \
		-o $(I18N)/messages.pot .

i18n-update: i18n-extract
	$(PYBABEL) -q update -i $(I18N)/messages.pot -d $(I18N) --no-fuzzy-matching --width $(BABEL_WIDTH) \
		--ignore-obsolete --ignore-pot-creation-date

# pybabel skips a fuzzy catalog (or entry) and still exits 0: fail instead of serving stale words.
$(I18N)/%/LC_MESSAGES/messages.mo: $(I18N)/%/LC_MESSAGES/messages.po $(STAMP)
	@if $(PYBABEL) compile -d $(I18N) -l $* 2>&1 | grep -i fuzzy; then \
		echo "$<: fuzzy, not compiled; translate and remove the fuzzy flags" >&2; exit 1; fi
	@test -s $@

i18n-compile: $(CATALOGS)

install: $(STAMP) $(ASSETS) $(CATALOGS)

run: install
	$(BIN)/sotkab db upgrade
	$(BIN)/sotkab demo seed
	$(BIN)/sotkab serve

# TEST_WORKERS=2 runs the suite in two processes (pytest-xdist): each test file whole in one worker, the
# files that share Redis in one worker between them (tests/conftest.py). One process by default: on two
# loaded cores, two workers failed timing-bound media tests and test_cluster met the rate limiter's
# Redis counters left by the file run just before it (the Redis files run back to back there).
TEST_WORKERS ?= 0

test: install
	$(BIN)/python -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist loadgroup --durations=30 $(PYTEST_ARGS)

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
