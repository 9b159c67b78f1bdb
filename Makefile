# Two commands matter: `make up` (local try-out against the emulator) and `make test`.
# Both bootstrap the virtual environment they need.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: up fleet test lint fmt emulator bench clean lock dist release-check

# Installs come from requirements/dev.txt, every file pinned by its sha256 (`make lock` writes
# it from pyproject.toml), then the project itself: no dependencies, no isolated build (that
# would fetch setuptools unchecked; the lock brings it). PIP_FIND_LINKS is dropped so that
# only the index serves files, each one the lock names by hash.
$(VENV)/.installed: pyproject.toml requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	env -u PIP_FIND_LINKS $(PY) -m pip install --quiet --require-hashes --only-binary :all: \
		-r requirements/dev.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

## make lock: rewrite requirements/*.txt after a change of pyproject.toml's dependencies;
## pins that still fit are kept (`make lock LOCK_ARGS=--upgrade` moves every pin to the newest)
LOCK = $(VENV)/bin/uv pip compile pyproject.toml --quiet --generate-hashes --universal \
	--python-version 3.11 --custom-compile-command "make lock" $(LOCK_ARGS)
## Three locks, one set of versions: runtime.txt (the example stack and the deploy workflows:
## the project with its azure-native extra, and the build backend), base.txt (what
## `pip install aoai-deploy` brings, no extra: make release-check installs the wheel with it)
## and dev.txt (everything: make test, make lint, CI).
lock: $(VENV)/.installed
	$(LOCK) --extra azure-native --group build -o requirements/runtime.txt
	$(LOCK) -c requirements/runtime.txt -o requirements/base.txt
	$(LOCK) --extra azure-native --extra test --extra lint --group build --group lock \
		-c requirements/runtime.txt -o requirements/dev.txt

## make up: the example stack against the local emulator with the real Pulumi CLI (on PATH, cached,
## or built once from the Go module proxy): up, outputs, a preview diff, up, destroy
up: $(VENV)/.installed
	$(PY) scripts/tryout.py

## make fleet: the example fleet (examples/fleet/, 12 customers in 3 rings) against the local
## emulator with the real Pulumi CLI: preview, up, a capacity change with one customer made to
## fail, --only-failed, a re-run that writes nothing, destroy (scripts/fleet_tryout.py)
fleet: $(VENV)/.installed
	$(PY) scripts/fleet_tryout.py

## make test: the whole suite (.ci/run runs it without the release tests, which make
## release-check runs on dist/); PYTEST_ARGS adds to pytest's arguments
test: $(VENV)/.installed
	$(PY) -m pytest -q $(PYTEST_ARGS)

## make dist: sdist, wheel, package schema and SHA256SUMS of HEAD in dist/, reproducibly
## (SOURCE_DATE_EPOCH from the commit) and checked as twine check would (scripts/dist.py)
dist: $(VENV)/.installed
	$(PY) scripts/dist.py

## make release-check: dist/ built twice (byte-identical), then its wheel installed into a
## fresh environment from requirements/base.txt and run end to end with the real CLI and the
## emulator (tests marked release: a Python consumer, the YAML consumer, package add/get-schema)
release-check: $(VENV)/.installed
	$(PY) scripts/dist.py --check-reproducible
	bash scripts/pulumi-cli >/dev/null
	AOAI_DEPLOY_DIST=$(CURDIR)/dist AOAI_DEPLOY_REQUIRE_E2E=1 $(PY) -m pytest -q -m release tests/e2e

## make lint: ruff, ruff format --check, mypy --strict on the package code, actionlint
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	MYPY=$(VENV)/bin/mypy .ci/typecheck
	.ci/actionlint -shellcheck $(VENV)/bin/shellcheck

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
