"""Secrets in printed text: URL passwords, secret assignments (also in Dockerfiles), tokens."""

from __future__ import annotations

import pytest

from hfdeploy.redact import redact


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("ENV SECRET_KEY=9f8e7d6c5b4a3928 MODE=prod", "ENV SECRET_KEY=9f***"),
        ("ARG HF_TOKEN=hf_abcdefghijklmnopqrstuvwxyz123456", "ARG HF_TOKEN=hf***"),
        (
            'RUN huggingface-cli login --token hf_abcdefghijklmnopqrstuvwxyz123456 && echo "$X"',
            'RUN huggingface-cli login --token hf*** && echo "$X"',
        ),
        ("OPENAI=sk-proj-abcdefghijklmnopqrstuvwx", "OPENAI=sk***"),
        ("ENVIRONMENT=production", "ENVIRONMENT=production"),
        ("import hf_hub_download", "import hf_hub_download"),
    ],
)
def test_redact(line: str, expected: str) -> None:
    assert redact(line) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A templated host (alembic.ini interpolation, f-string, shell variable) still ends the
        # credentials, so a literal password before it is masked ...
        (
            "sqlalchemy.url = postgres://admin:p%40ss%word@%(db_host)s:5432/app",
            "sqlalchemy.url = postgres://admin:p%***@%(db_host)s:5432/app",
        ),
        ('f"postgresql://u:hunter2secret@{host}:5432/db"', 'f"postgresql://u:hu***@{host}:5432/db"'),
        ("DB=postgresql://u:hunter2secret@${DB_HOST}/db", "DB=postgresql://u:hu***@${DB_HOST}/db"),
        # ... while a templated password is only a name and stays readable.
        ('f"postgresql://{user}:{password}@{host}/{db}"', 'f"postgresql://{user}:{password}@{host}/{db}"'),
        ("postgresql://u:${DB_PASSWORD}@db:5432/x", "postgresql://u:${DB_PASSWORD}@db:5432/x"),
    ],
)
def test_redact_url_with_templated_parts(text: str, expected: str) -> None:
    assert redact(text) == expected
