#!/usr/bin/env bash
# Build the offline stand-in for the official `postgres:16` image (test and benchmark set-up only;
# a real user's engine pulls the real image). tests/docker/setup-engine.sh and
# benchmarks/standins.sh run it:
#
#   BASE_TAR=<rootfs tar> CACHE_DIR=<dir> bash tests/docker/postgres/build.sh
#
# The image: the stand-ins' debootstrap bookworm rootfs (BASE_TAR) + the PostgreSQL build that the
# `pgserver` wheel bundles (PostgreSQL 16.2, built without SSL, readline and ICU; the wheel is
# downloaded once from the package index into $CACHE_DIR/wheels and checked against its hash) +
# docker-entrypoint.sh next to this file (the official image's POSTGRES_* contract).
#
# Idempotent: an image labelled with this recipe's revision and the entrypoint's hash is reused.
# Knobs: HFDEPLOY_PGSERVER_WHEEL=<path> (a copy of the pinned wheel, instead of downloading it),
# PIP_INDEX_URL (the index to download it from). Needs root (chroot) and DOCKER_HOST's engine with
# the python:3.11-slim stand-in (pip runs in it).
set -euo pipefail

# Bump PG_STANDIN_REV when this recipe changes (the entrypoint's hash is in the label anyway).
PG_STANDIN_REV=1
PGSERVER_WHEEL=pgserver-0.1.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl
PGSERVER_SHA256=d595789b47624a3d963aa9aa6359da9be31beb7e61f1a45541953242068b8813
PG_MAJOR=16
PG_PREFIX=/usr/lib/postgresql/$PG_MAJOR
PG_TAG=${HFDEPLOY_POSTGRES_TAG:-postgres:$PG_MAJOR} # another tag: to try a change of the recipe
SUITE=bookworm
IMAGE_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CACHE_DIR=${CACHE_DIR:-${HFDEPLOY_DOCKER_CACHE:-/tmp/hfdeploy-docker-cache}}
BASE_TAR=${BASE_TAR:-$CACHE_DIR/$SUITE-py311-rootfs-r1.tar}
ENTRYPOINT_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/docker-entrypoint.sh
# the entrypoint's hash is part of the label: editing it rebuilds the image
PG_LABEL=pg-$PG_STANDIN_REV-$(sha256sum "$ENTRYPOINT_SRC" | cut -c1-12)
export DOCKER_HOST=${DOCKER_HOST:-unix:///tmp/docker.sock}

log() { printf '[postgres-standin] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# one build at a time (setup-engine.sh and standins.sh may both run it)
exec 8>/tmp/hfdeploy-postgres-standin.lock
flock 8

# Remove a scratch directory without ever following a mount left inside it.
remove_tree() {
    local dir=$1 mnt
    [ -e "$dir" ] || return 0
    while read -r mnt; do umount -l "$mnt" 2>/dev/null || true; done \
        < <(awk -v d="$dir" '$2 == d || index($2, d "/") == 1 {print $2}' /proc/mounts | sort -r)
    rm -rf --one-file-system "$dir"
}

wheel_ok() { [ -s "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$PGSERVER_SHA256" ]; }

# The pgserver wheel in $CACHE_DIR/wheels, downloaded once. pip runs inside the python:3.11-slim
# stand-in (this machine may have no pip of its own), so no pip configuration of this machine
# (config files, PIP_FIND_LINKS) applies; only PIP_INDEX_URL, when set, names the index.
fetch_pgserver_wheel() {
    local dir=$CACHE_DIR/wheels want=$CACHE_DIR/wheels/$PGSERVER_WHEEL
    mkdir -p "$dir"
    if [ -n "${HFDEPLOY_PGSERVER_WHEEL:-}" ]; then
        wheel_ok "$HFDEPLOY_PGSERVER_WHEEL" || die "HFDEPLOY_PGSERVER_WHEEL=$HFDEPLOY_PGSERVER_WHEEL is not $PGSERVER_WHEEL (sha256 $PGSERVER_SHA256)"
        cp "$HFDEPLOY_PGSERVER_WHEEL" "$want"
    fi
    wheel_ok "$want" && return 0
    log "downloading $PGSERVER_WHEEL from the package index (about 11 MB)"
    local index=()
    [ -n "${PIP_INDEX_URL:-}" ] && index=(-e "PIP_INDEX_URL=$PIP_INDEX_URL")
    docker run --rm --network host "${index[@]}" -e PIP_CONFIG_FILE=/dev/null \
        -e PIP_DISABLE_PIP_VERSION_CHECK=1 -v "$dir:/out" python:3.11-slim \
        python3 -m pip download --quiet --no-deps --only-binary=:all: \
        --python-version 3.11 --platform manylinux2014_x86_64 --dest /out pgserver==0.1.4 \
        || die "could not download the pgserver wheel (package index unreachable?); set HFDEPLOY_PGSERVER_WHEEL to a copy"
    wheel_ok "$want" || die "$want is missing or does not have sha256 $PGSERVER_SHA256"
}

# Official image's layout: binaries in /usr/lib/postgresql/16/bin (on PATH), data in
# /var/lib/postgresql/data, user postgres (uid/gid 999), sockets in /var/run/postgresql.
build_postgres() {
    if [ "$(docker image inspect -f '{{index .Config.Labels "hfdeploy.standin"}}' "$PG_TAG" 2>/dev/null)" = "$PG_LABEL" ]; then
        log "image $PG_TAG present"
        return
    fi
    [ -s "$BASE_TAR" ] || die "no rootfs tarball $BASE_TAR (tests/docker/setup-engine.sh makes it)"
    fetch_pgserver_wheel
    local r=$CACHE_DIR/rootfs-pg.build pgver
    remove_tree "$r"
    trap 'remove_tree "$CACHE_DIR/rootfs-pg.build"' EXIT
    mkdir -p "$r"
    log "building $PG_TAG from $PGSERVER_WHEEL"
    tar -C "$r" -xf "$BASE_TAR"
    cp "$CACHE_DIR/wheels/$PGSERVER_WHEEL" "$r/tmp/pgserver.whl"
    chroot "$r" /usr/bin/python3 -m zipfile -e /tmp/pgserver.whl /tmp/pgserver
    local src=$r/tmp/pgserver/pgserver/pginstall
    [ -d "$src/bin" ] || die "the pgserver wheel has no pgserver/pginstall/bin"
    mkdir -p "$r$PG_PREFIX"
    cp -a "$src/bin" "$src/lib" "$src/share" "$r$PG_PREFIX/"
    # the client programs were linked by auditwheel against a renamed copy of libpq
    cp -a "$r"/tmp/pgserver/pgserver.libs/*.so* "$r$PG_PREFIX/lib/"
    rm -rf "$r"/tmp/pgserver "$r/tmp/pgserver.whl" "$r$PG_PREFIX"/lib/*.a
    chmod 0755 "$r$PG_PREFIX"/bin/*
    # a wheel holds no symlinks: libpq.so.5 and libpq.so are copies of libpq.so.5.16; make them the
    # links ldconfig and the linker expect
    local lib
    for lib in "$r$PG_PREFIX"/lib/lib*.so.*.*; do
        local base=${lib##*/} stem
        case $base in *-*) continue ;; esac # auditwheel's renamed copies (libpq-<hash>.so.5.16)
        stem=${base%.so.*}
        local major=${base#"$stem".so.}
        major=${major%%.*}
        ln -sfn "$base" "$r$PG_PREFIX/lib/$stem.so.$major"
        ln -sfn "$base" "$r$PG_PREFIX/lib/$stem.so"
    done
    echo "$PG_PREFIX/lib" >"$r/etc/ld.so.conf.d/postgresql.conf"
    chroot "$r" /sbin/ldconfig
    chroot "$r" /usr/sbin/groupadd -r --gid 999 postgres
    chroot "$r" /usr/sbin/useradd -r -g postgres --uid 999 --home-dir /var/lib/postgresql \
        --shell /bin/bash postgres
    # inside the chroot: the rootfs's /var/run is an absolute symlink to /run, which from out here
    # would be this machine's /run
    chroot "$r" /bin/sh -ec 'mkdir -p /var/lib/postgresql/data /var/run/postgresql /docker-entrypoint-initdb.d
        chmod 0700 /var/lib/postgresql/data
        chmod 03775 /var/run/postgresql
        chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql'

    install -m 0755 "$ENTRYPOINT_SRC" "$r/usr/local/bin/docker-entrypoint.sh"
    pgver=$(chroot "$r" "$PG_PREFIX/bin/postgres" --version) || die "the bundled postgres does not run in the rootfs"
    pgver=${pgver##* }
    chroot "$r" "$PG_PREFIX/bin/psql" --version >/dev/null || die "the bundled psql does not run in the rootfs"
    log "importing $PG_TAG (PostgreSQL $pgver)"
    local base=hfdeploy-standin/postgres-rootfs:${PG_TAG//[:\/]/-}
    tar --numeric-owner -C "$r" -c . | docker import \
        -c "ENV PATH=$PG_PREFIX/bin:$IMAGE_PATH LANG=C.UTF-8 PG_MAJOR=$PG_MAJOR PG_VERSION=$pgver PGDATA=/var/lib/postgresql/data" \
        -c "LABEL hfdeploy.standin=$PG_LABEL" \
        -c 'EXPOSE 5432' \
        -c 'ENTRYPOINT ["docker-entrypoint.sh"]' \
        -c 'CMD ["postgres"]' \
        -m "hfdeploy offline test stand-in (debootstrap $SUITE + PostgreSQL $pgver from $PGSERVER_WHEEL), not the official image" \
        - "$base" >/dev/null
    remove_tree "$r"
    # `docker import` cannot set STOPSIGNAL; the official image stops with SIGINT (fast shutdown)
    printf 'FROM %s\nSTOPSIGNAL SIGINT\n' "$base" \
        | docker build --network host -q -t "$PG_TAG" - >"$CACHE_DIR/postgres-build.log" 2>&1 \
        || { cat "$CACHE_DIR/postgres-build.log" >&2; die "could not build $PG_TAG"; }
    docker rmi "$base" >/dev/null
}

build_postgres
