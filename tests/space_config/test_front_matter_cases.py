"""Every README.md that a golden SC case fixes keeps every byte the fixes did not target:
the markdown after the block, line endings, comments, and every key line not reported."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest

from hfdeploy.diagnostics import Span
from hfdeploy.space_config.checks.unknown_front_matter_key import intended_key
from hfdeploy.space_config.frontmatter import split_front_matter
from hfdeploy.space_config.schema import DOCKER_IRRELEVANT

CASES = Path(__file__).parent.parent / "cases"
FIXED = sorted(
    d
    for d in CASES.glob("SC*/*")
    if (d / "before/README.md").is_file() and (d / "after/README.md").is_file()
)
ADDED_KEYS = {"title", "sdk"}  # lines a fix may insert into a block with keys
# What fills an empty block (SC001).
NEW_BLOCK_KEYS = {"title", "emoji", "colorFrom", "colorTo", "sdk", "app_port", "pinned"}


def key_of(line: str) -> str:
    return line.split(":", 1)[0].strip()


def comment_of(line: str) -> str:
    match = re.search(r"\s#.*$", line.rstrip("\r\n"))
    return match.group() if match else ""


def reported_lines(case: Path) -> set[int]:
    text = (case / "expected.txt").read_text("utf-8")
    return {int(m) for m in re.findall(r"^README\.md:(\d+):", text, re.MULTILINE)}


@pytest.mark.parametrize("case", FIXED, ids=lambda d: f"{d.parent.name}/{d.name}")
def test_fixed_readme_keeps_everything_it_did_not_target(case: Path) -> None:
    before = (case / "before/README.md").read_bytes().decode("utf-8")
    after = (case / "after/README.md").read_bytes().decode("utf-8")
    old, new = split_front_matter(before), split_front_matter(after)
    assert isinstance(new, tuple), "the fixed README has a closed front matter block"
    if not isinstance(old, tuple):  # a block was added in front of the text
        assert after.endswith(before) and after.startswith("---")
        return
    assert after[new[0].end :] == before[old[0].end :], "text after the block changed"
    old_lines = before[: old[0].end].splitlines(keepends=True)
    new_lines = after[: new[0].end].splitlines(keepends=True)
    if "\r\n" in before:
        assert all(line.endswith("\r\n") for line in new_lines)
    reported = reported_lines(case)
    empty = not any(":" in line for line in old_lines[1:-1])
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            continue
        removed, added = old_lines[a1:a2], new_lines[b1:b2]
        # A changed entry starts on a line a finding reported.
        entries = [i for i in range(a1, a2) if not removed[i - a1][:1].isspace()]
        assert all(i + 1 in reported for i in entries), f"unreported line changed: {removed}"
        for line in added:
            assert not line[:1].isspace(), f"fixes write one-line values: {line!r}"
        old_keys = [key_of(line) for line in removed if not line[:1].isspace()]
        new_keys = [key_of(line) for line in added]
        kept = [k for k in old_keys if k in new_keys or intended_key(k) in new_keys]
        for key in set(old_keys) - set(kept):
            assert key in DOCKER_IRRELEVANT, f"{key} removed"
        for key in set(new_keys) - set(old_keys) - {intended_key(k) for k in old_keys}:
            assert key in (NEW_BLOCK_KEYS if empty else ADDED_KEYS), f"{key} added"
        for line in removed:
            twin = next(
                (n for n in added if key_of(n) in (key_of(line), intended_key(key_of(line)))), None
            )
            if twin is not None:
                assert comment_of(twin) == comment_of(line), "comment after the value lost"


def test_cases_cover_crlf_and_non_ascii() -> None:
    texts = [(d / "before/README.md").read_bytes() for d in FIXED]
    assert any(b"\r\n" in t and not t.isascii() for t in texts)


def test_split_spans_are_well_formed() -> None:
    block, body = split_front_matter("---\na: 1\n---\nx")  # type: ignore[misc]
    assert (block, body) == (Span(0, 13), Span(4, 9))
