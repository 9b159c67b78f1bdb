# Two commands matter: `make up` (local try-out against the emulator) and `make test`.
# Both bootstrap the virtual environment they need.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: up test lint fmt emulator bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,lint]'
	touch $@

## make up: the example stack against the local emulator with the real Pulumi CLI (on PATH, cached,
## or built once from the Go module proxy): up, outputs, a preview diff, up, destroy
up: $(VENV)/.installed
	$(PY) scripts/tryout.py

## make test: the whole suite (exactly what .ci/run runs after its lint step)
test: $(VENV)/.installed
	$(PY) -m pytest -q

## make lint: ruff, ruff format --check, mypy --strict on the package code, actionlint
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	MYPY=$(VENV)/bin/mypy .ci/typecheck
	$(VENV)/bin/actionlint -shellcheck $(VENV)/bin/shellcheck

fmt: $(VENV)/.installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## make emulator: the local ARM emulator in the foreground (Ctrl-C stops it)
emulator: $(VENV)/.installed
	$(PY) -m aoai_deploy.emulator --port 8443

## make bench: the benchmarks (not part of make test); prints one table, see docs/performance.md
bench: $(VENV)/.installed
	$(PY) -m bench

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
