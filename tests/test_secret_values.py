"""secret_names.secret_value_kind: what makes a literal a real-looking secret (EV010-EV012,
DF030) rather than a placeholder."""

from __future__ import annotations

import pytest

from hfdeploy.secret_names import secret_value_kind


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("hf_Kq2wErTy8uIoP1aSdFg2hJkL3zXcVb4nMm", "token"),
        ("sk-proj-Q7wErTy8uIoP1aSdFg2hJkL3zXcVb4nM", "token"),
        ("ghp_R4nd0mL00k1ngT0k3nV4lu3xYz12345678", "token"),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7Qx", "token"),
        ("4e1f0c9b7a2d8e6f3c5b1a09d8e7f6c5b4a3928170f6e5d4c3b2a1908f7e6d5c", "random"),
        ("Zq9xW7pLm3Rt8vKsQ2nB", "random"),
        # token shapes holding a placeholder
        ("hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "literal"),
        ("sk-or-v1-your-api-key-here", "literal"),
        ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...", "literal"),
        # placeholders and readable passphrases
        ("changeme", "literal"),
        ("your-secret-key-here", "literal"),
        ("mysupersecretkey2024", "literal"),
        ("conversation-user-456-conv-123", "literal"),
        ("short1A", "literal"),
        # no value
        ("", None),
        ("None", None),
        ("3600", None),
        ("${SECRET_KEY}", None),
        ("<your key>", None),
    ],
)
def test_secret_value_kind(value: str, kind: str | None) -> None:
    assert secret_value_kind(value) == kind
