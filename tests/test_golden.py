"""Every golden case under tests/cases/ (see tests/golden.py for the contract)."""

from __future__ import annotations

import os

import pytest

from tests.golden import Case, all_cases, run_case


@pytest.mark.parametrize("case", all_cases(), ids=lambda c: c.id)
def test_golden_case(case: Case, tmp_path) -> None:
    run_case(case, tmp_path, update=os.environ.get("HFDEPLOY_UPDATE_GOLDENS") == "1")
