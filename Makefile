# Two commands for a fresh machine (see README):
#   make edition   set up .venv and build the sample edition with `dvc repro`
#   make test      set up .venv, check lint and run the whole test suite (what .ci/run calls)
# For developers:
#   make test-quick   everything but the whole-edition builds (a few minutes)
#   make lint         ruff (lint and format check) and clean notebooks
#   make format       let ruff format the code and fix what it can
# Releasing and checking an edition (see README, "Editions, data versions and exact rebuilds"):
#   make release EDITION=2025   tag edition-2025 after checking it is committed, built and pushed
#   make verify EDITION=2025    rebuild edition-2025 from its tag and data; compare every file
PYTHON ?= python3
VENV ?= .venv
BIN := $(abspath $(VENV))/bin
STAMP := $(VENV)/.installed
export PATH := $(BIN):$(PATH)
LINTED := src tests benchmarks notebooks

.PHONY: setup hooks edition test test-quick lint format release verify clean-outputs

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (sozialplanung)" >/dev/null
	touch $(STAMP)

setup: $(STAMP) hooks

# The pre-commit hook (raw-data guard, then ruff and nbstripout); only inside a git work tree.
hooks:
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		git config core.hooksPath .githooks && echo "git hooks: .githooks (raw-data guard, lint)"; \
	fi

edition: setup
	$(BIN)/dvc repro
	@echo
	@echo "Sample edition built: open outputs/$$($(BIN)/python -c 'from sozialplanung.core.config import latest_edition; print(latest_edition())')/site/index.html in a browser."

test: setup lint
	$(BIN)/python -m pytest

test-quick: setup
	$(BIN)/python -m pytest -m "not slow"

lint: setup
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/nbstripout --verify --keep-id notebooks/*.ipynb

format: setup
	$(BIN)/ruff check --fix $(LINTED)
	$(BIN)/ruff format $(LINTED)

release: setup
	$(BIN)/sozialbericht release $(if $(EDITION),--edition $(EDITION))

verify: setup
	$(BIN)/sozialbericht verify $(EDITION)

clean-outputs:
	rm -rf outputs/*/ data/processed/
