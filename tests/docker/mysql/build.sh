#!/usr/bin/env bash
# Build the offline stand-in for the official `mysql:8` image (test and benchmark set-up only; a
# real user's engine pulls the real image). tests/docker/setup-engine.sh and benchmarks/standins.sh
# run it:
#
#   BASE_TAR=<rootfs tar> CACHE_DIR=<dir> bash tests/docker/mysql/build.sh
#
# The image: the stand-ins' debootstrap bookworm rootfs (BASE_TAR) + Debian bookworm's MariaDB
# server and client packages (apt, from the rootfs's own Debian sources, over host networking) +
# docker-entrypoint.sh next to this file (the official image's MYSQL_* contract, a temporary
# server without networking during initialisation, arguments passed to the server).
#
# MariaDB, not MySQL: Debian ships no MySQL server. What hfdeploy relies on is the same (the wire
# protocol and its handshake, the MYSQL_* variables, `--port N` on the command line, the clients
# PyMySQL/aiomysql/mysqlclient speak to). One known difference: MySQL 8 authenticates with
# caching_sha2_password, MariaDB with mysql_native_password (see docker-entrypoint.sh).
#
# Idempotent: an image labelled with this recipe's revision and the entrypoint's hash is reused.
# Needs DOCKER_HOST's engine and the Debian mirror the rootfs's sources name.
set -euo pipefail

# Bump MYSQL_STANDIN_REV when this recipe changes (the entrypoint's hash is in the label anyway).
MYSQL_STANDIN_REV=1
MYSQL_TAG=${HFDEPLOY_MYSQL_TAG:-mysql:8} # another tag: to try a change of the recipe
SUITE=bookworm
IMAGE_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CACHE_DIR=${CACHE_DIR:-${HFDEPLOY_DOCKER_CACHE:-/tmp/hfdeploy-docker-cache}}
BASE_TAR=${BASE_TAR:-$CACHE_DIR/$SUITE-py311-rootfs-r1.tar}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ENTRYPOINT_SRC=$HERE/docker-entrypoint.sh
# the entrypoint's hash is part of the label: editing it rebuilds the image
MYSQL_LABEL=mysql-$MYSQL_STANDIN_REV-$(sha256sum "$ENTRYPOINT_SRC" | cut -c1-12)
export DOCKER_HOST=${DOCKER_HOST:-unix:///tmp/docker.sock}

log() { printf '[mysql-standin] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# one build at a time (setup-engine.sh and standins.sh may both run it)
exec 8>/tmp/hfdeploy-mysql-standin.lock
flock 8

if [ "$(docker image inspect -f '{{index .Config.Labels "hfdeploy.standin"}}' "$MYSQL_TAG" 2>/dev/null)" = "$MYSQL_LABEL" ]; then
    log "image $MYSQL_TAG present"
    exit 0
fi
[ -s "$BASE_TAR" ] || die "no rootfs tarball $BASE_TAR (tests/docker/setup-engine.sh makes it)"

mkdir -p "$CACHE_DIR"
base=hfdeploy-standin/mysql-rootfs:${MYSQL_TAG//[:\/]/-}
context=$(mktemp -d /tmp/hfdeploy-mysql-standin.XXXXXX)
logfile=$CACHE_DIR/mysql-build.log
cleanup() { rm -rf "$context"; docker rmi "$base" >/dev/null 2>&1 || true; }
trap cleanup EXIT

log "importing the $SUITE rootfs as $base"
docker import -c "ENV PATH=$IMAGE_PATH LANG=C.UTF-8" - "$base" <"$BASE_TAR" >/dev/null
install -m 0755 "$ENTRYPOINT_SRC" "$context/docker-entrypoint.sh"
# The official image's layout: data in /var/lib/mysql, user mysql (uid/gid 999), the socket in
# /var/run/mysqld, a server that listens on every address and resolves no client host names.
# policy-rc.d keeps the package scripts from starting a server during the build.
cat >"$context/Dockerfile" <<DOCKERFILE
FROM $base
RUN groupadd -r --gid 999 mysql \\
 && useradd -r -g mysql --uid 999 --home-dir /var/lib/mysql --shell /usr/sbin/nologin mysql \\
 && printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 0755 /usr/sbin/policy-rc.d \\
 && apt-get update -q \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \\
    mariadb-server mariadb-client \\
 && rm -f /usr/sbin/policy-rc.d \\
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb /var/cache/apt/*.bin \\
    /var/lib/mysql /var/log/mysql/* \\
 && mkdir -p /var/lib/mysql /run/mysqld /docker-entrypoint-initdb.d \\
 && chown mysql:mysql /var/lib/mysql /run/mysqld && chmod 0777 /run/mysqld \\
 && printf '[mysqld]\nbind-address = 0.0.0.0\nskip-name-resolve\nskip-host-cache\n' \\
    >/etc/mysql/mariadb.conf.d/99-docker.cnf \\
 && mysqld --version && mariadb --version
COPY docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
LABEL hfdeploy.standin=$MYSQL_LABEL
EXPOSE 3306
STOPSIGNAL SIGTERM
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["mysqld"]
DOCKERFILE

log "building $MYSQL_TAG from Debian $SUITE's mariadb-server (apt; log: $logfile)"
docker build --network host -t "$MYSQL_TAG" "$context" >"$logfile" 2>&1 \
    || { tail -n 30 "$logfile" >&2; die "could not build $MYSQL_TAG (log: $logfile)"; }
log "built $MYSQL_TAG ($(docker run --rm --network host --entrypoint mysqld "$MYSQL_TAG" --version 2>/dev/null || echo '?'))"
