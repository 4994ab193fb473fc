"""DF003's severity follows the evidence that the app writes files."""

from __future__ import annotations

from pathlib import Path

from hfdeploy.diagnostics import Severity
from tests.dockerfile.helpers import findings

ROOT = """\
FROM python:3.11-slim
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir -r requirements.txt
{env}CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "7860"]
"""
MODEL = "from fastapi import FastAPI\nfrom transformers import pipeline\n\nnlp = pipeline('ner')\napp = FastAPI()\n"


def severity(tmp_path: Path, files: dict[str, str | None], env: str = "") -> Severity:
    [found] = findings(tmp_path, "DF003", ROOT.format(env=env), files)
    return found.severity


def test_app_that_never_writes_gets_a_warning(tmp_path: Path) -> None:
    assert severity(tmp_path, {}) is Severity.WARNING


def test_sqlite_url_in_settings_is_an_error(tmp_path: Path) -> None:
    settings = "DATABASE_URL = 'sqlite:///./data/app.db'\n"
    assert severity(tmp_path, {"settings.py": settings}) is Severity.ERROR


def test_model_download_into_home_cache_is_an_error(tmp_path: Path) -> None:
    assert severity(tmp_path, {"main.py": MODEL}) is Severity.ERROR


def test_model_cache_moved_to_tmp_is_only_a_warning(tmp_path: Path) -> None:
    env = "ENV HF_HOME=/tmp/hf\n"
    assert severity(tmp_path, {"main.py": MODEL}, env) is Severity.WARNING


def test_evidence_is_named(tmp_path: Path) -> None:
    code = "from fastapi import FastAPI\nimport logging\n\nlogging.getLogger().addHandler(logging.FileHandler('api.log'))\napp = FastAPI()\n"
    [found] = findings(tmp_path, "DF003", ROOT.format(env=""), {"main.py": code})
    assert "logging.FileHandler() at main.py:4" in found.message
