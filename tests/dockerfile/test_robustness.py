"""Bad input is a finding or nothing, never a crash: DF checks over generated Dockerfile-ish
text, including broken quoting, continuations, heredocs and odd stages."""

from __future__ import annotations

import itertools
from pathlib import Path, PurePosixPath

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.dockerfile.helpers import APP
from tests.support import check_tree, fix_tree, make_tree

PIECES = [
    "FROM python:3.11-slim",
    "FROM python:${PY}",
    "FROM scratch AS x",
    "FROM x",
    "ARG PY=3.12",
    "USER user",
    "USER root",
    "USER",
    "USER $U",
    "RUN useradd -m -u 1000 user",
    "RUN useradd",
    "WORKDIR /app",
    "WORKDIR",
    "WORKDIR $HOME/app",
    "ENV HOME=/home/user",
    "ENV A",
    'ENV B="x',
    "COPY . .",
    "COPY",
    "COPY --chown=user . /app",
    "COPY .env .",
    "ADD http://x/y /z",
    "RUN pip install -r requirements.txt",
    "RUN pip install",
    "RUN python -m pip install .",
    "RUN <<EOF",
    "EOF",
    "RUN a \\",
    "  && b",
    "# comment",
    "",
    "EXPOSE 8000",
    "EXPOSE",
    'CMD ["uvicorn", "main:app", "--port", "$PORT"]',
    'CMD ["uvicorn"',
    "CMD uvicorn --host",
    "CMD uvicorn main:app --port ${PORT:-",
    'CMD ["sh", "-c"]',
    'CMD ["sh", "-c", "gunicorn -b"]',
    "CMD fastapi dev",
    'ENTRYPOINT ["./start.sh"]',
    "CMD python main.py",
    "CMD python -m",
    "ENV SECRET_KEY=abcdefgh123",
    "ARG TOKEN=",
    "HEALTHCHECK CMD curl",
    "# escape=`",
    "RUN x `",
]
_counter = itertools.count()


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lines=st.lists(st.sampled_from(PIECES), max_size=12), newline=st.sampled_from(["\n", "\r\n"])
)
def test_df_checks_never_crash(tmp_path: Path, lines: list[str], newline: str) -> None:
    root = make_tree(
        tmp_path / f"r{next(_counter)}",
        {
            **APP,
            "Dockerfile": newline.join(lines),
            "start.sh": "uvicorn main:app --port\n",
            "main.py": APP["main.py"] + "import uvicorn\nuvicorn.run(app, host=h, **kw)\n",
        },
    )
    found = check_tree(root, "DF")
    assert not [d for d in found if d.code == "HF000"], [
        d.message for d in found if d.code == "HF000"
    ]


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=st.lists(st.sampled_from(PIECES), max_size=10), unsafe=st.booleans())
def test_df_fixes_settle(tmp_path: Path, lines: list[str], unsafe: bool) -> None:
    root = make_tree(
        tmp_path / f"f{next(_counter)}", {**APP, "Dockerfile": "\n".join(lines) + "\n"}
    )
    outcome = fix_tree(root, "DF", unsafe=unsafe, write=False)
    assert not [d for d in outcome.remaining if d.code in ("HF000", "HF003")], [
        (d.code, d.message) for d in outcome.remaining if d.code.startswith("HF")
    ]


def test_a_dockerfile_that_does_not_parse_is_left_alone(tmp_path: Path) -> None:
    """An unterminated here-document swallows the rest of the file: an appended CMD would only
    become more of its text, so the fixes settle without touching the Dockerfile, and DF046
    says why the build stops."""
    text = "FROM python:3.11-slim\nWORKDIR /app\nRUN <<EOF\npip install fastapi uvicorn\n"
    root = make_tree(tmp_path / "open", {**APP, "Dockerfile": text})
    outcome = fix_tree(root, "DF", unsafe=True, write=False)
    codes = [d.code for d in outcome.remaining]
    assert "HF003" not in codes and "HF002" not in codes
    assert "DF046" in codes and "DF014" in codes
    assert outcome.project.text(PurePosixPath("Dockerfile")) == text
