PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

NODE_STAMP := tests/interop/node_modules/.installed

.PHONY: run test check bench clean node-deps

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/musette up

# The Node reference libraries (interop oracles, axe-core for the browser tests), when npm exists.
node-deps:
	@if command -v npm >/dev/null 2>&1; then \
	  if [ ! -f $(NODE_STAMP) ] || [ tests/interop/package-lock.json -nt $(NODE_STAMP) ]; then \
	    (cd tests/interop && npm ci --no-audit --no-fund --loglevel=error) && touch $(NODE_STAMP) \
	      || echo "make: npm ci failed in tests/interop; interop and browser tests will be skipped"; \
	  fi; \
	else echo "make: npm not found; interop and browser tests will be skipped (install Node 20 and npm)"; fi

test: $(STAMP) node-deps
	$(BIN)/pytest -q --cov --cov-report=term --cov-fail-under=80

check: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python bench/data_integrity.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
