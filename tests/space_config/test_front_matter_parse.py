"""Front matter: splitting the block, value spans, YAML errors, scalars that read back."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ruamel.yaml import YAML

from hfdeploy.source import SourceFile
from hfdeploy.space_config.app_port import app_port, app_port_info
from hfdeploy.space_config.frontmatter import (
    Status,
    parse_front_matter,
    split_front_matter,
    yaml_scalar,
)
from tests.support import make_tree, project_for


def parse(text: str):  # type: ignore[no-untyped-def]
    return parse_front_matter(SourceFile(PurePosixPath("README.md"), text))


def spans(text: str) -> dict[str, str]:
    matter = parse(text)
    assert matter.status is Status.OK, matter.error
    return {k: text[e.value_span.start : e.value_span.end] for k, e in matter.entries.items()}


def test_value_spans_are_the_exact_value_text() -> None:
    text = (
        "---\n"
        'title: "Taskboard: API"   # quoted\n'
        "emoji: ✅\n"
        "sdk:   gradio # comment\n"
        "tags:\n  - a\n  - b\n# trailing comment\n"
        "models: [m1, m2]\n"
        "short_description: >\n  folded\n  text\n\n"
        "app_port:\n"
        "custom_headers:\n  cross-origin-opener-policy: same-origin\n"
        "pinned: 'no'\n"
        "---\n# Body\n"
    )
    assert spans(text) == {
        "title": '"Taskboard: API"',
        "emoji": "✅",
        "sdk": "gradio",
        "tags": "- a\n  - b",
        "models": "[m1, m2]",
        "short_description": ">\n  folded\n  text",
        "app_port": "",
        "custom_headers": "cross-origin-opener-policy: same-origin",
        "pinned": "'no'",
    }


def test_null_value_span_sits_after_the_colon() -> None:
    text = "---\napp_port:\nsdk: docker\n---\n"
    entry = parse(text).get("app_port")
    assert entry is not None and entry.value is None
    assert entry.value_span.start == entry.value_span.end == text.index(":") + 1


def test_spans_count_characters_with_crlf_and_non_ascii() -> None:
    text = "---\r\ntitle: Café 🙂\r\nsdk: gradio\r\n---\r\nÜber\r\n"
    matter = parse(text)
    entry = matter.get("sdk")
    assert entry is not None and text[entry.value_span.start : entry.value_span.end] == "gradio"
    assert (
        entry.line_span is not None
        and text[entry.line_span.start : entry.line_span.end] == "sdk: gradio\r\n"
    )
    assert matter.newline == "\r\n"


def test_yaml_one_point_two_reads_yes_as_a_string() -> None:
    matter = parse('---\npinned: yes\nfullWidth: true\napp_port: "8000"\n---\n')
    assert [matter.get(k).value for k in ("pinned", "fullWidth", "app_port")] == [
        "yes",
        True,
        "8000",
    ]  # type: ignore[union-attr]


def test_entry_sharing_a_line_cannot_be_removed_alone() -> None:
    matter = parse("---\n{title: x, app_file: a.py}\n---\n")
    assert matter.block_style is False and matter.insertion_offset() is None
    assert matter.get("app_file").line_span is None  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "status", "line"),
    [
        ("# Title\n---\na: 1\n---\n", Status.NO_BLOCK, None),
        ("", Status.NO_BLOCK, None),
        ("---\ntitle: x\n", Status.UNCLOSED, 1),
        ("\n\n---\ntitle: x\n", Status.UNCLOSED, 3),
        ("---\n---\n# T\n", Status.EMPTY, None),
        ("---\n# only a comment\n---\n", Status.EMPTY, None),
        ("---\ntitle: a: b\n---\n", Status.INVALID_YAML, 2),
        ("---\ntitle: x\n\tsdk: docker\n---\n", Status.INVALID_YAML, 3),
        ("---\ntitle: x\ncolorFrom: [red\n---\n", Status.INVALID_YAML, 3),
        ("---\ntitle: x\ntitle: y\n---\n", Status.INVALID_YAML, 3),
        ('---\ntitle: "bell \x07"\n---\n', Status.INVALID_YAML, 2),
        ("---\n- a\n---\n", Status.NOT_MAPPING, 2),
        ("---\njust text\n---\n", Status.NOT_MAPPING, 2),
        ("\n\n---\ntitle: x\n---\n", Status.OK, None),
        ("---  \ntitle: x\n---  \n# body\n---\nmore\n", Status.OK, None),
    ],
)
def test_block_status_and_error_line(text: str, status: Status, line: int | None) -> None:
    matter = parse(text)
    assert matter.status is status
    if line is not None:
        assert matter.error_offset is not None
        assert text.count("\n", 0, matter.error_offset) + 1 == line


def test_body_ends_at_the_first_closing_line() -> None:
    text = "---\ntitle: x\n---\n\n---\nnot yaml: [\n"
    block, body = split_front_matter(text)  # type: ignore[misc]
    assert (
        text[body.start : body.end] == "title: x\n" and text[block.end :] == "\n---\nnot yaml: [\n"
    )


@given(st.text(max_size=40))
def test_yaml_scalar_reads_back_as_the_same_string(text: str) -> None:
    # YAML cannot hold most C0 controls or lone surrogates at all; json escapes them, so the
    # round trip must still hold.
    loaded = YAML(typ="safe", pure=True).load(f"key: {yaml_scalar(text)}\n")
    assert loaded == {"key": text}


@pytest.mark.parametrize("text", ["docker", "Taskboard API", "✅ Tasks", "a-b_c.d"])
def test_yaml_scalar_keeps_ordinary_text_plain(text: str) -> None:
    assert yaml_scalar(text) == text


@pytest.mark.parametrize(
    "text", ["yes", "No", "8000", "3.10", "null", "a: b", "x #y", "[a]", "-", "", " a"]
)
def test_yaml_scalar_quotes_what_would_read_differently(text: str) -> None:
    assert yaml_scalar(text).startswith('"')


@pytest.mark.parametrize(
    ("readme", "port", "source"),
    [
        (None, 7860, "default (README.md sets no app_port)"),
        ("---\nsdk: docker\n---\n", 7860, "default (README.md sets no app_port)"),
        ("---\nsdk: docker\napp_port: 8000\n---\n", 8000, "README.md line 3"),
        ('---\napp_port: "8000"\n---\n', 8000, "README.md line 2"),
        ("---\napp_port: 80\n---\n", 7860, "default (README.md line 2 is not a usable port)"),
        ("---\napp_port: true\n---\n", 7860, "default (README.md line 2 is not a usable port)"),
        ("---\ntitle: [oops\napp_port: 9000\n---\n", 9000, "README.md line 3"),
    ],
)
def test_app_port_as_the_fixed_readme_will_say(
    tmp_path: Path, readme: str | None, port: int, source: str
) -> None:
    make_tree(tmp_path, {"README.md": readme} if readme is not None else {"main.py": ""})
    project = project_for(tmp_path)
    assert app_port(project) == port
    assert app_port_info(project).source == source
