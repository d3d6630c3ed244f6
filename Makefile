PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# npm ci writes this file: its presence, newer than the lock file, means the packages are in
NODE_STAMP := tests/interop/node_modules/.package-lock.json

.PHONY: run test check bench bench-http clean node-deps fuzz container-test

FUZZ_SECONDS ?= 60
FUZZ_TARGETS := json base64url multibase sd_jwt disclosure dcql did_web did_key did_jwk bitstring csv

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/musette up --dev

# The Node reference libraries (interop oracles, axe-core for the browser tests), when npm exists.
node-deps:
	@if command -v npm >/dev/null 2>&1; then \
	  if [ ! -f $(NODE_STAMP) ] || [ tests/interop/package-lock.json -nt $(NODE_STAMP) ]; then \
	    (cd tests/interop && npm ci --no-audit --no-fund --loglevel=error) \
	      || echo "make: npm ci failed in tests/interop; interop and browser tests will be skipped"; \
	  fi; \
	else echo "make: npm not found; interop and browser tests will be skipped (install Node 20 and npm)"; fi

test: $(STAMP) node-deps
	$(BIN)/pytest -q --cov --cov-report=term --cov-fail-under=85

check: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# Coverage-guided fuzzing (atheris) of the parsers of outside input; outside CI, bounded time.
fuzz: $(STAMP)
	$(BIN)/pip install -q atheris==2.3.0
	@for target in $(FUZZ_TARGETS); do \
	  echo "fuzz: $$target for $(FUZZ_SECONDS) s"; \
	  PYTHONPATH=. $(BIN)/python fuzz/targets.py $$target -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    2>&1 | grep -v '^INFO: Instrumenting' || exit 1; \
	done

# Build the image, run docker/compose.yaml with podman and the journeys against it (root,
# podman, runc, debootstrap; minutes, so neither in `make test` nor in CI). docs/deploy.md
container-test: $(STAMP)
	PY=$(BIN)/python sh docker/local/container-test.sh

bench: $(STAMP)
	$(BIN)/python bench/data_integrity.py

# the services over HTTP (uvicorn workers) against Node anchors, same run; needs wrk
# (apt-get install wrk); not part of make test: it loads the whole machine for minutes
BENCH_HTTP_ARGS ?=
bench-http: $(STAMP) node-deps
	$(BIN)/python bench/http/run.py $(BENCH_HTTP_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
