#!/usr/bin/env bash
# Build localhost/musette-vc-jose-cose:local (the image the VC-JOSE-COSE suite runs), and its
# base from Debian packages when it is missing (registry images cannot be pulled here).
# Needs podman (with runc) and, for the base, debootstrap; run as root from anywhere.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/../.." && pwd)"
BASE="${BASE_IMAGE:-localhost/musette-conformance-base:bookworm}"
IMAGE="${MUSETTE_JOSE_COSE_IMAGE:-localhost/musette-vc-jose-cose:local}"
PODMAN=(podman --runtime runc --cgroup-manager=cgroupfs)
if ! "${PODMAN[@]}" image exists "$BASE"; then
  rootfs="$(mktemp -d -t musette-base.XXXXXX)"
  debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
    bookworm "$rootfs" http://deb.debian.org/debian
  tar -C "$rootfs" -c . | "${PODMAN[@]}" import - "$BASE"
  rm -rf "$rootfs"
fi
# behind a TLS-inspecting proxy, pip inside the build needs the host's CA bundle ($PIP_CERT)
CA=()
if [ -n "${PIP_CERT:-}" ] && [ -f "$PIP_CERT" ]; then
  CA=(-v "$PIP_CERT:/run/pip-ca.crt:ro" --build-arg PIP_CA_BUNDLE=/run/pip-ca.crt)
fi
"${PODMAN[@]}" build --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 "${CA[@]}" \
  --build-arg BASE_IMAGE="$BASE" -f "$REPO/conformance/jose-cose/Containerfile" -t "$IMAGE" "$REPO"
echo "$IMAGE"
