# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app casetrack

.PHONY: run test test-fast install install-test migrate translations translations-update lint e2e-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed translations

install-test: $(VENV)/.installed-test translations

translations: $(BIN)/python
	@if ls casetrack/translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
		$(BIN)/pybabel -q compile -d casetrack/translations; fi

# Message ids are the Chinese texts (docs/README.md). --ignore-dirs keeps pybabel from skipping
# templates/_macros (it ignores directories starting with "_" by default); the keywords add lazy_gettext/_l.
POT := build/messages.pot
BABEL_EXTRACT := $(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs='.* __pycache__' \
	--sort-by-file --no-wrap --project=casetrack --version=0.1.0

## make translations-update: re-extract the messages and merge them into casetrack/translations/*/messages.po;
## then translate the new (empty) and fuzzy entries — tests/web/test_i18n.py fails until every one is done
translations-update: $(BIN)/python
	@mkdir -p $(dir $(POT))
	$(BABEL_EXTRACT) -o $(POT) .
	$(BIN)/pybabel -q update -i $(POT) -d casetrack/translations --no-wrap --ignore-obsolete --no-fuzzy-matching
	@$(BIN)/python -c "import glob; from babel.messages.pofile import read_po; \
[print(p, ':', sum(1 for m in read_po(open(p, 'rb')) if m.id and (not m.string or m.fuzzy)), 'to translate') \
for p in sorted(glob.glob('casetrack/translations/*/LC_MESSAGES/messages.po'))]"

migrate: install
	$(FLASK) db upgrade

## make run: set up everything, load the demo township on first start, serve http://127.0.0.1:5000;
## make run HOST=0.0.0.0 serves the office network too and prints the address phones open
HOST ?= 127.0.0.1
PORT ?= 5000
run: migrate
	$(FLASK) demo --if-empty
	$(BIN)/python -m casetrack serve --host $(HOST) --port $(PORT)

## make test: install with test extras and run the whole suite
test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make test-fast: the suite without the real-browser tests (tests/e2e), for quick rounds while coding
test-fast: install-test
	$(BIN)/python -m pytest -m "not e2e" $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache test-output
