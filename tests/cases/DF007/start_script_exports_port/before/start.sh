#!/bin/bash
set -euo pipefail

# Spaces do not set PORT; default it to app_port.
export PORT=${PORT:-7860}
echo "listening on ${PORT}"

exec uvicorn main:app --host 0.0.0.0 --port $PORT
