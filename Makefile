# The README's first two commands: `make run` and `make test`. Both set up .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export QT_QPA_PLATFORM ?= offscreen

.PHONY: run test lint bench install clean chromium

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# The desktop app (it starts the embedded demo platform itself). The offscreen default
# above is for the tests: drop it here unless QT_QPA_PLATFORM came from the environment.
run: $(STAMP)
	$(if $(filter file,$(origin QT_QPA_PLATFORM)),env -u QT_QPA_PLATFORM) $(BIN)/mentra-desktop

lint: $(STAMP)
	$(BIN)/ruff check mentra_desktop mentra_platform tests bench
	$(BIN)/ruff format --check mentra_desktop mentra_platform tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

# The web pages' browser tests drive Debian's Chromium; install it when it is missing.
chromium:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium fonts-dejavu-core >/dev/null) || echo 'chromium missing: the browser tests will be skipped'

test: lint chromium
	$(BIN)/pytest -q

bench: $(STAMP)
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk) || echo 'wrk missing: the platform bench will be skipped'
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
