#!/bin/bash
set -e
export WORKERS=2
exec pipenv run uvicorn main:app --host 0.0.0.0 --port $PORT --workers $WORKERS
