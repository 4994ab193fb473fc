#!/bin/sh
# Prepare the data directory, then run whatever the CMD says.
set -e
mkdir -p "$HOME/data"
exec "$@"
