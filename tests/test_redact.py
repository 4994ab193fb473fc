"""Secrets in printed text: URL passwords, secret assignments (also in Dockerfiles), tokens."""

from __future__ import annotations

import pytest

from hfdeploy.redact import redact


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("ENV SECRET_KEY=9f8e7d6c5b4a3928 MODE=prod", "ENV SECRET_KEY=9f***"),
        ("ARG HF_TOKEN=hf_abcdefghijklmnopqrstuvwxyz123456", "ARG HF_TOKEN=hf***"),
        # the legacy `ENV NAME value` form, as a regeneration note or a diff line quotes it
        ("ENV API_KEY Xk29fjslQpzm7Tq", "ENV API_KEY Xk***"),
        ("ENV PATH /home/user/.local/bin", "ENV PATH /home/user/.local/bin"),
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
        (
            'f"postgresql://u:hunter2secret@{host}:5432/db"',
            'f"postgresql://u:hu***@{host}:5432/db"',
        ),
        ("DB=postgresql://u:hunter2secret@${DB_HOST}/db", "DB=postgresql://u:hu***@${DB_HOST}/db"),
        # ... while a templated password is only a name and stays readable.
        (
            'f"postgresql://{user}:{password}@{host}/{db}"',
            'f"postgresql://{user}:{password}@{host}/{db}"',
        ),
        ("postgresql://u:${DB_PASSWORD}@db:5432/x", "postgresql://u:${DB_PASSWORD}@db:5432/x"),
    ],
)
def test_redact_url_with_templated_parts(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A password with a space (which DB002 reports) is masked whole, as in a fix's diff of
        # `.env` or of a default in code ...
        (
            '-OTHER_URL="postgresql://app:p@ss word@db.example.com/app"',
            '-OTHER_URL="postgresql://app:p@***@db.example.com/app"',
        ),
        (
            "DATABASE_URL=postgresql://app:my secret pw@db:5432/app  # ops@corp.com",
            "DATABASE_URL=postgresql://app:my***@db:5432/app  # ops@corp.com",
        ),
        # A URL quoted in a message ends at the backtick, as RQ001 quotes a bad requirement line.
        (
            "`bad req ==== 1 https://x:S3cretPw@h.example.com` is not a valid requirement",
            "`bad req ==== 1 https://x:S3***@h.example.com` is not a valid requirement",
        ),
        ("(see redis://:s3cr3tpass@redis), then", "(see redis://:s3***@redis), then"),
        # ... while prose with a port and an e-mail address is not taken for credentials.
        (
            "Open http://localhost:7860 and log in as admin@example.com",
            "Open http://localhost:7860 and log in as admin@example.com",
        ),
    ],
)
def test_redact_url_passwords_with_spaces_and_quoted(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("    SECRET_KEY: str", "    SECRET_KEY: str"),
        ("    ACCESS_TOKEN_EXPIRE_MINUTES: int = 30", "    ACCESS_TOKEN_EXPIRE_MINUTES: int = 30"),
        ("    API_TOKEN: Optional[str] = None", "    API_TOKEN: Optional[str] = None"),
        ('    SECRET_KEY: str = "abcdef123456"', '    SECRET_KEY: str = "ab***"'),
        (
            '    DB_PASSWORD: SecretStr = SecretStr("hunter22")',
            '    DB_PASSWORD: SecretStr = SecretStr("hu***")',
        ),
        ("SECRET_KEY: abcdef123", "SECRET_KEY: ab***"),  # YAML-style: the value is masked
    ],
)
def test_settings_annotations_stay_readable_but_defaults_are_masked(
    line: str, expected: str
) -> None:
    assert redact(line) == expected


def test_default_of_a_secret_read_is_masked_on_any_line() -> None:
    # the diff of an EV010/EV011 fix shows the removed line: its default must not be printed
    line = 'ADMIN = os.environ.get("ADMIN_PASSWORD", "admin123-Zq9xW7")'
    assert "admin123-Zq9xW7" not in redact(line)
    assert "Zq9xW7" not in redact('key = config("SECRET_KEY", default="abZq9xW7pLm")')


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            'SECRET_KEY = os.getenv("JWT_SECRET", "your-very-secret-key")',
            'SECRET_KEY = os.getenv("JWT_SECRET", "yo***")',
        ),
        ('SECRET_KEY = os.environ["JWT_SECRET"]', 'SECRET_KEY = os.environ["JWT_SECRET"]'),
        (
            'DB_PASSWORD = config("DB_PASSWORD", default="hunter2hunter")',
            'DB_PASSWORD = config("DB_PASSWORD", default="hu***")',
        ),
        ("SECRET_KEY=abc(def)", "SECRET_KEY=ab***"),  # a .env value, not code
    ],
)
def test_a_secret_read_stays_readable_code_with_its_default_masked(
    line: str, expected: str
) -> None:
    # the diff of an EV010/EV011 fix must show what changed: `os.environ["X"]` for the read
    assert redact(line) == expected
