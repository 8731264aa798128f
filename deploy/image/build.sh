#!/usr/bin/env bash
# Builds the Quiver image with podman where Docker Hub is out of reach: the base is Debian bookworm from
# `debootstrap --variant=minbase` with this machine's Node 20 copied in (laid out as the official node image:
# /usr/local/bin/node, npm, headers), cached under $QUIVER_IMAGE_CACHE between runs. With QUIVER_BASE_IMAGE
# set (e.g. docker.io/library/node:20-bookworm-slim where it is reachable) that image is used instead.
# Prints the image name and its build time; needs root, podman and debootstrap (apt-get install -y podman debootstrap).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CONTAINERS_CONF="${CONTAINERS_CONF:-$PWD/deploy/image/containers.conf}"
CACHE="${QUIVER_IMAGE_CACHE:-/var/cache/quiver-image}"
IMAGE="${QUIVER_IMAGE:-localhost/quiver:dev}"
BASE="${QUIVER_BASE_IMAGE:-}"
NODE_BIN="$(readlink -f "$(command -v node)")"
NODE_VERSION="$(node -p process.versions.node)"

if [ -z "$BASE" ]; then
  BASE="localhost/quiver-base:bookworm-node${NODE_VERSION}"
  if ! podman image exists "$BASE"; then
    rootfs="$CACHE/bookworm-minbase"
    if [ ! -f "$rootfs/.quiver-complete" ]; then
      echo "debootstrap: bookworm minbase into $rootfs" >&2
      rm -rf "$rootfs" "$rootfs.tmp"
      mkdir -p "$CACHE"
      debootstrap --variant=minbase bookworm "$rootfs.tmp" http://deb.debian.org/debian >&2
      touch "$rootfs.tmp/.quiver-complete"
      mv "$rootfs.tmp" "$rootfs"
    fi
    staging="$(mktemp -d)"
    trap 'rm -rf "$staging"' EXIT
    cp -a "$rootfs/." "$staging/"
    rm -f "$staging/.quiver-complete"
    npm_root="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
    install -D -m 0755 "$NODE_BIN" "$staging/usr/local/bin/node"
    mkdir -p "$staging/usr/local/lib/node_modules" "$staging/usr/local/include"
    cp -a "$npm_root" "$staging/usr/local/lib/node_modules/npm"
    ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$staging/usr/local/bin/npm"
    ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$staging/usr/local/bin/npx"
    node_headers="$(dirname "$(dirname "$NODE_BIN")")/include/node"
    [ -d "$node_headers" ] && cp -a "$node_headers" "$staging/usr/local/include/node"
    rm -rf "$staging/var/cache/apt/archives/"*.deb "$staging/var/lib/apt/lists/"*
    tar -C "$staging" -c . | podman import --change 'CMD ["node"]' - "$BASE" >&2
    rm -rf "$staging"
    trap - EXIT
  fi
fi

# The CA npm trusts here (a re-signing proxy's, say), for `npm ci` in the build stage; empty when none.
ca="$(mktemp)"
npm_ca="$(npm config get cafile 2>/dev/null || true)"
if [ -n "$npm_ca" ] && [ "$npm_ca" != null ] && [ "$npm_ca" != undefined ] && [ -f "$npm_ca" ]; then cp "$npm_ca" "$ca"; fi

started=$(date +%s)
podman build --format docker --network host --secret "id=npm-ca,src=$ca" --build-arg "BASE_IMAGE=$BASE" \
  -f deploy/Containerfile -t "$IMAGE" . >&2
rm -f "$ca"
echo "built $IMAGE from $BASE in $(($(date +%s) - started)) s" >&2
echo "$IMAGE"
