# Clausewise: the two commands a new user needs are `make demo` and `make test`.
# Both depend on `make install`, which creates (or reuses) .venv in the repo root.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
DEMO := demo-out
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export OMP_THREAD_LIMIT := 1
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS := 90

.PHONY: install system-deps demo test test-fast clean

install: $(STAMP)

# torch first, pinned to the CPU wheel on this machine's disk: anything that pulls
# torch in before it would fetch a multi-GB CUDA build (see DEVELOPERS.md).
$(STAMP): pyproject.toml
	@$(MAKE) --no-print-directory system-deps
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -e '.[dev]'
	touch $(STAMP)

# Debian packages: tesseract-ocr for scanned pages; chromium + chromium-driver for the browser test.
system-deps:
	@if ! command -v chromedriver >/dev/null 2>&1 && [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing chromium chromium-driver (Debian)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	fi
	@if command -v tesseract >/dev/null 2>&1; then \
		echo "tesseract: $$(command -v tesseract)"; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing tesseract-ocr (Debian)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr >/dev/null; \
	else \
		echo "NOTE: tesseract-ocr is not installed and this user cannot install it."; \
		echo "      Scanned pages will be recorded as 'needs_ocr'. Install it with:"; \
		echo "      sudo apt-get install -y tesseract-ocr"; \
	fi

demo: install
	rm -rf $(DEMO)/corpus
	$(PY) -m corpus.generate $(DEMO)/corpus --n 12 --seed 7
	rm -f $(DEMO)/clausewise.db $(DEMO)/clausewise.db-wal $(DEMO)/clausewise.db-shm
	$(VENV)/bin/clausewise ingest $(DEMO)/corpus --db $(DEMO)/clausewise.db
	$(VENV)/bin/clausewise status --db $(DEMO)/clausewise.db
	rm -rf $(DEMO)/candidates
	$(VENV)/bin/clausewise candidates --db $(DEMO)/clausewise.db --register $(DEMO)/corpus/register.csv \
		--playbook corpus/playbook.yaml --out $(DEMO)/candidates --top 5

test: install
	$(PY) -m pytest -q

# Quick loop while developing: skips model-heavy tests.
test-fast: install
	$(PY) -m pytest -q -m "not slow"

clean:
	rm -rf $(DEMO) .pytest_cache
