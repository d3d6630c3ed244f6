#!/usr/bin/env bash
# Run the W3C Verifiable Credentials test suites against Musette's VC-API.
#
# usage: conformance/run.sh SUITES_DIR [SUITE ...]
#
# SUITES_DIR holds checkouts (never fetched by this script) named as their repositories:
#   vc-data-model-2.0-test-suite  vc-di-eddsa-test-suite  vc-bitstring-status-list-test-suite
#   vc-jose-cose-test-suite  vc-test-suite-implementations  data-integrity-test-suite-assertion
# SUITE is one of those test suites (default: all four; vc-jose-cose-test-suite needs the image
# that conformance/jose-cose/build-image.sh builds, and podman).
#
# What it does: points the suites' `github:` dependencies at the sibling checkouts, installs
# their npm packages, starts Musette (`musette up --dev`) in a fresh data folder with a did:key
# organisation and an API key, puts a TLS proxy with a self-signed certificate in front of the
# issuer and the verifier, writes each suite's localConfig.cjs, runs it with mocha's JSON
# reporter and prints passed / failed / pending per suite. Results: $WORK/results/<suite>.json
# and $WORK/results/summary.md.
#
# Environment: PYTHON (default .venv/bin/python of this repository), WORK (default a new
# folder under $TMPDIR), VC_API_OPTIONS=0 leaves out the eddsa-jcs-2022 and vc+jwt issuer
# entries and enveloped verification (the VC-API options of docs/decisions/vc-api-options.md:
# options.cryptosuite, options.format), as for a Musette without them, KEEP_RUNNING=1 leaves the
# services up at the end.
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
SUITES_DIR="$(cd "${1:?usage: conformance/run.sh SUITES_DIR [SUITE ...]}" && pwd)"
shift
SUITES=("$@")
if [ ${#SUITES[@]} -eq 0 ]; then
  SUITES=(vc-data-model-2.0-test-suite vc-di-eddsa-test-suite vc-bitstring-status-list-test-suite
    vc-jose-cose-test-suite)
fi
PYTHON="${PYTHON:-$REPO/.venv/bin/python}"
WORK="${WORK:-$(mktemp -d -t musette-conformance.XXXXXX)}"
mkdir -p "$WORK/results"
DATA="$WORK/data"
for tool in node npm openssl curl; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is needed" >&2; exit 2; }
done

musette() {
  PYTHONPATH="$REPO" MUSETTE_DEV=1 "$PYTHON" -c 'import sys; from musette.cli import main; sys.exit(main())' "$@"
}

free_port() {
  "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# 1. npm packages, with the suites' github: dependencies taken from SUITES_DIR
prepare_suite() {
  local dir="$SUITES_DIR/$1"
  [ -d "$dir" ] || { echo "run.sh: no $dir" >&2; exit 2; }
  (
    cd "$dir"
    for dep in vc-test-suite-implementations data-integrity-test-suite-assertion; do
      if grep -q "\"$dep\": \"github:" package.json; then
        npm pkg set "dependencies.$dep=file:../$dep"
        # a lock file pins the github: tarball; forget that entry so npm takes the folder
        if [ -f package-lock.json ]; then
          node -e 'const fs = require("fs"); const [f, d] = process.argv.slice(1);
            const lock = JSON.parse(fs.readFileSync(f)); delete lock.packages["node_modules/" + d];
            if(lock.packages[""]) lock.packages[""].dependencies[d] = "file:../" + d;
            fs.writeFileSync(f, JSON.stringify(lock, null, 2));' package-lock.json "$dep"
        fi
      fi
    done
    if [ ! -f node_modules/.package-lock.json ] || [ package.json -nt node_modules/.package-lock.json ]; then
      echo "== npm install in $1"
      # --install-links copies file: dependencies, so app-root-path finds the suite's localConfig.cjs
      npm install --install-links --no-audit --no-fund --loglevel=error
    fi
  )
}
for suite in "${SUITES[@]}"; do prepare_suite "$suite"; done

# 2. Musette: a did:key organisation, an API key, the three services
ISSUER_PORT="$(free_port)"; WALLET_PORT="$(free_port)"; VERIFIER_PORT="$(free_port)"
ISSUER_TLS="$(free_port)"; VERIFIER_TLS="$(free_port)"
export MUSETTE_ISSUER_PORT="$ISSUER_PORT" MUSETTE_WALLET_PORT="$WALLET_PORT" MUSETTE_VERIFIER_PORT="$VERIFIER_PORT"
# the issuer's public URL is the TLS proxy's (status list URLs must be https for the suites);
# the verifier fetches them through the proxy too, trusting its self-signed certificate
# (MUSETTE_VERIFIER_DEV_CA_FILE, development mode only)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -keyout "$WORK/tls.key" -out "$WORK/tls.crt" 2>/dev/null
export MUSETTE_ISSUER_BASE_URL="https://localhost:$ISSUER_TLS"
export MUSETTE_VERIFIER_DEV_CA_FILE="$WORK/tls.crt"
ORG_JSON="$(musette issuer org create --data-dir "$DATA" --slug w3c-suites --name "W3C test suites" \
  --kind employer --did-method key --json 2>/dev/null)"
ISSUER_DID="$("$PYTHON" -c 'import json, sys; print(json.loads(sys.argv[1])["did"])' "$ORG_JSON")"
API_KEY="$(musette issuer api-key --data-dir "$DATA" --org w3c-suites --name w3c-suites 2>/dev/null)"

PIDS=()
cleanup() {
  if [ "${KEEP_RUNNING:-0}" = 1 ]; then
    echo "services left running: pids ${PIDS[*]}" >&2
    return
  fi
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

PYTHONPATH="$REPO" "$PYTHON" -c 'import sys; from musette.cli import main; sys.exit(main())' \
  up --dev --data-dir "$DATA" >"$WORK/musette.log" 2>&1 &
PIDS+=($!)

# 3. TLS in front of the issuer and the verifier (the suites call https only)
node "$REPO/conformance/tls-proxy.mjs" "$WORK/tls.crt" "$WORK/tls.key" \
  "$ISSUER_TLS=http://127.0.0.1:$ISSUER_PORT" "$VERIFIER_TLS=http://127.0.0.1:$VERIFIER_PORT" \
  >"$WORK/tls-proxy.log" 2>&1 &
PIDS+=($!)
export NODE_EXTRA_CA_CERTS="$WORK/tls.crt"

for _ in $(seq 1 120); do
  if curl -sf -o /dev/null --cacert "$WORK/tls.crt" "https://localhost:$VERIFIER_TLS/signin" &&
     curl -sf -o /dev/null --cacert "$WORK/tls.crt" "https://localhost:$ISSUER_TLS/signin"; then
    break
  fi
  sleep 1
done
curl -sf -o /dev/null --cacert "$WORK/tls.crt" "https://localhost:$ISSUER_TLS/signin" ||
  { echo "run.sh: Musette did not start, see $WORK/musette.log" >&2; exit 1; }

echo "issuer: https://localhost:$ISSUER_TLS (http://127.0.0.1:$ISSUER_PORT), verifier: https://localhost:$VERIFIER_TLS (http://127.0.0.1:$VERIFIER_PORT), organisation: $ISSUER_DID" | tee "$WORK/endpoints.txt"

# 4. the local implementation entry (vc-test-suite-implementations' localConfig.cjs)
write_config() {
  ISSUER_DID="$ISSUER_DID" API_KEY="$API_KEY" ISSUER_URL="https://localhost:$ISSUER_TLS" \
  VERIFIER_URL="https://localhost:$VERIFIER_TLS" VC_API_OPTIONS="${VC_API_OPTIONS:-1}" \
    node "$REPO/conformance/local-config.mjs" "$1" >"$SUITES_DIR/$1/localConfig.cjs"
}

# 5. run each suite with mocha's JSON reporter; the summary counts passed, failed, pending
run_suite() {
  local suite="$1" timeout=15000 path="$PATH"
  if [ "$suite" = vc-jose-cose-test-suite ]; then
    # it runs `docker compose … run IMAGE issue|verify …` per test: our shim runs podman
    timeout=150000
    path="$REPO/conformance/jose-cose:$PATH"
    if ! podman image exists "${MUSETTE_JOSE_COSE_IMAGE:-localhost/musette-vc-jose-cose:local}"; then
      echo "== $suite: no image; build it with conformance/jose-cose/build-image.sh" >&2
      return
    fi
  fi
  write_config "$suite"
  echo "== $suite"
  (
    cd "$SUITES_DIR/$suite"
    # --harmony-iterator-helpers: the JOSE-COSE suite uses Node 22's iterator helpers
    PATH="$path" npx mocha --harmony-iterator-helpers tests/ \
      --reporter json --reporter-option "output=$WORK/results/$suite.json" \
      --timeout "$timeout" --preserve-symlinks >"$WORK/results/$suite.log" 2>&1 || true
  )
}
for suite in "${SUITES[@]}"; do run_suite "$suite"; done

node "$REPO/conformance/summary.mjs" "$WORK/results" "${SUITES[@]}" | tee "$WORK/results/summary.md"
echo "results: $WORK/results"
