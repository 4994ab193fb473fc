#!/usr/bin/env bash
# Entrypoint of the offline mysql:8 test stand-in (built by tests/docker/mysql/build.sh from
# Debian's MariaDB). It implements the part of the official mysql image's documented contract that
# hfdeploy's tests and `verify` rely on; it is written for this project, not taken from the
# official image.
#
#   MYSQL_ROOT_PASSWORD         root's password (root@localhost and root@%); required unless
#                               MYSQL_ALLOW_EMPTY_PASSWORD=yes or MYSQL_RANDOM_ROOT_PASSWORD=yes
#   MYSQL_DATABASE              database created on first start
#   MYSQL_USER, MYSQL_PASSWORD  user created on first start (host %), with every privilege on
#                               MYSQL_DATABASE
#   MYSQL_*_FILE                the value read from this file (Docker secrets)
#   /docker-entrypoint-initdb.d/*.sh|*.sql   run once, after the database and user are created
#
# `docker run IMAGE` runs `mysqld`; `docker run IMAGE mysqld --port 33306` (or `--port 33306`)
# passes the arguments to the server. Any other command is run as given. As in the official
# image, initialisation runs a temporary server with networking off (`--skip-networking`, Unix
# socket only) and the arguments given, stops it, then starts the real one: a client that reaches
# the server over TCP reaches the initialised one.
#
# One known difference: MariaDB authenticates users with mysql_native_password, where MySQL 8
# uses caching_sha2_password (PyMySQL and aiomysql need `cryptography` for it without TLS).
set -Eeuo pipefail

log() { printf '%s [Entrypoint]: %s\n' "$(date -u +%FT%TZ)" "$*"; }
fail() { log "ERROR: $*" >&2; exit 1; }

# `docker run IMAGE --port 33306`: options for the server
if [ $# -eq 0 ] || [ "${1:0:1}" = '-' ]; then
    set -- mysqld "$@"
fi
case $1 in
    mysqld | mariadbd) ;;
    *) exec "$@" ;;
esac

SOCKET=/run/mysqld/mysqld.sock
DATADIR=/var/lib/mysql
for arg in "$@"; do
    case $arg in
        --datadir=*) DATADIR=${arg#--datadir=} ;;
        --socket=*) SOCKET=${arg#--socket=} ;;
    esac
done

# As root: make the data and socket directories the mysql user's, then run again as that user.
if [ "$(id -u)" = 0 ]; then
    mkdir -p "$DATADIR" "$(dirname "$SOCKET")"
    chown -R mysql:mysql "$DATADIR" "$(dirname "$SOCKET")"
    exec setpriv --reuid=mysql --regid=mysql --init-groups "${BASH_SOURCE[0]}" "$@"
fi

# NAME_FILE=<path>: NAME's value is that file's content
file_env() {
    local name=$1 file_var="${1}_FILE"
    if [ -n "${!name:-}" ] && [ -n "${!file_var:-}" ]; then
        fail "both $name and $file_var are set (but are exclusive)"
    fi
    if [ -n "${!file_var:-}" ]; then
        printf -v "$name" '%s' "$(<"${!file_var}")"
    fi
}
for v in MYSQL_ROOT_PASSWORD MYSQL_DATABASE MYSQL_USER MYSQL_PASSWORD; do file_env "$v"; done

# 'text' for SQL: backslashes and single quotes escaped
sql_string() {
    local s=${1//\\/\\\\}
    printf "'%s'" "${s//\'/\\\'}"
}
sql_name() { printf '`%s`' "${1//\`/\`\`}"; }

TEMP_PID=
stop_temp_server() {
    [ -n "$TEMP_PID" ] || return 0
    kill -TERM "$TEMP_PID" 2>/dev/null || true
    wait "$TEMP_PID" 2>/dev/null || true
    TEMP_PID=
}

# A stop request during initialisation (bash, PID 1, would otherwise ignore it) ends the container
# once the temporary server is down, instead of waiting for Docker's SIGKILL.
stop_during_init() {
    stop_temp_server
    log 'stopped during initialisation'
    exit 143
}

initialise() {
    if [ -z "${MYSQL_ROOT_PASSWORD:-}" ] && [ "${MYSQL_ALLOW_EMPTY_PASSWORD:-}" != yes ] \
        && [ "${MYSQL_RANDOM_ROOT_PASSWORD:-}" != yes ]; then
        fail "Database is uninitialized and password option is not specified
    You need to specify one of the following as an environment variable:
    - MYSQL_ROOT_PASSWORD
    - MYSQL_ALLOW_EMPTY_PASSWORD
    - MYSQL_RANDOM_ROOT_PASSWORD"
    fi
    if [ "${MYSQL_USER:-}" = root ]; then
        fail "MYSQL_USER=\"root\", MYSQL_USER and MYSQL_PASSWORD are for configuring a regular user and cannot be used for the root user"
    fi
    if [ "${MYSQL_RANDOM_ROOT_PASSWORD:-}" = yes ]; then
        MYSQL_ROOT_PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
        log "GENERATED ROOT PASSWORD: $MYSQL_ROOT_PASSWORD"
    fi

    log "Initializing database files"
    mariadb-install-db --datadir="$DATADIR" --auth-root-authentication-method=normal \
        --skip-test-db --skip-name-resolve >/dev/null
    log "Database files initialized"

    log "Starting temporary server"
    "$@" --skip-networking --socket="$SOCKET" &
    TEMP_PID=$!
    local client=(mariadb --protocol=socket --socket="$SOCKET" -uroot --batch --skip-column-names)
    local i
    for i in $(seq 1 120); do
        if mariadb-admin --protocol=socket --socket="$SOCKET" -uroot ping >/dev/null 2>&1; then
            break
        fi
        kill -0 "$TEMP_PID" 2>/dev/null || fail "the temporary server exited"
        [ "$i" -lt 120 ] || fail "the temporary server did not start within 60s"
        sleep 0.5
    done
    log "Temporary server started."

    local sql root
    root=$(sql_string "${MYSQL_ROOT_PASSWORD:-}")
    # mariadb-install-db leaves anonymous accounts and password-less root accounts for this
    # host's names (127.0.0.1 among them, which would shadow root@%): the official image has none
    sql=$("${client[@]}" -e "SELECT CONCAT('DROP USER IF EXISTS ''', User, '''@''', Host, ''';') FROM mysql.user WHERE User = '' OR (User = 'root' AND Host <> 'localhost')")
    sql+="
ALTER USER 'root'@'localhost' IDENTIFIED BY $root;
CREATE USER 'root'@'%' IDENTIFIED BY $root;
GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
    if [ -n "${MYSQL_DATABASE:-}" ]; then
        log "Creating database ${MYSQL_DATABASE}"
        sql+="
CREATE DATABASE IF NOT EXISTS $(sql_name "$MYSQL_DATABASE");"
    fi
    if [ -n "${MYSQL_USER:-}" ] && [ -n "${MYSQL_PASSWORD:-}" ]; then
        log "Creating user ${MYSQL_USER}"
        sql+="
CREATE USER $(sql_string "$MYSQL_USER")@'%' IDENTIFIED BY $(sql_string "$MYSQL_PASSWORD");"
        if [ -n "${MYSQL_DATABASE:-}" ]; then
            log "Giving user ${MYSQL_USER} access to schema ${MYSQL_DATABASE}"
            sql+="
GRANT ALL ON $(sql_name "$MYSQL_DATABASE").* TO $(sql_string "$MYSQL_USER")@'%';"
        fi
    fi
    sql+="
FLUSH PRIVILEGES;"
    "${client[@]}" <<<"$sql"

    # root has its password from here on: the clients read it from a file, never the command line
    local cnf
    cnf=$(mktemp)
    printf '[client]\npassword=%s\n' "${MYSQL_ROOT_PASSWORD:-}" >"$cnf"
    client=(mariadb --defaults-extra-file="$cnf" --protocol=socket --socket="$SOCKET" -uroot)
    local f
    for f in /docker-entrypoint-initdb.d/*; do
        [ -e "$f" ] || continue
        case $f in
            *.sh) log "running $f"; bash "$f" ;;
            *.sql) log "running $f"; "${client[@]}" ${MYSQL_DATABASE:+"$MYSQL_DATABASE"} <"$f" ;;
            *) log "ignoring $f" ;;
        esac
    done

    log "Stopping temporary server"
    mariadb-admin --defaults-extra-file="$cnf" --protocol=socket --socket="$SOCKET" -uroot shutdown
    wait "$TEMP_PID" 2>/dev/null || true
    TEMP_PID=
    rm -f "$cnf"
    log "Temporary server stopped"
    log
    log "MySQL init process done. Ready for start up."
    log
}

if [ ! -d "$DATADIR/mysql" ]; then
    trap stop_during_init TERM INT
    initialise "$@"
    trap - TERM INT
fi

# the server is PID 1: SIGTERM shuts it down
exec "$@"
