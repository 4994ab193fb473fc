"""Every check is registered once, documented with the fixed headings, and has golden cases."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest

import hfdeploy
from hfdeploy.check import Check
from hfdeploy.diagnostics import FixAvailability
from hfdeploy.registry import TOOL_CODES, all_checks, is_selected
from tests.golden import CASES

CHECKS = all_checks()


def test_codes_and_names_are_unique_and_well_formed() -> None:
    codes = [c.code for c in CHECKS]
    names = [c.name for c in CHECKS]
    assert len(set(codes)) == len(codes) and len(set(names)) == len(names)
    assert not set(codes) & set(TOOL_CODES)
    for check in CHECKS:
        assert re.fullmatch(r"(PY|RQ|SC|DF|DB|EV|RT)\d{3}", check.code), check.code
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", check.name), check.name


def test_every_check_module_is_registered() -> None:
    registered = {c.__module__ for c in CHECKS}
    for domain in (
        "pysource",
        "requirements",
        "space_config",
        "dockerfile",
        "database",
        "environment",
    ):
        package = importlib.import_module(f"hfdeploy.{domain}.checks")
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            defined = [
                obj
                for obj in vars(module).values()
                if isinstance(obj, type)
                and issubclass(obj, Check)
                and obj.__module__ == module.__name__
                and hasattr(obj, "code")
            ]
            for cls in defined:
                assert cls.__module__ in registered, f"{cls.__name__} is not in its domain's CHECKS"


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.code)
def test_documentation_has_the_fixed_headings(check: type[Check]) -> None:
    doc = check.documentation()
    headings = re.findall(r"^## (.+)$", doc, re.MULTILINE)
    expected = ["What it does", "Why is this bad?", "Example"]
    if check.fix_availability is not FixAvailability.NEVER:
        expected.append("Fix safety")
    assert headings[: len(expected)] == expected, f"{check.code} headings: {headings}"
    assert check.summary(), f"{check.code} has no summary"


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.code)
def test_every_check_has_a_golden_case_or_unit_tests(check: type[Check]) -> None:
    has_golden = any((CASES / check.code).glob("*/before"))
    tests_dir = CASES.parent
    mentioned = any(check.code in p.read_text("utf-8") for p in tests_dir.rglob("test_*.py"))
    assert has_golden or mentioned, f"{check.code} has no golden case and no test naming it"


@pytest.mark.parametrize(
    ("code", "select", "ignore", "expected"),
    [
        ("PY001", (), (), True),
        ("PY001", ("PY",), ("PY001",), False),
        ("PY001", ("PY001",), ("PY",), True),
        ("DF001", ("PY",), (), False),
        ("PY001", (), ("",), False),
        ("PY001", ("PY001",), ("PY001",), False),
    ],
)
def test_selection_most_specific_prefix_wins(code, select, ignore, expected) -> None:
    assert is_selected(code, select, ignore) is expected


def test_package_version_is_a_string() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+", hfdeploy.__version__)


def test_readme_rule_table_lists_every_code() -> None:
    readme = (CASES.parents[1] / "README.md").read_text(encoding="utf-8")
    missing = [c.code for c in CHECKS if f"`{c.code}`" not in readme]
    assert not missing, (
        f"README.md rule table lacks {missing}: regenerate it with `hfdeploy rules --markdown`"
    )
