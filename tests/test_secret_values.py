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


def _samples() -> list[str]:
    """Texts built from pieces near every literal the cheap pre-tests look for: each shape's
    prefix with a body long enough or too short, case variants, non-ASCII letters that `(?i)`
    folds to ASCII ones, separators."""
    import random

    pieces = [
        "hf_" + "a" * 30, "hf_" + "a" * 5, "sk-" + "B_" * 10, "ghp_" + "c" * 30, "gho_" + "d" * 30,
        "ghr_" + "e" * 29, "github_pat_" + "f" * 30, "xoxb-" + "1" * 10, "xoxz-" + "1" * 10,
        "AKIA" + "E" * 16, "akia" + "E" * 16, "rk_live_" + "g" * 20, "sk_live_" + "h" * 19,
        "-----BEGIN RSA PRIVATE KEY-----", "-----BEGIN PRIVATE KEY-----", "secret", "SECRET",
        "Token", "passw", "PASSWD", "api_key", "APIKEY", "api key", "private_Key", "privatekey",
        "Signing_Key", "credential", "\u017fecret", "api_\u212aey", "é", " = ", ":", "=", "'",
        '"', "x", "_", "\n", " ",
    ]  # fmt: skip
    rnd = random.Random(10)
    return ["".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 7))) for _ in range(20000)]


def test_search_token_shape_is_the_pattern_search() -> None:
    from hfdeploy.secret_names import TOKEN_SHAPE, search_token_shape

    for text in _samples():
        found, expected = search_token_shape(text), TOKEN_SHAPE.search(text)
        assert (found and found.span()) == (expected and expected.span()), text


def test_ev012_pre_test_is_the_patterns() -> None:
    from hfdeploy.environment.checks.secret_literal_in_code import _ASSIGNED, _may_hold_secret
    from hfdeploy.secret_names import TOKEN_SHAPE

    hits = 0
    for text in _samples():
        expected = TOKEN_SHAPE.search(text) is not None or _ASSIGNED.search(text) is not None
        assert _may_hold_secret(text) is expected, text
        hits += expected
    assert 0 < hits < 20000  # both answers are exercised
