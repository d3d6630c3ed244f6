#!/bin/sh
# make container-test: build the images here (no registry: a Debian base made with
# debootstrap), run docker/compose.yaml with podman, run the journeys against it, tear down.
# Needs root, podman, runc, debootstrap and curl (apt-get install podman runc debootstrap).
set -eu
cd "$(dirname "$0")/../.."
PODMAN="podman --runtime runc --cgroup-manager=cgroupfs"
BASE=localhost/musette-base:bookworm
IMAGE=${MUSETTE_IMAGE:-localhost/musette:dev}
WORK=${MUSETTE_CONTAINER_WORK:-$(mktemp -d -t musette-container-test.XXXXXX)}
PY=${PY:-.venv/bin/python}
start=$(date +%s)

if ! $PODMAN image exists "$BASE"; then
    echo "container-test: building $BASE with debootstrap (once)"
    rm -rf "$WORK/rootfs" && mkdir -p "$WORK"
    debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
        bookworm "$WORK/rootfs" http://deb.debian.org/debian >"$WORK/debootstrap.log"
    tar -C "$WORK/rootfs" -c . | $PODMAN import - "$BASE"
    rm -rf "$WORK/rootfs"
fi

# a TLS-inspecting proxy between this machine and PyPI: give its CA to pip in the build
CA_ARGS=""
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
    CA_ARGS="-v /etc/ssl/certs/ca-certificates.crt:/etc/ssl/host-ca.crt:ro --build-arg PIP_CA_BUNDLE=/etc/ssl/host-ca.crt"
fi
echo "container-test: building $IMAGE"
# --format docker: the OCI format has no HEALTHCHECK
# shellcheck disable=SC2086
$PODMAN build --format docker --network host $CA_ARGS --build-arg "BASE_IMAGE=$BASE" \
    -f docker/Containerfile -t "$IMAGE" . >"${WORK}.build.log" 2>&1 \
    || { tail -30 "${WORK}.build.log"; exit 1; }
for name in postgres caddy smtp; do
    $PODMAN build --format docker --network host --build-arg "BASE_IMAGE=$BASE" \
        -f "docker/local/$name.Containerfile" -t "localhost/musette-$name:local" . \
        >>"${WORK}.build.log" 2>&1 || { tail -30 "${WORK}.build.log"; exit 1; }
done
built=$(date +%s)
echo "container-test: images built in $((built - start)) s"

status=0
MUSETTE_CONTAINER_TEST=1 MUSETTE_IMAGE="$IMAGE" PYTHONPATH=. "$PY" -m pytest -q -rA -p no:cacheprovider \
    tests/container/test_container_topology.py || status=$?
end=$(date +%s)
echo "container-test: topology and journeys in $((end - built)) s, $((end - start)) s in all (exit $status)"
exit $status
