#!/usr/bin/env bash
# Stop the dockerd started by tests/docker/setup-engine.sh (found through its pidfile), and only
# that one: an engine that was already running when setup-engine.sh ran (a developer's, another
# job's) has no ownership marker and is left running.
# Idempotent: exits 0 when no such engine is running. Images and the debootstrap cache stay on disk
# (/tmp/dockerd-data, /tmp/hfdeploy-docker-cache), so the next set-up is fast.
set -euo pipefail

PIDFILE=${HFDEPLOY_DOCKERD_PIDFILE:-/tmp/dockerd.pid}
OWNER_MARKER=$PIDFILE.started-by-setup-engine
STOP_WAIT_SECONDS=${STOP_WAIT_SECONDS:-30}

log() { printf '[stop-engine] %s\n' "$*" >&2; }

if [ ! -s "$PIDFILE" ]; then
    log "no pidfile $PIDFILE; engine not running"
    exit 0
fi

pid=$(cat "$PIDFILE")
case $pid in '' | *[!0-9]*) log "pidfile holds no pid; removing it"; rm -f "$PIDFILE"; exit 0 ;; esac

if ! kill -0 "$pid" 2>/dev/null || [ "$(cat "/proc/$pid/comm" 2>/dev/null)" != dockerd ]; then
    log "pid $pid is not a running dockerd; removing stale pidfile"
    rm -f "$PIDFILE" "$OWNER_MARKER"
    exit 0
fi

owner=$(cat "$OWNER_MARKER" 2>/dev/null || true)
if [ "$owner" != "$pid" ]; then
    log "dockerd (pid $pid) was not started by setup-engine.sh; leaving it running"
    exit 0
fi

log "stopping dockerd (pid $pid)"
kill -TERM "$pid"
# dockerd stops its containers (up to 15 s each by default) and its containerd, then exits.
deadline=$((SECONDS + STOP_WAIT_SECONDS))
while kill -0 "$pid" 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then
        log "dockerd still running after ${STOP_WAIT_SECONDS}s; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        break
    fi
    sleep 0.5
done
rm -f "$PIDFILE" "$OWNER_MARKER"
log "stopped"
