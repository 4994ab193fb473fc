from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from hfdeploy.dockerfile.assignments import assignments
from hfdeploy.dockerfile.parse import parse_dockerfile
from hfdeploy.dockerfile.shell import commands, expand, references, split_words
from hfdeploy.dockerfile.stage import build_runtime

P = PurePosixPath("Dockerfile")


def parse(text: str):
    return parse_dockerfile(P, text)


def test_continuations_join_and_keep_offsets() -> None:
    text = "FROM python:3.11\nRUN apt-get update \\\n    # a comment inside\n\n    && apt-get install -y curl\n"
    df = parse(text)
    run = df.instructions[1]
    assert run.keyword == "RUN"
    assert run.args == "apt-get update     && apt-get install -y curl"
    assert run.line == 2
    # every logical character maps back to the same character in the file
    assert all(text[run.positions[i]] == ch for i, ch in enumerate(run.text))
    assert text[run.span.start : run.span.end].endswith("curl")


def test_escape_directive_switches_to_backtick() -> None:
    df = parse("# escape=`\nFROM python:3.11\nRUN echo a `\n  b\n")
    assert df.directives == {"escape": "`"}
    assert df.instructions[1].args == "echo a   b"


def test_directive_only_at_top() -> None:
    df = parse("FROM python:3.11\n# escape=`\nRUN echo a `\n")
    assert df.directives == {}
    assert df.instructions[1].args == "echo a `"


def test_heredoc_body_belongs_to_the_instruction() -> None:
    text = 'FROM python:3.11\nRUN <<EOF\npip install x\nEOF\nCMD ["python"]\n'
    df = parse(text)
    assert [i.keyword for i in df.instructions] == ["FROM", "RUN", "CMD"]
    assert df.instructions[1].heredocs == ("pip install x",)
    assert text[df.instructions[1].span.end - 3 : df.instructions[1].span.end] == "EOF"


@pytest.mark.parametrize(
    ("line", "values"),
    [
        (
            'CMD ["uvicorn", "main:app", "--port", "7860"]',
            ["uvicorn", "main:app", "--port", "7860"],
        ),
        ('CMD [ "a\\"b" ]', ['a"b']),
    ],
)
def test_exec_form(line: str, values: list[str]) -> None:
    ins = parse("FROM python:3.11\n" + line + "\n").instructions[1]
    words = ins.exec_form()
    assert words is not None and [w.value for w in words] == values
    for word in words:  # positions point at the characters inside the quotes
        assert (
            "".join(ins.text[p] if ins.text[p] != "\\" else ins.text[p + 1] for p in word.positions)
            == word.value
        )


@pytest.mark.parametrize("line", ["CMD [uvicorn, main:app]", "CMD uvicorn main:app", "CMD [1, 2]"])
def test_not_exec_form(line: str) -> None:
    assert parse("FROM python:3.11\n" + line + "\n").instructions[1].exec_form() is None


def test_flags_are_split_from_arguments() -> None:
    ins = parse("FROM python:3.11\nCOPY --chown=user:user --link . /app\n").instructions[1]
    assert [(f.name, f.value) for f in ins.flags] == [("chown", "user:user"), ("link", None)]
    assert ins.args == ". /app"


def test_stages_and_final_chain() -> None:
    df = parse(
        "ARG PY=3.12\nFROM python:${PY}-slim AS base\nUSER app\n"
        'FROM node:20 AS web\nRUN npm ci\nFROM base\nCMD ["x"]\n'
    )
    assert [s.base for s in df.stages] == ["python:3.12-slim", "node:20", "base"]
    assert [s.name for s in df.chain()] == ["base", None]
    rt = build_runtime(df)
    assert rt.user == "app"  # inherited from the `base` stage
    assert all(s.ins.keyword != "RUN" for s in rt.steps)  # node stage is not part of it


def test_env_forms_and_expansion() -> None:
    df = parse(
        'FROM python:3.11\nENV HOME=/home/user PATH="$HOME/.local/bin:$PATH"\n'
        "ENV LEGACY some value\nWORKDIR $HOME/app\nWORKDIR sub\n"
    )
    env_ins = df.instructions[1]
    assert [(a.name, a.value) for a in assignments(env_ins)] == [
        ("HOME", "/home/user"),
        ("PATH", "$HOME/.local/bin:$PATH"),
    ]
    assert [(a.name, a.value) for a in assignments(df.instructions[2])] == [
        ("LEGACY", "some value")
    ]
    rt = build_runtime(df)
    assert rt.workdir == "/home/user/app/sub"
    assert rt.env["PATH"].startswith("/home/user/.local/bin:")


def test_never_raises_on_garbage() -> None:
    for text in ["", "\n\n", "\\\n", "FROM", "RUN <<EOF\n", '["x"', 'CMD ["a",\n', "\x00\x01"]:
        parse(text)


def test_split_words_keeps_positions_through_quotes() -> None:
    text = """echo 'a b' "c \\" d" e\\ f ${PORT:-7860}"""
    words = split_words(text)
    assert [w.value for w in words] == ["echo", "a b", 'c " d', "e f", "${PORT:-7860}"]
    for w in words:
        assert "".join(text[p] for p in w.positions) == w.value


def test_commands_split_on_operators_but_not_redirections() -> None:
    words = split_words("a || echo x >&2; exec b 2>&1 && c\nd")
    assert [[w.value for w in c] for c in commands(words)] == [
        ["a"],
        ["echo", "x", ">&2"],
        ["exec", "b", "2>&1"],
        ["c"],
        ["d"],
    ]


@pytest.mark.parametrize(
    ("text", "env", "expected"),
    [
        ("${PORT:-7860}", {}, "7860"),
        ("${PORT:-7860}", {"PORT": "9000"}, "9000"),
        ("${PORT:-7860}", {"PORT": ""}, "7860"),
        ("${PORT-7860}", {"PORT": ""}, ""),
        ("$HOME/x", {"HOME": "/h"}, "/h/x"),
        ("${A:+set}", {"A": "1"}, "set"),
        ("${A:+set}", {}, ""),
    ],
)
def test_expand(text: str, env: dict[str, str], expected: str) -> None:
    assert expand(text, env) == expected


def test_references_locate_the_default() -> None:
    (ref,) = references("--port=${PORT:-8000}")
    assert ref.name == "PORT" and ref.default == "8000"
    assert "--port=${PORT:-8000}"[ref.default_start : ref.default_start + 4] == "8000"
