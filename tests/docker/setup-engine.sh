#!/usr/bin/env bash
# Set up a real Docker engine for hfdeploy's Docker tests, on a machine with no registry access.
#
#   eval "$(bash tests/docker/setup-engine.sh)"     # progress on stderr, one export line on stdout
#   ... run the tests (DOCKER_HOST=unix:///tmp/docker.sock) ...
#   bash tests/docker/stop-engine.sh                # stops the engine only if this script started it
#
# What it does (every step is skipped when already done, so re-runs take about a second):
#   1. apt-get installs docker.io and debootstrap if dockerd/debootstrap are missing;
#   2. starts dockerd on unix:///tmp/docker.sock (data root /tmp/dockerd-data, no bridge, no
#      iptables), or reuses the one already answering there, and waits for it (bounded);
#   3. builds offline stand-ins for the base images user Dockerfiles start FROM, since nothing can be
#      pulled: python:3.11-slim (+ python:3.11) from a debootstrap'ed bookworm with Debian's
#      python3, and python:3.12-slim (+ python:3.12) from the same rootfs with this machine's pyenv
#      CPython 3.12 copied into /usr/local (skipped with a warning when no pyenv 3.12 exists).
#      The debootstrap rootfs is cached as a tarball under $CACHE_DIR.
#   4. builds postgres:16 (the official image's entrypoint contract, see
#      tests/docker/postgres/docker-entrypoint.sh) from the same rootfs and the PostgreSQL 16 that
#      the `pgserver` wheel bundles (downloaded once from the package index into $CACHE_DIR).
#
# Every build and container must use host networking (`--network host`,
# network_mode="host"): the engine has no bridge. These images are test stand-ins only, never
# part of the product; a real user's engine pulls the real images.
#
# Environment knobs: HFDEPLOY_DOCKER_CACHE (cache dir), DEBIAN_MIRROR, ENGINE_WAIT_SECONDS,
# HFDEPLOY_SKIP_PY312=1 (do not build the 3.12 stand-in), HFDEPLOY_SKIP_POSTGRES=1 (no postgres:16),
# HFDEPLOY_PGSERVER_WHEEL=<path> (use this copy of the pgserver wheel instead of downloading it;
# it must have the pinned hash), PIP_INDEX_URL (the package index the wheel is downloaded from).
set -euo pipefail

SOCK=/tmp/docker.sock
DATA_ROOT=/tmp/dockerd-data
PIDFILE=${HFDEPLOY_DOCKERD_PIDFILE:-/tmp/dockerd.pid}
# Written only when this script starts dockerd: stop-engine.sh stops only an engine it names.
OWNER_MARKER=$PIDFILE.started-by-setup-engine
DOCKERD_LOG=/tmp/dockerd.log
CACHE_DIR=${HFDEPLOY_DOCKER_CACHE:-/tmp/hfdeploy-docker-cache}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm
WAIT_SECONDS=${ENGINE_WAIT_SECONDS:-60}
# Bump STANDIN_REV when the images' recipe changes: images with another revision get rebuilt.
# Bump ROOTFS_REV when build_base_tar's recipe changes: the cached rootfs gets rebuilt too.
STANDIN_REV=3
ROOTFS_REV=1
# Bump PG_STANDIN_REV when build_postgres's recipe (or tests/docker/postgres/) changes.
PG_STANDIN_REV=1
# The PostgreSQL the postgres:16 stand-in runs: the build bundled in this wheel (PostgreSQL 16.2,
# built without SSL, readline and ICU), checked against its hash.
PGSERVER_WHEEL=pgserver-0.1.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl
PGSERVER_SHA256=d595789b47624a3d963aa9aa6359da9be31beb7e61f1a45541953242068b8813
PG_MAJOR=16
BASE_TAR=$CACHE_DIR/$SUITE-py311-rootfs-r$ROOTFS_REV.tar
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
LOCK=/tmp/hfdeploy-docker-setup.lock
IMAGE_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

export DOCKER_HOST=unix://$SOCK

# All progress goes to stderr; fd 3 keeps the caller's stdout for the final export line only, so
# `eval "$(setup-engine.sh)"` works.
exec 3>&1 1>&2

START=$SECONDS
log() { printf '[setup-engine %3ds] %s\n' "$((SECONDS - START))" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (installs packages, starts dockerd, runs debootstrap)"

# One set-up at a time on this machine (two engineers/CI steps may start it together).
exec 9>"$LOCK"
flock 9

engine_up() {
    command -v docker >/dev/null 2>&1 && docker -H "unix://$SOCK" version >/dev/null 2>&1
}

image_present() { docker image inspect "$1" >/dev/null 2>&1; }

# present *and* built by this revision of the script
standin_current() {
    [ "$(docker image inspect -f '{{index .Config.Labels "hfdeploy.standin"}}' "$1" 2>/dev/null)" = "$STANDIN_REV" ]
}

# Remove a scratch directory without ever following a mount left inside it (debootstrap mounts
# /proc and /sys in its target; a failed run can leave them mounted).
remove_tree() {
    local dir=$1 mnt
    [ -e "$dir" ] || return 0
    # deepest mounts first
    while read -r mnt; do
        umount -l "$mnt" 2>/dev/null || true
    done < <(awk -v d="$dir" '$2 == d || index($2, d "/") == 1 {print $2}' /proc/mounts | sort -r)
    rm -rf --one-file-system "$dir"
}

# ---------------------------------------------------------------------------------------------
# 1. Packages
# ---------------------------------------------------------------------------------------------
install_packages() {
    local missing=()
    command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
    command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
    if [ ${#missing[@]} -eq 0 ]; then
        log "packages present: dockerd=$(command -v dockerd) debootstrap=$(command -v debootstrap)"
        return
    fi
    log "installing ${missing[*]} (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# ---------------------------------------------------------------------------------------------
# 2. Engine
# ---------------------------------------------------------------------------------------------
start_engine() {
    if engine_up; then
        log "engine already running on $DOCKER_HOST; reusing it (stop-engine.sh leaves it running"
        log "unless this script started it)"
        return
    fi

    local pid=""
    if [ -s "$PIDFILE" ]; then
        pid=$(cat "$PIDFILE")
        if kill -0 "$pid" 2>/dev/null && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ]; then
            log "dockerd (pid $pid) is running but not answering yet; waiting for it"
        else
            log "removing stale pidfile $PIDFILE (pid $pid is not a running dockerd)"
            rm -f "$PIDFILE"
            pid=""
        fi
    fi

    local started=0
    if [ -z "$pid" ]; then
        started=1
        rm -f "$OWNER_MARKER"
        mkdir -p "$DATA_ROOT"
        log "starting dockerd (log: $DOCKERD_LOG)"
        # All three streams redirected and every other inherited fd closed (3: the caller's stdout,
        # 9: the lock, plus whatever pipes a CI runner hands its steps), so the daemon (and the
        # containerd it spawns) never holds a caller's pipe open nor the set-up lock.
        (
            for fd in /proc/self/fd/*; do
                fd=${fd##*/}
                if [ "$fd" -gt 2 ] 2>/dev/null; then eval "exec $fd>&-" 2>/dev/null || true; fi
            done
            exec setsid dockerd \
                --data-root "$DATA_ROOT" \
                --host "unix://$SOCK" \
                --pidfile "$PIDFILE" \
                --bridge=none \
                --iptables=false
        ) >"$DOCKERD_LOG" 2>&1 </dev/null &
        pid=$!
    fi

    local deadline=$((SECONDS + WAIT_SECONDS))
    until engine_up; do
        if ! kill -0 "$pid" 2>/dev/null; then
            # setsid may have forked; trust the pidfile if dockerd wrote one
            if [ -s "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
                pid=$(cat "$PIDFILE")
            else
                tail -n 40 "$DOCKERD_LOG" >&2 || true
                die "dockerd exited during start-up (see $DOCKERD_LOG)"
            fi
        fi
        if [ "$SECONDS" -ge "$deadline" ]; then
            tail -n 40 "$DOCKERD_LOG" >&2 || true
            die "dockerd did not answer on $DOCKER_HOST within ${WAIT_SECONDS}s (see $DOCKERD_LOG)"
        fi
        sleep 0.5
    done
    if [ "$started" = 1 ]; then
        # the pid dockerd wrote (setsid may have forked), so stop-engine.sh can match the two
        cat "$PIDFILE" >"$OWNER_MARKER" 2>/dev/null || echo "$pid" >"$OWNER_MARKER"
    fi
    log "engine up: server $(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?'), pid $(cat "$PIDFILE" 2>/dev/null || echo "$pid")"
}

# ---------------------------------------------------------------------------------------------
# 3. Stand-in base images
# ---------------------------------------------------------------------------------------------

# Debootstrap a bookworm minbase with Debian's python3 and make it look like python:3.11-slim,
# then cache it as $BASE_TAR.
build_base_tar() {
    [ -s "$BASE_TAR" ] && { log "using cached rootfs $BASE_TAR"; return; }
    command -v debootstrap >/dev/null 2>&1 || die "debootstrap missing"
    mkdir -p "$CACHE_DIR"
    local r=$CACHE_DIR/rootfs.build
    remove_tree "$r"
    log "debootstrap $SUITE minbase into $r (mirror $MIRROR; takes about a minute)"
    debootstrap --variant=minbase \
        --include=python3,python3-pip,python3-venv,ca-certificates,passwd \
        "$SUITE" "$r" "$MIRROR" >"$CACHE_DIR/debootstrap.log" 2>&1 \
        || { tail -n 30 "$CACHE_DIR/debootstrap.log" >&2; die "debootstrap failed (see $CACHE_DIR/debootstrap.log)"; }
    # debootstrap may leave /proc or /sys mounted in the target; never tar those.
    awk -v d="$r" 'index($2, d "/") == 1 {print $2}' /proc/mounts | sort -r | while read -r m; do
        umount -l "$m" || true
    done

    # Look like the official slim image: pip works as root (no PEP 668 marker), `python`/`pip`
    # exist, the APT sources match the image's, no package caches.
    rm -f "$r"/usr/lib/python3*/EXTERNALLY-MANAGED
    ln -sf python3 "$r/usr/bin/python"
    ln -sf pip3 "$r/usr/bin/pip"
    cat >"$r/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb ${MIRROR%/debian}/debian-security $SUITE-security main
EOF
    rm -rf "$r"/var/cache/apt/archives/*.deb "$r"/var/lib/apt/lists/* "$r"/var/log/*.log \
        "$r"/var/log/apt/* "$r"/debootstrap 2>/dev/null || true
    # The package index is reached through this host's certificate chain: use its CA bundle.
    cp "$CA_BUNDLE" "$r$CA_BUNDLE"
    # Docker bind-mounts these at run time; do not bake in the build host's.
    : >"$r/etc/resolv.conf"
    echo localhost >"$r/etc/hostname"

    log "caching rootfs as $BASE_TAR"
    tar --numeric-owner -C "$r" -cf "$BASE_TAR.partial" .
    mv "$BASE_TAR.partial" "$BASE_TAR"
    remove_tree "$r"
}

# The CA variables point at the image's own system bundle (this host's, copied in): pip's vendored
# certifi (venvs, pyenv's pip), uv and requests would otherwise not trust this host's chain to the
# package index. This is the one deliberate difference from the official images' environment.
import_tar() { # import_tar <tag> <python-version>, rootfs tar on stdin
    local tag=$1 pyver=$2
    docker import \
        -c "ENV PATH=$IMAGE_PATH LANG=C.UTF-8 PYTHON_VERSION=$pyver" \
        -c "ENV PIP_CERT=$CA_BUNDLE REQUESTS_CA_BUNDLE=$CA_BUNDLE SSL_CERT_FILE=$CA_BUNDLE" \
        -c "LABEL hfdeploy.standin=$STANDIN_REV" \
        -c 'CMD ["python3"]' \
        -m "hfdeploy offline test stand-in (debootstrap $SUITE), not the official image" \
        - "$tag" >/dev/null
}

build_py311() {
    if standin_current python:3.11-slim; then
        log "image python:3.11-slim present"
    else
        build_base_tar
        log "importing python:3.11-slim"
        import_tar python:3.11-slim 3.11 <"$BASE_TAR"   # Debian bookworm's python3 (3.11.2)
    fi
    docker tag python:3.11-slim python:3.11
}

find_pyenv_312() {
    local root=""
    if command -v pyenv >/dev/null 2>&1; then
        root=$(pyenv root 2>/dev/null || true)
    fi
    [ -n "$root" ] || root=${PYENV_ROOT:-$HOME/.pyenv}
    # newest 3.12.x (plain CPython only, not e.g. 3.12.1t or a virtualenv); prints nothing if none
    local d best="" n bestn=-1
    for d in "$root"/versions/3.12.*; do
        n=${d##*/3.12.}
        case $n in '' | *[!0-9]*) continue ;; esac
        [ -x "$d/bin/python3.12" ] || continue
        if [ "$n" -gt "$bestn" ]; then best=$d; bestn=$n; fi
    done
    printf '%s' "$best"
}

# Same rootfs, plus a CPython 3.12 in /usr/local (first on PATH, as in the official image).
# Debian's python3.11 stays in /usr/bin underneath it.
build_py312() {
    if [ "${HFDEPLOY_SKIP_PY312:-0}" = 1 ]; then
        log "HFDEPLOY_SKIP_PY312=1: not building python:3.12-slim"
        return
    fi
    if standin_current python:3.12-slim; then
        log "image python:3.12-slim present"
    else
        local src
        src=$(find_pyenv_312)
        if [ -z "$src" ] || [ ! -x "$src/bin/python3.12" ]; then
            log "WARNING: no pyenv CPython 3.12 found; python:3.12-slim not built"
            return
        fi
        build_base_tar
        local r=$CACHE_DIR/rootfs312.build ver
        ver=$(basename "$src")
        remove_tree "$r"
        mkdir -p "$r"
        log "building python:3.12-slim from $src"
        tar -C "$r" -xf "$BASE_TAR"
        # Copy the interpreter, leaving out the test suite, IDLE/Tk, the static library and every
        # third-party package (only pip stays, as in the official image).
        tar -C "$src" -c \
            --exclude=./lib/python3.12/test \
            --exclude=./lib/python3.12/idlelib \
            --exclude=./lib/python3.12/tkinter \
            --exclude='./lib/python3.12/lib-dynload/_tkinter*' \
            --exclude='./lib/python3.12/config-3.12-*/*.a' \
            --exclude=./lib/python3.12/site-packages \
            --exclude='./bin/idle*' \
            . | tar -C "$r/usr/local" -x --no-same-owner
        mkdir -p "$r/usr/local/lib/python3.12/site-packages"
        cp -a "$src"/lib/python3.12/site-packages/pip "$src"/lib/python3.12/site-packages/pip-*.dist-info \
            "$r/usr/local/lib/python3.12/site-packages/"
        # Scripts carry the pyenv interpreter path in their shebang.
        local f
        for f in "$r"/usr/local/bin/*; do
            if [ ! -f "$f" ] || [ -L "$f" ]; then continue; fi
            if head -c 2 "$f" | grep -q '^#!' && head -n 1 "$f" | grep -qF "$src/"; then
                sed -i "1s|^#!.*|#!/usr/local/bin/python3.12|" "$f"
            fi
        done
        # The build-time paths (sysconfig's LIBDIR, the Makefile, pkg-config) name the pyenv prefix
        # under /root, which uid 1000 cannot read: virtualenv, poetry and uv then fail as a Space's
        # user. The official image's prefix is /usr/local.
        grep -rlF "$src" "$r"/usr/local/lib/python3.12/_sysconfigdata_*.py "$r"/usr/local/lib/python3.12/config-3.12-* \
            "$r"/usr/local/lib/pkgconfig 2>/dev/null | xargs -r sed -i "s|$src|/usr/local|g"
        # libpython3.12.so is found through the pyenv rpath on the host; here through ld.so.conf.
        echo /usr/local/lib >"$r/etc/ld.so.conf.d/usr-local.conf"
        chroot "$r" /sbin/ldconfig
        chroot "$r" /usr/bin/env -i PATH=$IMAGE_PATH /usr/local/bin/python3 -c \
            'import ssl, sqlite3, ctypes, zlib, bz2, lzma, readline, uuid, decimal, venv, ensurepip, pip' \
            || die "the copied CPython 3.12 does not work in the rootfs"
        rm -f "$r"/usr/bin/python "$r"/usr/bin/pip   # `python`/`pip` are /usr/local's, 3.12
        log "importing python:3.12-slim"
        tar --numeric-owner -C "$r" -c . | import_tar python:3.12-slim "${ver}"
        remove_tree "$r"
    fi
    docker tag python:3.12-slim python:3.12
}

# ---------------------------------------------------------------------------------------------
# 4. postgres:16
# ---------------------------------------------------------------------------------------------
PG_PREFIX=/usr/lib/postgresql/$PG_MAJOR
ENTRYPOINT_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/postgres/docker-entrypoint.sh
# the entrypoint's hash is part of the label: editing it rebuilds the image
PG_LABEL=pg-$PG_STANDIN_REV-$(sha256sum "$ENTRYPOINT_SRC" | cut -c1-12)

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
    if [ "${HFDEPLOY_SKIP_POSTGRES:-0}" = 1 ]; then
        log "HFDEPLOY_SKIP_POSTGRES=1: not building postgres:$PG_MAJOR"
        return
    fi
    if [ "$(docker image inspect -f '{{index .Config.Labels "hfdeploy.standin"}}' "postgres:$PG_MAJOR" 2>/dev/null)" = "$PG_LABEL" ]; then
        log "image postgres:$PG_MAJOR present"
        return
    fi
    build_base_tar
    fetch_pgserver_wheel
    local r=$CACHE_DIR/rootfs-pg.build pgver
    remove_tree "$r"
    mkdir -p "$r"
    log "building postgres:$PG_MAJOR from $PGSERVER_WHEEL"
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
    log "importing postgres:$PG_MAJOR (PostgreSQL $pgver)"
    local base=hfdeploy-standin/postgres-rootfs:$PG_MAJOR
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
        | docker build --network host -q -t "postgres:$PG_MAJOR" - >"$CACHE_DIR/postgres-build.log" 2>&1 \
        || { cat "$CACHE_DIR/postgres-build.log" >&2; die "could not build postgres:$PG_MAJOR"; }
    docker rmi "$base" >/dev/null
}

install_packages
start_engine
build_py311
build_py312
build_postgres

log "images: $(docker image ls --format '{{.Repository}}:{{.Tag}}' | sort | tr '\n' ' ')"
log "done in $((SECONDS - START))s"
echo "export DOCKER_HOST=unix://$SOCK" >&3
