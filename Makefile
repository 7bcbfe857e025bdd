# wijkdata — everything a fresh Debian machine needs, from the project's own files.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup system-deps demo test test-fast lint bench clean check-python

# wijkdata needs Python 3.11+ (pyproject.toml requires-python). Say so before pip fails obscurely,
# and refuse a .venv that an older Python made (make clean removes it).
NEED_PY := 3.11
PY_TOO_OLD := import sys; sys.exit(sys.version_info[:2] < (3, 11))
check-python:
	@if ! $(PY) -c '$(PY_TOO_OLD)' 2>/dev/null; then \
	  echo "wijkdata needs Python $(NEED_PY) or newer; PY=$(PY) is" \
	    "$$($(PY) --version 2>&1 || echo 'not found')." \
	    "Install Python $(NEED_PY)+ and run e.g.: make PY=python3.12 $(MAKECMDGOALS)"; \
	  exit 1; \
	fi
	@if [ -d $(VENV) ] && ! $(BIN)/python -c '$(PY_TOO_OLD)' 2>/dev/null; then \
	  echo "$(VENV) was made with $$($(BIN)/python --version 2>&1 || echo 'a Python that is" \
	    "gone'); wijkdata needs $(NEED_PY)+. Run: make clean, then make again"; \
	  exit 1; \
	fi

# System packages: Chromium prints the PDFs and checks the HTML, poppler reads PDFs back,
# DejaVu is the one font both HTML and PDF name. Skipped when already present.
system-deps:
	@if ! command -v chromium >/dev/null || ! command -v pdftoppm >/dev/null \
	    || [ ! -d /usr/share/fonts/truetype/dejavu ]; then \
	  echo "installing chromium, poppler-utils, fonts-dejavu-core (apt)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    $$SUDO apt-get install -y -qq chromium poppler-utils fonts-dejavu-core >/dev/null; \
	fi

$(STAMP): pyproject.toml | check-python
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

setup: check-python system-deps $(STAMP)

demo: setup
	$(BIN)/wijkdata build --regio demo

test: setup
	$(BIN)/pytest -m "slow or not slow"

test-fast: setup
	$(BIN)/pytest

lint: setup
	$(BIN)/lint-imports
	$(BIN)/ruff check src tests
	$(BIN)/mypy

# The peer's WeasyPrint needs Pango and HarfBuzz (Debian: libpango-1.0-0, libpangoft2-1.0-0,
# libharfbuzz-subset0); installed only when missing.
bench: setup
	@if ! dpkg -s libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 >/dev/null 2>&1; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	    libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 >/dev/null; \
	fi
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/wijkdata bench --data-dir ../shared/data --out reports/bench.json
	# The demo region too: its no-change rebuild (--if-changed) is the figure issue 9 asks for.
	$(BIN)/wijkdata bench --regio demo --peer 0 --pdf 4 --out reports/bench-demo.json --docs -

clean:
	rm -rf reports/*/ data/processed/*.duckdb .pytest_cache
	@if [ -d $(VENV) ] && ! $(BIN)/python -c '$(PY_TOO_OLD)' 2>/dev/null; then \
	  echo "removing $(VENV): made with $$($(BIN)/python --version 2>&1 || echo 'a Python that" \
	    "is gone'), wijkdata needs $(NEED_PY)+"; \
	  rm -rf $(VENV); \
	fi
