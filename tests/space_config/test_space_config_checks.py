"""Front matter checks SC001-SC015 (without SC010/SC011): what fires, what stays silent, and
what the fixes write."""

from __future__ import annotations

from pathlib import Path

import pytest

from hfdeploy.space_config.checks.invalid_space_color import nearest_color
from hfdeploy.space_config.checks.short_description_too_long import js_length, shorten
from hfdeploy.space_config.checks.unknown_front_matter_key import intended_key
from hfdeploy.space_config.checks.unrecognised_front_matter_format import looks_like_emoji
from tests.support import check_tree, codes, fix_tree, make_tree

VALID = """\
title: Taskboard API
emoji: ✅
colorFrom: blue
colorTo: indigo
sdk: docker
app_port: 8000
pinned: false
short_description: Team task board REST API
"""
APP = {"main.py": "from fastapi import FastAPI\napp = FastAPI()\n"}
# Every front matter check: SC001-SC009 and SC012-SC015 (app discovery has its own tests).
SELECT = "SC00,SC012,SC013,SC014,SC015"


def readme(tmp_path: Path, lines: str, body: str = "\n# Taskboard\n") -> Path:
    return make_tree(tmp_path, {**APP, "README.md": f"---\n{lines}---\n{body}"})


def fixed(tmp_path: Path, lines: str, *, unsafe: bool = False) -> str:
    readme(tmp_path, lines)
    fix_tree(tmp_path, SELECT, unsafe=unsafe)
    text = (tmp_path / "README.md").read_text("utf-8")
    assert text.endswith("---\n\n# Taskboard\n")
    return text[len("---\n") : -len("---\n\n# Taskboard\n")]


@pytest.mark.parametrize(
    ("replace", "by", "expected"),
    [
        ("sdk: docker\n", "sdk: gradio\n", ["SC003"]),
        ("sdk: docker\n", "", ["SC003"]),
        ("sdk: docker\n", "sdk: Docker\n", ["SC003"]),
        ("sdk: docker\n", "sdk: fastapi\n", ["SC003"]),
        ("colorFrom: blue\n", "colorFrom: orange\n", ["SC004"]),
        ("colorTo: indigo\n", "colorTo: '#ff0000'\n", ["SC004"]),
        ("app_port: 8000\n", 'app_port: "8000"\n', ["SC005"]),
        ("app_port: 8000\n", "app_port: 80\n", ["SC005"]),
        ("app_port: 8000\n", "app_port: 70000\n", ["SC005"]),
        ("app_port: 8000\n", "app_port: 8000.5\n", ["SC005"]),
        ("app_port: 8000\n", "app_port:\n", ["SC005"]),
        (
            "short_description: Team task board REST API\n",
            "short_description: " + "x" * 61 + "\n",
            ["SC006"],
        ),
        (
            "short_description: Team task board REST API\n",
            "short_description: " + "🙂" * 31 + "\n",
            ["SC006"],
        ),
        ("pinned: false\n", 'pinned: "false"\n', ["SC007"]),
        ("pinned: false\n", "pinned: yes\n", ["SC007"]),
        ("pinned: false\n", "pinned: 0\n", ["SC007"]),
        ("title: Taskboard API\n", "title: 2048\n", ["SC008"]),
        ("pinned: false\n", "pinned: false\ntags: fastapi, api\n", ["SC008"]),
        ("pinned: false\n", "pinned: false\nmodels: [1, 2]\n", ["SC008"]),
        ("pinned: false\n", "pinned: false\ncustom_headers: [a]\n", ["SC008"]),
        ("pinned: false\n", "pinned: false\nhf_oauth_expiration_minutes: '600'\n", ["SC008"]),
        ("pinned: false\n", "pinned: false\nlicense: 3\n", ["SC008"]),
        ("pinned: false\n", "pinned: false\nsuggested_hardware: T4-Small\n", ["SC009"]),
        ("pinned: false\n", "pinned: false\nsuggested_storage: huge\n", ["SC009"]),
        ("pinned: false\n", "pinned: false\nheader: full\n", ["SC009"]),
        ("pinned: false\n", "pinned: false\nbase_path: docs\n", ["SC009"]),
        ("pinned: false\n", "pinned: false\nhf_oauth_expiration_minutes: 50000\n", ["SC009"]),
        ("pinned: false\n", "pinned: false\nhf_oauth_scopes: [openid, admin]\n", ["SC009"]),
        ("pinned: false\n", "pinned: false\ncustom_headers:\n  X-Frame-Options: DENY\n", ["SC009"]),
        (
            "pinned: false\n",
            "pinned: false\ncustom_headers:\n  cross-origin-opener-policy: none\n",
            ["SC009"],
        ),
        (
            "pinned: false\n",
            "pinned: false\nsdk_version: 4.7.1\napp_file: app.py\n",
            ["SC012", "SC012"],
        ),
        ("pinned: false\n", "pinned: false\npython_version: 3.10\n", ["SC012"]),
        ("title: Taskboard API\n", "", ["SC013"]),
        ("title: Taskboard API\n", "title: ''\n", ["SC013"]),
        ("pinned: false\n", "pinned: false\napp-port: 8000\n", ["SC014"]),
        ("pinned: false\n", "pinned: false\nlanguage: en\n", ["SC014"]),
        ("pinned: false\n", "pinned: false\nhardware: t4-small\n", ["SC014"]),
        ("emoji: ✅\n", "emoji: rocket\n", ["SC015"]),
        ("emoji: ✅\n", "emoji: ':rocket:'\n", ["SC015"]),
        ("pinned: false\n", "pinned: false\nstartup_duration_timeout: 1 hour\n", ["SC015"]),
    ],
)
def test_reports_each_problem_once(
    tmp_path: Path, replace: str, by: str, expected: list[str]
) -> None:
    readme(tmp_path, VALID.replace(replace, by))
    assert codes(check_tree(tmp_path, SELECT)) == expected


@pytest.mark.parametrize(
    "extra",
    [
        "",
        "fullWidth: true\nhf_oauth: false\ndisable_embedding: true\n",
        "tags:\n  - fastapi\n  - api\nmodels: [openai/whisper-tiny]\ndatasets: []\n",
        "hf_oauth_scopes: [email, read-repos]\nhf_oauth_expiration_minutes: 43200\n",
        "hf_oauth_authorized_org: [acme, huggingface]\nlicense: mit\n",
        "custom_headers:\n  cross-origin-embedder-policy: require-corp\n  cross-origin-opener-policy: same-origin\n",
        "suggested_hardware: cpu-upgrade\nsuggested_storage: small\nheader: mini\nbase_path: /docs\n",
        "startup_duration_timeout: 1h30m\nthumbnail: https://example.com/t.png\n",
        "short_description: " + "x" * 60 + "\n",
        "short_description: " + "🙂" * 30 + "\n",
        "duplicated_from: acme/space\n",
    ],
)
def test_valid_configuration_is_silent(tmp_path: Path, extra: str) -> None:
    readme(tmp_path, VALID.replace("short_description: Team task board REST API\n", "") + extra)
    assert check_tree(tmp_path, SELECT) == []


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ('sdk: "gradio"\n', 'sdk: "docker"\n'),
        ("sdk: gradio   # was gradio\n", "sdk: docker   # was gradio\n"),
        ("colorFrom: orange\ncolorTo: Teal\n", "colorFrom: yellow\ncolorTo: blue\n"),
        ("colorFrom: 'Light-Green'\n", "colorFrom: 'green'\n"),
        ('app_port: "8000"\n', "app_port: 8000\n"),
        ("app_port: 80 # nginx\n", "app_port: 7860 # nginx\n"),
        ("app_port:\n", "app_port: 7860\n"),
        ("pinned: 'Yes'\nfullWidth: off\n", "pinned: true\nfullWidth: false\n"),
        ("title: 2048\n", 'title: "2048"\n'),
        ("title: true\n", 'title: "true"\n'),
        ("hf_oauth_expiration_minutes: '600'\n", "hf_oauth_expiration_minutes: 600\n"),
        ("header: Mini\nbase_path: 'docs'\n", "header: mini\nbase_path: '/docs'\n"),
        ("sdk_version: 4.7.1\napp_file: >\n  app/main.py\n", ""),
        (
            "short_description: An API built with FastAPI, SQLModel and JWT auth for our small team\n",
            "short_description: An API built with FastAPI, SQLModel and JWT auth for our…\n",
        ),
        (
            "short_description: >\n  An API built with FastAPI, SQLModel and\n  JWT auth for our small team\n",
            "short_description: An API built with FastAPI, SQLModel and JWT auth for our…\n",
        ),
        (
            'short_description: "Tasks: an API with FastAPI, SQLModel and JWT auth for our team"\n',
            'short_description: "Tasks: an API with FastAPI, SQLModel and JWT auth for our…"\n',
        ),
    ],
)
def test_fix_rewrites_only_the_value(tmp_path: Path, before: str, after: str) -> None:
    keys = {line.split(":")[0] for line in before.splitlines()}
    head = ("" if "title" in keys else "title: T\n") + ("" if "sdk" in keys else "sdk: docker\n")
    assert fixed(tmp_path, head + before) == head + after


def test_missing_keys_are_added_where_they_belong(tmp_path: Path) -> None:
    make_tree(tmp_path, {"pyproject.toml": '[project]\nname = "taskboard-api"\n'})
    assert (
        fixed(tmp_path, "# config\nemoji: ✅\n")
        == "# config\ntitle: taskboard-api\nemoji: ✅\nsdk: docker\n"
    )


def test_indented_mapping_gets_indented_lines(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    assert (
        fixed(tmp_path / "x", "  title: T\n  pinned: false\n")
        == "  title: T\n  pinned: false\n  sdk: docker\n"
    )


def test_misspelt_key_is_renamed_only_with_unsafe_fixes(tmp_path: Path) -> None:
    lines = "title: T\nsdk: docker\napp-port: 8000\n"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert fixed(tmp_path / "a", lines) == lines
    assert fixed(tmp_path / "b", lines, unsafe=True) == "title: T\nsdk: docker\napp_port: 8000\n"


def test_no_rename_when_the_right_key_exists(tmp_path: Path) -> None:
    readme(tmp_path, "title: T\nsdk: docker\napp_port: 8000\napp-port: 9000\n")
    [diag] = check_tree(tmp_path, "SC014")
    assert diag.fix is None and "app_port" in diag.message


def test_wrong_type_names_the_item_that_is_not_a_string(tmp_path: Path) -> None:
    root = readme(tmp_path, VALID + "datasets:\n  - mnist\n  - 42\n")
    (found,) = check_tree(root, "SC008")
    assert found.message == "`datasets` must be a list of strings; item `42` is not a string"
    text = (root / "README.md").read_text("utf-8")
    assert found.span is not None and text[found.span.start : found.span.end] == "42"


def test_suppression_comment_in_yaml(tmp_path: Path) -> None:
    readme(tmp_path, "title: T\nsdk: docker\ncolorFrom: orange  # hfdeploy: ignore[SC004]\n")
    assert check_tree(tmp_path, SELECT) == []


def test_invalid_yaml_gives_one_finding_and_nothing_else(tmp_path: Path) -> None:
    readme(tmp_path, "title: Taskboard: API\nsdk: gradio\ncolorFrom: orange\n")
    [diag] = check_tree(tmp_path, SELECT)
    assert diag.code == "SC002" and diag.fix is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "A small task management REST API built with FastAPI, SQLModel and JWT auth",
            "A small task management REST API built with FastAPI…",
        ),
        ("x" * 70, "x" * 59 + "…"),
        ("word " * 20, "word " * 11 + "word…"),
        ("🙂" * 40, "🙂" * 29 + "…"),
        ("short  \n text", "short text"),
    ],
)
def test_shorten_fits_sixty_javascript_characters(text: str, expected: str) -> None:
    result = shorten(text)
    assert result == expected and js_length(result) <= 60


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("orange", "yellow"),
        ("Red", "red"),
        ("teal", "blue"),
        ("Cyan", "blue"),
        ("dark-green", "green"),
        ("grey", "gray"),
        ("#ff0000", "gray"),
        (12, "gray"),
        ("light", "gray"),
    ],
)
def test_nearest_color(value: object, expected: str) -> None:
    assert nearest_color(value) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("🚀", True),
        ("✅", True),
        ("👩‍💻", True),
        ("🇫🇷", True),
        ("1️⃣", True),
        ("❤️", True),
        ("👍🏽", True),
        ("rocket", False),
        (":rocket:", False),
        ("🚀 app", False),
        ("", False),
    ],
)
def test_looks_like_emoji(text: str, expected: bool) -> None:
    assert looks_like_emoji(text) is expected


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("app-port", "app_port"),
        ("AppPort", "app_port"),
        ("colourFrom", "colorFrom"),
        ("color_to", "colorTo"),
        ("short_descripton", "short_description"),
        ("language", None),
    ],
)
def test_intended_key(key: str, expected: str | None) -> None:
    assert intended_key(key) == expected


def test_new_block_and_new_lines_follow_crlf_and_keep_a_bom(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    make_tree(tmp_path / "a", {**APP, "README.md": "# Tâches\r\n\r\nText\r\n".encode("utf-8-sig")})
    fix_tree(tmp_path / "a", SELECT)
    data = (tmp_path / "a/README.md").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf---\r\ntitle: a\r\n") and data.endswith(
        b"---\r\n\r\n# T\xc3\xa2ches\r\n\r\nText\r\n"
    )
    assert b"\n" not in data.replace(b"\r\n", b"")
    make_tree(tmp_path / "b", {**APP, "README.md": "---\r\ntitle: T\r\n---\r\nbody\r\n"})
    fix_tree(tmp_path / "b", SELECT)
    assert (
        tmp_path / "b/README.md"
    ).read_bytes() == b"---\r\ntitle: T\r\nsdk: docker\r\n---\r\nbody\r\n"
