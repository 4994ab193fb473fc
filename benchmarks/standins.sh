#!/usr/bin/env bash
# Offline stand-ins for the python base images real repositories start FROM, and for postgres:16
# and mysql:8 (benchmark only).
#
#   bash benchmarks/standins.sh                      # the default set (below)
#   bash benchmarks/standins.sh python:3.10-slim-bookworm python:3.12.4 postgres:16   # these tags
#
# Nothing can be pulled on these machines. tests/docker/setup-engine.sh builds python:3.11(-slim)
# and python:3.12(-slim); this script adds the other CPython versions the same way (its cached
# debootstrap bookworm rootfs, plus this machine's pyenv CPython X.Y copied into /usr/local) and
# tags the aliases real Dockerfiles use (python:3.11 and python:3.11-slim stay setup-engine.sh's
# Debian-python images; other 3.11 tags point at a pyenv 3.11 like the other versions): python:X.Y, python:X.Y-slim, -bookworm, -slim-bookworm,
# the older Debian names (-bullseye, -buster: still this bookworm rootfs) and patch versions such as
# python:3.12.4-slim (the newest pyenv 3.12.x, not 3.12.4 itself). These are stand-ins, never the
# official images: a full tag (`python:X.Y`, `-bookworm`, ...) is the slim stand-in plus Debian's
# libpq5, gcc/g++/make, git, curl, the Python headers and the database drivers' -dev libraries
# (tests/docker/full-image.sh; not the official one's many other -dev libraries),
# a `-slim` tag has no libpq, as the official slim images.
# postgres:16 (and postgres:16-bookworm, postgres:16.2, ...) is tests/docker/postgres/build.sh's
# stand-in: PostgreSQL 16.2 from the pgserver wheel, the official image's POSTGRES_* contract.
# mysql:8 (and mysql:8.0, mysql:8.0.30, ...) is tests/docker/mysql/build.sh's stand-in: Debian
# bookworm's MariaDB server with the official image's MYSQL_* contract.
# Astral's uv images (ghcr.io/astral-sh/uv:...) are not made here: hfdeploy verify itself builds
# them from the `uv` wheel when the engine cannot pull them (RT034), and the benchmark lets it.
#
# Idempotent: an image built by this revision of the recipe is reused; an alias is re-pointed.
# A tag it cannot make (alpine, windowsservercore, a version pyenv lacks, any other repository)
# makes it print "cannot build TAG offline" and exit 3 after trying the rest.
# Needs root, the engine (DOCKER_HOST, default unix:///tmp/docker.sock) and the rootfs cache
# that setup-engine.sh leaves (HFDEPLOY_DOCKER_CACHE, default /tmp/hfdeploy-docker-cache).
set -euo pipefail

export DOCKER_HOST=${DOCKER_HOST:-unix:///tmp/docker.sock}
CACHE_DIR=${HFDEPLOY_DOCKER_CACHE:-/tmp/hfdeploy-docker-cache}
ROOTFS_REV=1 # setup-engine.sh's
BASE_TAR=$CACHE_DIR/bookworm-py311-rootfs-r$ROOTFS_REV.tar
REV=bench-2
IMAGE_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
DEFAULT_TAGS=(python:3.10-slim python:3.13-slim python:3.9-slim python:3.8-slim postgres:16 mysql:8)
HERE=$(cd "$(dirname "$0")" && pwd)
FULL_IMAGE=$HERE/../tests/docker/full-image.sh
POSTGRES_BUILD=$HERE/../tests/docker/postgres/build.sh
MYSQL_BUILD=$HERE/../tests/docker/mysql/build.sh

log() { printf '[standins] %s\n' "$*" >&2; }

exec 9>/tmp/hfdeploy-standins.lock
flock 9

have() { docker image inspect "$1" >/dev/null 2>&1; }
label_of() { docker image inspect -f '{{index .Config.Labels "hfdeploy.standin"}}' "$1" 2>/dev/null || true; }

pyenv_dir() { # newest plain CPython X.Y.* under pyenv, or nothing
    local xy=$1 root d n best="" bestn=-1
    root=$( (command -v pyenv >/dev/null && pyenv root) 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
    for d in "$root"/versions/"$xy".*; do
        n=${d##*/"$xy".}
        case $n in '' | *[!0-9]*) continue ;; esac
        [ -x "$d/bin/python$xy" ] || continue
        if [ "$n" -gt "$bestn" ]; then best=$d; bestn=$n; fi
    done
    printf '%s' "$best"
}

remove_tree() {
    local dir=$1 mnt
    [ -e "$dir" ] || return 0
    while read -r mnt; do umount -l "$mnt" 2>/dev/null || true; done \
        < <(awk -v d="$dir" '$2 == d || index($2, d "/") == 1 {print $2}' /proc/mounts | sort -r)
    rm -rf --one-file-system "$dir"
}

# base_of X.Y: the image the X.Y aliases point at. python:3.11-slim and python:3.12-slim are
# setup-engine.sh's (its 3.11 is Debian's python3); the other 3.11 aliases get a pyenv CPython in
# /usr/local like the official image (apt's python3 packages do not touch it).
base_of() {
    case $1 in
        3.11) echo hfdeploy-standin/python:3.11-slim ;;
        *) echo "python:$1-slim" ;;
    esac
}

# full_of X.Y: the image the full X.Y aliases point at (the slim one plus libpq5).
# python:3.12 is setup-engine.sh's; python:3.11 too, but it is Debian's python3, so the other 3.11
# full aliases get the pyenv 3.11 one.
full_of() {
    case $1 in
        3.11) echo hfdeploy-standin/python:3.11 ;;
        *) echo "python:$1" ;;
    esac
}

# build_full X.Y: $(full_of X.Y) from $(base_of X.Y)
build_full() {
    local xy=$1
    build_slim "$xy" || return 1
    if [ "$xy" = 3.12 ]; then
        have python:3.12 && return 0
        log "python:3.12 is tests/docker/setup-engine.sh's: run it first"
        return 1
    fi
    bash "$FULL_IMAGE" "$(base_of "$xy")" "$(full_of "$xy")"
}

# make_postgres TAG: postgres:16 from tests/docker/postgres/build.sh, TAG pointing at it
make_postgres() {
    local tag=$1 ref=${1#*:}
    [[ $ref =~ ^16(\.[0-9]+)?(-bookworm)?$ ]] || return 1
    [ -s "$BASE_TAR" ] || { log "no cached rootfs $BASE_TAR: run tests/docker/setup-engine.sh first"; return 1; }
    BASE_TAR=$BASE_TAR CACHE_DIR=$CACHE_DIR bash "$POSTGRES_BUILD" || return 1
    [ "$tag" = postgres:16 ] || docker tag postgres:16 "$tag"
}

# make_mysql TAG: mysql:8 from tests/docker/mysql/build.sh, TAG pointing at it
make_mysql() {
    local tag=$1 ref=${1#*:}
    [[ $ref =~ ^8(\.[0-9]+){0,2}$ ]] || return 1
    [ -s "$BASE_TAR" ] || { log "no cached rootfs $BASE_TAR: run tests/docker/setup-engine.sh first"; return 1; }
    BASE_TAR=$BASE_TAR CACHE_DIR=$CACHE_DIR bash "$MYSQL_BUILD" || return 1
    [ "$tag" = mysql:8 ] || docker tag mysql:8 "$tag"
}

# build_slim X.Y: $(base_of X.Y) from the cached rootfs and pyenv's CPython X.Y
build_slim() {
    local xy=$1 tag src r ver f
    tag=$(base_of "$xy")
    if [ "$xy" = 3.12 ]; then
        have "$tag" && return 0
        log "$tag is tests/docker/setup-engine.sh's: run it first"
        return 1
    fi
    if have "$tag" && [ "$(label_of "$tag")" = "$REV" ]; then return 0; fi
    src=$(pyenv_dir "$xy")
    [ -n "$src" ] || { log "no pyenv CPython $xy on this machine"; return 1; }
    [ -s "$BASE_TAR" ] || { log "no cached rootfs $BASE_TAR: run tests/docker/setup-engine.sh first"; return 1; }
    ver=$(basename "$src")
    r=$(mktemp -d /tmp/standin-rootfs-"$xy".XXXX)
    log "building $tag from $src (about a minute)"
    tar -C "$r" -xf "$BASE_TAR"
    tar -C "$src" -c \
        --exclude=./lib/python"$xy"/test \
        --exclude=./lib/python"$xy"/idlelib \
        --exclude=./lib/python"$xy"/tkinter \
        --exclude="./lib/python$xy/lib-dynload/_tkinter*" \
        --exclude="./lib/python$xy/config-$xy-*/*.a" \
        --exclude=./lib/python"$xy"/site-packages \
        --exclude='./bin/idle*' \
        . | tar -C "$r/usr/local" -x --no-same-owner
    mkdir -p "$r/usr/local/lib/python$xy/site-packages"
    cp -a "$src"/lib/python"$xy"/site-packages/pip "$src"/lib/python"$xy"/site-packages/pip-*.dist-info \
        "$r/usr/local/lib/python$xy/site-packages/"
    # Before 3.12 the official images also carry setuptools and wheel.
    if [ "${xy#3.}" -lt 12 ]; then
        cp -a "$src"/lib/python"$xy"/site-packages/setuptools* "$src"/lib/python"$xy"/site-packages/_distutils_hack \
            "$src"/lib/python"$xy"/site-packages/pkg_resources "$src"/lib/python"$xy"/site-packages/distutils-precedence.pth \
            "$r/usr/local/lib/python$xy/site-packages/" 2>/dev/null || true
    fi
    for f in "$r"/usr/local/bin/*; do
        if [ ! -f "$f" ] || [ -L "$f" ]; then continue; fi
        if head -c 2 "$f" | grep -q '^#!' && head -n 1 "$f" | grep -qF "$src/"; then
            sed -i "1s|^#!.*|#!/usr/local/bin/python$xy|" "$f"
        fi
    done
    # Build-time paths name the pyenv prefix under /root, unreadable by uid 1000 (virtualenv,
    # poetry and uv fail as a Space's user); the official image's prefix is /usr/local.
    grep -rlF "$src" "$r"/usr/local/lib/python"$xy"/_sysconfigdata_*.py "$r"/usr/local/lib/python"$xy"/config-"$xy"-* \
        "$r"/usr/local/lib/pkgconfig 2>/dev/null | xargs -r sed -i "s|$src|/usr/local|g"
    ln -sf python"$xy" "$r/usr/local/bin/python3"
    ln -sf python3 "$r/usr/local/bin/python"
    [ -e "$r/usr/local/bin/pip" ] || ln -sf pip"$xy" "$r/usr/local/bin/pip"
    [ -e "$r/usr/local/bin/pip3" ] || ln -sf pip"$xy" "$r/usr/local/bin/pip3"
    echo /usr/local/lib >"$r/etc/ld.so.conf.d/usr-local.conf"
    chroot "$r" /sbin/ldconfig
    chroot "$r" /usr/bin/env -i PATH=$IMAGE_PATH /usr/local/bin/python3 -c \
        'import ssl, sqlite3, ctypes, zlib, bz2, lzma, uuid, decimal, venv, pip' \
        || { remove_tree "$r"; log "the copied CPython $xy does not work in the rootfs"; return 1; }
    rm -f "$r"/usr/bin/python "$r"/usr/bin/pip
    tar --numeric-owner -C "$r" -c . | docker import \
        -c "ENV PATH=$IMAGE_PATH LANG=C.UTF-8 PYTHON_VERSION=${ver}" \
        -c "ENV PIP_CERT=$CA_BUNDLE REQUESTS_CA_BUNDLE=$CA_BUNDLE SSL_CERT_FILE=$CA_BUNDLE" \
        -c "LABEL hfdeploy.standin=$REV" \
        -c 'CMD ["python3"]' \
        -m "hfdeploy benchmark stand-in (debootstrap bookworm + pyenv $ver), not the official image" \
        - "$tag" >/dev/null
    remove_tree "$r"
}

# make TAG: build its base and point TAG at it
make_tag() {
    local tag=$1 repo ref xy variant
    repo=${tag%%:*}
    ref=${tag#*:}
    [ "$ref" != "$tag" ] || ref=latest
    case $repo in
        python | docker.io/python | docker.io/library/python | library/python) ;;
        postgres | docker.io/postgres | docker.io/library/postgres | library/postgres)
            make_postgres "$tag"
            return
            ;;
        mysql | docker.io/mysql | docker.io/library/mysql | library/mysql)
            make_mysql "$tag"
            return
            ;;
        *) return 1 ;;
    esac
    # X.Y[.Z][-variant]
    [[ $ref =~ ^(3\.[0-9]+)(\.[0-9]+)?(-(slim|bookworm|slim-bookworm|bullseye|slim-bullseye|buster|slim-buster))?$ ]] || return 1
    xy=${BASH_REMATCH[1]}
    if [ "$ref" = 3.11 ] || [ "$ref" = 3.11-slim ] || [ "$ref" = 3.12 ] || [ "$ref" = 3.12-slim ]; then
        # setup-engine.sh's own tags: never re-pointed here
        have "python:$ref" && { [ "$repo" = python ] || docker tag "python:$ref" "$tag"; return 0; }
        log "python:$ref is tests/docker/setup-engine.sh's: run it first"
        return 1
    fi
    local image
    case $ref in
        *-slim*)
            build_slim "$xy" || return 1
            image=$(base_of "$xy")
            ;;
        *)
            build_full "$xy" || return 1
            image=$(full_of "$xy")
            ;;
    esac
    docker tag "$image" "python:$ref"
    if [ "$repo" != python ]; then docker tag "$image" "$tag"; fi
    return 0
}

tags=("$@")
[ ${#tags[@]} -gt 0 ] || tags=("${DEFAULT_TAGS[@]}")
status=0
for tag in "${tags[@]}"; do
    if make_tag "$tag"; then
        log "ok $tag"
    else
        log "cannot build $tag offline"
        status=3
    fi
done
exit $status
