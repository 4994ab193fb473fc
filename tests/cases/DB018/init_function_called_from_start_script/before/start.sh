#!/bin/sh
set -e
python -c "import asyncio; from app.init_db import init_models; asyncio.run(init_models())"
exec uvicorn app.main:app --host 0.0.0.0 --port 7860
