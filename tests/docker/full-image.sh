#!/usr/bin/env bash
# Make an offline stand-in for a full `python:X.Y` image from its slim stand-in.
#
#   bash tests/docker/full-image.sh python:3.12-slim python:3.12
#
# The official full images (buildpack-deps) carry, among much else, Debian's libpq5: psycopg 3's
# pure-Python mode finds it with ctypes.util.find_library("pq"), and a Space built FROM python:3.X
# relies on that. The slim images have no libpq, and neither do their stand-ins. So the full
# stand-in is the slim one plus Debian's libpq5 and the libraries it needs (installed with apt from
# the slim stand-in's own Debian sources, over host networking), nothing else: no gcc, no -dev
# packages, unlike the official full image.
#
# Idempotent: FULL is rebuilt only when the recipe below or the SLIM image it starts from changed
# (both are in its label). Needs the engine (DOCKER_HOST) and the Debian mirror the stand-ins use.
set -euo pipefail

slim=$1 full=$2
log() { printf '[full-image] %s\n' "$*" >&2; }

slim_id=$(docker image inspect -f '{{.Id}}' "$slim" 2>/dev/null) || { log "no image $slim"; exit 1; }
# shellcheck disable=SC1003 # the backslashes end Dockerfile lines
dockerfile=$(printf '%s\n' \
    "FROM $slim_id" \
    'RUN apt-get update -q \' \
    ' && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends libpq5 \' \
    ' && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb /var/cache/apt/*.bin' \
    'RUN python3 -c "import ctypes.util, sys; sys.exit(ctypes.util.find_library(\"pq\") is None)"')
want=$(printf '%s' "$dockerfile" | sha256sum | cut -c1-16)
have=$(docker image inspect -f '{{index .Config.Labels "hfdeploy.standin.full"}}' "$full" 2>/dev/null || true)
if [ "$have" = "$want" ]; then
    exit 0
fi

log "building $full from $slim + Debian's libpq5 (apt, about a minute)"
logfile=$(mktemp /tmp/hfdeploy-full-image.XXXXXX.log)
printf '%s\n' "$dockerfile" \
    | docker build --network host --label "hfdeploy.standin.full=$want" -t "$full" - >"$logfile" 2>&1 \
    || { tail -n 30 "$logfile" >&2; log "could not build $full (log: $logfile)"; exit 1; }
rm -f "$logfile"
