# Two commands for a fresh machine (see README):
#   make edition   set up .venv and build the sample edition with `dvc repro`
#   make test      set up .venv, check lint and run the whole test suite (what .ci/run calls)
# For developers:
#   make test-quick   everything but the whole-edition builds (a few minutes)
#   make lint         ruff (lint and format check) and clean notebooks
#   make locales      the German locale de_DE.UTF-8 in .venv/locale (for tests/test_reproducible.py)
#   make browser      Debian's Chromium for tests/test_browser.py (apt, as root)
#   make print-libraries  Pango and the DejaVu fonts for WeasyPrint's print edition (apt, as root)
#   make format       let ruff format the code and fix what it can
#   make lock         dvc.lock as a fresh clone of HEAD builds it (commit it after code changes)
# Releasing and checking an edition (see README, "Editions, data versions and exact rebuilds"):
#   make release EDITION=2025   tag edition-2025 after checking it is committed, built and pushed
#   make verify EDITION=2025    check edition-2025's files, rebuild it from its tag and data, compare
#   make verify EDITION=2024 REV=HEAD   the same for a commit without a tag (the sample edition)
PYTHON ?= python3
VENV ?= .venv
BIN := $(abspath $(VENV))/bin
STAMP := $(VENV)/.installed
export PATH := $(BIN):$(PATH)
LINTED := src tests benchmarks notebooks
LOCALES := $(VENV)/locale

.PHONY: setup hooks locales browser print-libraries lock edition test test-quick lint format release verify clean-outputs

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

# A real German locale for the reproducibility test, compiled into the environment (no root needed;
# the test sets LOCPATH). It needs the locale sources of Debian's `locales` package, which .ci/run installs.
locales: $(LOCALES)/de_DE.UTF-8

$(LOCALES)/de_DE.UTF-8:
	@if command -v localedef >/dev/null && [ -f /usr/share/i18n/locales/de_DE ]; then \
		mkdir -p $(LOCALES) && localedef -i de_DE -f UTF-8 $@ || test -f $@/LC_CTYPE; \
	else \
		echo "de_DE.UTF-8 not generated: install the locale sources (Debian: apt-get install locales)." >&2; \
		echo "tests/test_reproducible.py then reports that it could not build with a German locale." >&2; \
	fi

# The browser for tests/test_browser.py: Debian's Chromium (Playwright drives it; no browser download).
# Installed with apt where this runs as root; elsewhere the test says how to install it.
browser:
	@if command -v chromium >/dev/null; then :; \
	elif command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "Chromium not installed: tests/test_browser.py will fail (Debian: sudo apt-get install chromium)." >&2; \
	fi

# The system libraries of the print edition (WeasyPrint: Pango, HarfBuzz) and the font its stylesheet
# names (DejaVu Sans, so that the PDF is the same on every machine with Debian's fonts).
PRINT_FONT := /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
print-libraries: $(STAMP)
	@if $(BIN)/python -c "import weasyprint" 2>/dev/null && [ -f $(PRINT_FONT) ]; then :; \
	elif command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core >/dev/null; \
	else \
		echo "Pango or the DejaVu fonts are missing: the print edition cannot be built" >&2; \
		echo "(Debian: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)." >&2; \
	fi

edition: setup print-libraries
	$(BIN)/dvc repro
	@echo
	@echo "Sample edition built: open outputs/$$($(BIN)/python -c 'from sozialplanung.core.config import latest_edition; print(latest_edition())')/site/index.html in a browser."

# dvc.lock must be what a fresh clone's `make edition` writes: build HEAD (committed files only, not
# this working tree) in a temporary clone with its own package code and copy its dvc.lock here.
lock: setup print-libraries
	@work=$$(mktemp -d) && git clone -q . "$$work/klon" && \
	(cd "$$work/klon" && PYTHONPATH="$$work/klon/src" $(BIN)/dvc repro -q) && \
	cp "$$work/klon/dvc.lock" dvc.lock && rm -rf "$$work" && \
	echo "dvc.lock rebuilt from $$(git rev-parse --short HEAD); commit it: git commit -m 'Record the pipeline state in dvc.lock' dvc.lock"

test: setup locales browser print-libraries lint
	$(BIN)/python -m pytest -n auto --dist loadfile

test-quick: setup print-libraries
	$(BIN)/python -m pytest -n auto --dist loadfile -m "not slow"

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
	$(BIN)/sozialbericht verify $(EDITION) $(if $(REV),--rev $(REV))

clean-outputs:
	rm -rf outputs/*/ data/processed/
