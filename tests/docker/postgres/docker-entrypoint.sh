#!/usr/bin/env bash
# Entrypoint of the offline postgres:16 test stand-in (built by tests/docker/setup-engine.sh).
# It implements the part of the official postgres image's documented contract that hfdeploy's
# tests and `verify` rely on; it is written for this project, not taken from the official image.
#
#   POSTGRES_PASSWORD          superuser password; required unless POSTGRES_HOST_AUTH_METHOD=trust
#   POSTGRES_USER              superuser name (default postgres)
#   POSTGRES_DB                database created on first start (default: POSTGRES_USER)
#   POSTGRES_HOST_AUTH_METHOD  method for host connections (default scram-sha-256)
#   POSTGRES_INITDB_ARGS       extra initdb arguments (split on spaces)
#   PGDATA                     data directory (default /var/lib/postgresql/data)
#   POSTGRES_PASSWORD_FILE, POSTGRES_USER_FILE, POSTGRES_DB_FILE: the value read from this file
#   /docker-entrypoint-initdb.d/*.sh|*.sql   run once, after the database is created
#
# `docker run IMAGE` runs `postgres`; `docker run IMAGE postgres -p 55432` (or `-p 55432`) passes the
# arguments to the server; any other command is run as given. The server listens on all addresses.
#
# One deliberate difference: the official image keeps initdb's default `trust` for host
# connections from 127.0.0.1/::1. Containers here share the host's network, so every client comes
# from 127.0.0.1; the stand-in checks the password there too, as the official image does for a
# client in another container. Unix-socket connections inside the container are trusted.
set -Eeuo pipefail

log() { printf '%s\n' "$*"; }
fail() { printf '%s\n' "$*" >&2; exit 1; }

# `docker run IMAGE -p 55432`: options for the server
if [ $# -eq 0 ] || [ "${1:0:1}" = '-' ]; then
    set -- postgres "$@"
fi

if [ "$1" != postgres ]; then
    exec "$@"
fi

: "${PGDATA:=/var/lib/postgresql/data}"
export PGDATA

# As root: make the data and socket directories the postgres user's, then run again as that user.
if [ "$(id -u)" = 0 ]; then
    mkdir -p "$PGDATA" /var/run/postgresql
    chmod 00700 "$PGDATA" 2>/dev/null || true
    chmod 03775 /var/run/postgresql
    chown -R postgres:postgres "$PGDATA" /var/run/postgresql
    exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
fi

# NAME_FILE=<path>: NAME's value is that file's content (Docker secrets)
file_env() {
    local name=$1 file_var="${1}_FILE"
    if [ -n "${!name:-}" ] && [ -n "${!file_var:-}" ]; then
        fail "error: both $name and $file_var are set (but are exclusive)"
    fi
    if [ -n "${!file_var:-}" ]; then
        printf -v "$name" '%s' "$(<"${!file_var}")"
    fi
}
file_env POSTGRES_PASSWORD
file_env POSTGRES_USER
file_env POSTGRES_DB

POSTGRES_USER=${POSTGRES_USER:-postgres}
POSTGRES_DB=${POSTGRES_DB:-$POSTGRES_USER}
POSTGRES_HOST_AUTH_METHOD=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}

# the server's own port (the last -p / --port=, or PGPORT, or 5432): the temporary server
# started during initialisation listens on no TCP address, only on its Unix socket for this port
server_port() {
    local port=${PGPORT:-5432}
    while [ $# -gt 0 ]; do
        case $1 in
            -p) port=${2:-$port}; shift ;;
            -p*) port=${1#-p} ;;
            --port=*) port=${1#--port=} ;;
        esac
        shift
    done
    printf '%s' "$port"
}

initialise() {
    if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != trust ]; then
        fail "Error: Database is uninitialized and superuser password is not specified.
       You must specify POSTGRES_PASSWORD to a non-empty value for the
       superuser. For example, \"-e POSTGRES_PASSWORD=password\" on \"docker run\".

       You may also use \"POSTGRES_HOST_AUTH_METHOD=trust\" to allow all
       connections without a password. This is *not* recommended."
    fi
    mkdir -p "$PGDATA"
    chmod 00700 "$PGDATA"

    local pwfile
    pwfile=$(mktemp)
    printf '%s\n' "${POSTGRES_PASSWORD:-}" >"$pwfile"
    # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of arguments
    initdb --username="$POSTGRES_USER" --pwfile="$pwfile" \
        --auth-local=trust --auth-host="$POSTGRES_HOST_AUTH_METHOD" \
        ${POSTGRES_INITDB_ARGS:-}
    rm -f "$pwfile"

    {
        printf '\n# hfdeploy stand-in: as the official image\n'
        printf "listen_addresses = '*'\n"
        printf "unix_socket_directories = '/var/run/postgresql, /tmp'\n"
    } >>"$PGDATA/postgresql.conf"
    {
        printf '\n'
        [ "$POSTGRES_HOST_AUTH_METHOD" = trust ] && printf '# warning trust is enabled for all connections\n'
        printf 'host all all all %s\n' "$POSTGRES_HOST_AUTH_METHOD"
    } >>"$PGDATA/pg_hba.conf"

    local port
    port=$(server_port "$@")
    log "starting a temporary server (Unix socket only) to create the database"
    PGPORT=$port pg_ctl -D "$PGDATA" -w -t 60 \
        -o "-c listen_addresses='' -p $port" start
    local psql=(psql -v ON_ERROR_STOP=1 --no-psqlrc --host=/var/run/postgresql --port="$port"
        --username="$POSTGRES_USER" --no-password)
    if [ "$POSTGRES_DB" != postgres ]; then
        local exists
        exists=$("${psql[@]}" --dbname=postgres -tA --set db="$POSTGRES_DB" \
            <<<"SELECT 1 FROM pg_database WHERE datname = :'db'")
        if [ -z "$exists" ]; then
            "${psql[@]}" --dbname=postgres --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
        fi
    fi
    local f
    for f in /docker-entrypoint-initdb.d/*; do
        [ -e "$f" ] || continue
        case $f in
            *.sh) log "running $f"; PGHOST=/var/run/postgresql PGPORT=$port PGUSER=$POSTGRES_USER \
                    PGDATABASE=$POSTGRES_DB bash "$f" ;;
            *.sql) log "running $f"; "${psql[@]}" --dbname="$POSTGRES_DB" -f "$f" ;;
            *) log "ignoring $f" ;;
        esac
    done
    PGPORT=$port pg_ctl -D "$PGDATA" -m fast -w stop
    log
    log 'PostgreSQL init process complete; ready for start up.'
    log
}

# A stop request during initialisation (bash, PID 1, would otherwise ignore it) ends the
# container once the current step is done, instead of waiting for Docker's SIGKILL.
stop_during_init() {
    pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null 2>&1 || true
    log 'stopped during initialisation'
    exit 143
}

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    trap stop_during_init TERM INT
    initialise "${@:2}"
    trap - TERM INT
else
    log
    log 'PostgreSQL Database directory appears to contain a database; Skipping initialization'
    log
fi

# postgres is PID 1: SIGTERM (smart), SIGINT (fast, the image's STOPSIGNAL) and SIGQUIT shut it down
exec "$@"
