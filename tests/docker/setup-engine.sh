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
#      The full tags (python:3.11, python:3.12) are the slim images plus Debian's libpq5, a C/C++
#      compiler, git and curl, as the official full images have them and the slim ones do not
#      (tests/docker/full-image.sh).
#      The debootstrap rootfs is cached as a tarball under $CACHE_DIR.
#   4. builds postgres:16 (the official image's entrypoint contract, see
#      tests/docker/postgres/docker-entrypoint.sh) from the same rootfs and the PostgreSQL 16 that
#      the `pgserver` wheel bundles (downloaded once from the package index into $CACHE_DIR).
#   5. builds mysql:8 (the official image's MYSQL_* contract, see
#      tests/docker/mysql/docker-entrypoint.sh) from the same rootfs and Debian bookworm's
#      MariaDB server packages (apt, about a minute).
#
# Every build and container must use host networking (`--network host`,
# network_mode="host"): the engine has no bridge. These images are test stand-ins only, never
# part of the product; a real user's engine pulls the real images.
#
# Environment knobs: HFDEPLOY_DOCKER_CACHE (cache dir), DEBIAN_MIRROR, ENGINE_WAIT_SECONDS,
# HFDEPLOY_SKIP_PY312=1 (do not build the 3.12 stand-in), HFDEPLOY_SKIP_POSTGRES=1 (no postgres:16),
# HFDEPLOY_SKIP_MYSQL=1 (no mysql:8),
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
STANDIN_REV=4
ROOTFS_REV=1
BASE_TAR=$CACHE_DIR/$SUITE-py311-rootfs-r$ROOTFS_REV.tar
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
LOCK=/tmp/hfdeploy-docker-setup.lock
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
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
    bash "$HERE/full-image.sh" python:3.11-slim python:3.11 || die "python:3.11 not built"
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
    bash "$HERE/full-image.sh" python:3.12-slim python:3.12 || die "python:3.12 not built"
}

# ---------------------------------------------------------------------------------------------
# 4. postgres:16 (tests/docker/postgres/build.sh, which benchmarks/standins.sh runs too)
# ---------------------------------------------------------------------------------------------
build_postgres() {
    if [ "${HFDEPLOY_SKIP_POSTGRES:-0}" = 1 ]; then
        log "HFDEPLOY_SKIP_POSTGRES=1: not building postgres:16"
        return
    fi
    build_base_tar
    BASE_TAR=$BASE_TAR CACHE_DIR=$CACHE_DIR bash "$HERE/postgres/build.sh" || die "postgres:16 stand-in not built"
}

# ---------------------------------------------------------------------------------------------
# 5. mysql:8 (tests/docker/mysql/build.sh, which benchmarks/standins.sh runs too)
# ---------------------------------------------------------------------------------------------
build_mysql() {
    if [ "${HFDEPLOY_SKIP_MYSQL:-0}" = 1 ]; then
        log "HFDEPLOY_SKIP_MYSQL=1: not building mysql:8"
        return
    fi
    build_base_tar
    BASE_TAR=$BASE_TAR CACHE_DIR=$CACHE_DIR bash "$HERE/mysql/build.sh" || die "mysql:8 stand-in not built"
}

install_packages
start_engine
build_py311
build_py312
build_postgres
build_mysql

log "images: $(docker image ls --format '{{.Repository}}:{{.Tag}}' | sort | tr '\n' ' ')"
log "done in $((SECONDS - START))s"
echo "export DOCKER_HOST=unix://$SOCK" >&3
