#!/usr/bin/env bash
# Make an offline stand-in for a full `python:X.Y` image from its slim stand-in.
#
#   bash tests/docker/full-image.sh python:3.12-slim python:3.12
#
# The official full images (buildpack-deps) carry, among much else, Debian's libpq5 (psycopg 3's
# pure-Python mode finds it with ctypes.util.find_library("pq")), a C/C++ compiler (a
# requirement without a wheel for the target builds from source there), git (`pip install
# git+https://...`) and curl with the CA certificates (`RUN curl ...`). A Space built FROM
# python:3.X relies on them; the slim images have none of them, and neither do their stand-ins.
# So the full stand-in is the slim one plus, from Debian (apt, the slim stand-in's own sources,
# over host networking): libpq5, gcc, g++, make, libc6-dev, git, curl, ca-certificates, the
# Python headers when its Python is Debian's (python3-dev; a copied CPython brings its own), and
# the -dev libraries that database drivers and common packages build against from source there
# (libpq-dev for psycopg2, default-libmysqlclient-dev with pkg-config for mysqlclient, libffi-dev,
# libssl-dev). Not the official image's many others (image, XML, compression libraries, ...).
# Debian's ca-certificates package regenerates /etc/ssl/certs/ca-certificates.crt from its own
# list, which drops the bundle the slim stand-in copied from this host (the chain the package
# index is reached through): the slim image's bundle is put back after the install, else pip,
# git and curl fail with CERTIFICATE_VERIFY_FAILED in every full stand-in. Likewise an update of
# Debian's libpython3.X-stdlib brings back the PEP 668 marker the slim stand-in removed (pip would
# refuse to install as root: `error: externally-managed-environment`): it is removed again.
# Cost, measured on the 2-core test machine: ~20 s more per full image than libpq5 alone
# (3 s -> 21 s for 3.12, 24 s for 3.11 with python3-dev), 190 MB -> 630-670 MB.
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
    'RUN cp /etc/ssl/certs/ca-certificates.crt /tmp/slim-ca.crt \' \
    ' && apt-get update -q \' \
    ' && headers=$(python3 -c "import sysconfig; print(sysconfig.get_paths()[\"include\"])") \' \
    ' && dev= && if [ ! -f "$headers/Python.h" ] && [ "$(command -v python3)" = /usr/bin/python3 ]; then dev=python3-dev; fi \' \
    ' && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \' \
    '    libpq5 gcc g++ make libc6-dev git curl ca-certificates $dev \' \
    '    libpq-dev default-libmysqlclient-dev pkg-config libffi-dev libssl-dev \' \
    ' && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb /var/cache/apt/*.bin \' \
    ' && mv /tmp/slim-ca.crt /etc/ssl/certs/ca-certificates.crt \' \
    ' && rm -f /usr/lib/python3*/EXTERNALLY-MANAGED' \
    'RUN python3 -c "import ctypes.util, sys; sys.exit(ctypes.util.find_library(\"pq\") is None)" \' \
    ' && gcc --version >/dev/null && git --version >/dev/null && curl --version >/dev/null \' \
    ' && pg_config --version >/dev/null && pkg-config --exists mysqlclient \' \
    ' && ! ls /usr/lib/python3*/EXTERNALLY-MANAGED 2>/dev/null \' \
    ' && python3 -c "import sysconfig, os, sys; sys.exit(not os.path.isfile(os.path.join(sysconfig.get_paths()[\"include\"], \"Python.h\")))"')
want=$(printf '%s' "$dockerfile" | sha256sum | cut -c1-16)
have=$(docker image inspect -f '{{index .Config.Labels "hfdeploy.standin.full"}}' "$full" 2>/dev/null || true)
if [ "$have" = "$want" ]; then
    exit 0
fi

log "building $full from $slim + Debian's libpq5, gcc, g++, make, git, curl, libpq-dev, libmysqlclient (apt, about a minute)"
logfile=$(mktemp /tmp/hfdeploy-full-image.XXXXXX.log)
printf '%s\n' "$dockerfile" \
    | docker build --network host --label "hfdeploy.standin.full=$want" -t "$full" - >"$logfile" 2>&1 \
    || { tail -n 30 "$logfile" >&2; log "could not build $full (log: $logfile)"; exit 1; }
rm -f "$logfile"
