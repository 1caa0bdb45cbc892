# Two commands for a fresh machine (see README):
#   make edition   set up .venv and build the sample edition with `dvc repro`
#   make test      set up .venv and run the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(abspath $(VENV))/bin
STAMP := $(VENV)/.installed
export PATH := $(BIN):$(PATH)

.PHONY: setup edition test clean-outputs

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (sozialplanung)" >/dev/null
	touch $(STAMP)

setup: $(STAMP)

edition: setup
	$(BIN)/dvc repro
	@echo
	@echo "Sample edition built: open outputs/$$($(BIN)/python -c 'from sozialplanung.config import latest_edition; print(latest_edition())')/site/index.html in a browser."

test: setup
	$(BIN)/python -m pytest

clean-outputs:
	rm -rf outputs/*/ data/processed/
