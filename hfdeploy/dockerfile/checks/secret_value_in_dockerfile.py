"""DF030: a secret value (by its shape) written into the Dockerfile outside a named ENV/ARG."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Severity
from hfdeploy.dockerfile.assignments import assignments
from hfdeploy.dockerfile.parse import Instruction
from hfdeploy.dockerfile.secrets import is_literal_secret
from hfdeploy.dockerfile.shell import Word
from hfdeploy.dockerfile.stage import DOCKERFILE, runtime
from hfdeploy.redact import mask
from hfdeploy.secret_names import TOKEN_SHAPE, looks_secret_name, secret_value_kind

if TYPE_CHECKING:
    from hfdeploy.project import Project

_REAL = ("token", "random")
_SECRET_FLAGS = frozenset(
    {
        "--token",
        "--hf-token",
        "--auth-token",
        "--access-token",
        "--password",
        "--api-key",
        "--apikey",
        "--secret",
        "--client-secret",
    }
)
_SECRET_FILES = frozenset(
    {".env", ".netrc", ".pypirc", ".npmrc", ".git-credentials", "credentials", "token"}
)
_SECRET_FILE_WORDS = ("secret", "token", "password", "credential", "apikey", "api_key")
_BUILD_SECRETS = (
    "Build-time secrets: `RUN --mount=type=secret,id=NAME ...` reads /run/secrets/NAME "
    "without storing it in the image; run-time secrets: the Space's Settings, Variables and "
    "secrets"
)


def _secret_file(name: str) -> bool:
    base = posixpath.basename(name.strip("\"'"))
    lowered = base.lower()
    return (
        base in _SECRET_FILES
        or base.startswith(".env")
        or lowered.endswith((".pem", ".key"))
        or any(word in lowered for word in _SECRET_FILE_WORDS)
    )


class SecretValueInDockerfile(Check):
    """## What it does
    Reports secret values written into the Dockerfile, judged by the value itself: a
    credential of a known service by its shape (`hf_...`, `sk-...`, `ghp_...`, `AKIA...`, a
    private key block) in any instruction (`RUN huggingface-cli login --token hf_...`,
    `ENV HUB=hf_...`, a heredoc), and a credential or a long random-looking key that a `RUN`
    step writes to a file (`RUN echo "SECRET_KEY=9f2c..." > .env`, `echo <key> > token`),
    exports (`export API_KEY=...`, `API_KEY=... python setup.py`) or passes as an option
    (`--token`, `--password`, `--api-key`). `ENV`/`ARG` lines giving a secret-named variable
    a literal are DF013; placeholders such as `changeme` are not reported.

    ## Why is this bad?
    The Dockerfile is part of the Space repository, which is public for public Spaces, and
    every layer of the image keeps what its step wrote, even if a later step deletes the file.
    The value must be considered leaked: rotate it.

    ## Example
    ```dockerfile
    RUN echo "HF_TOKEN=hf_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789" > .env
    ```

    Use instead:
    ```dockerfile
    # Settings -> Variables and secrets -> New secret: HF_TOKEN (read at run time), or for a
    # build step: RUN --mount=type=secret,id=HF_TOKEN,env=HF_TOKEN huggingface-cli download ...
    ```

    ## Fix safety
    No automatic fix: the value must be rotated (it stays in the repository's history and in
    every image built from it), and whether the step needs it at build time (a build secret)
    or only the app at run time (a Space secret) is a choice about the build.
    """

    code = "DF030"
    name = "secret-value-in-dockerfile"
    severity = Severity.ERROR

    def run(self, project: Project) -> Iterator[Diagnostic]:
        rt = runtime(project)
        if rt is None:
            return
        for ins in rt.dockerfile.instructions:
            seen: set[tuple[int, int]] = set()
            for start, end, value in _findings(ins):
                if (start, end) in seen:
                    continue
                seen.add((start, end))
                yield self.diagnostic(
                    f"`{ins.keyword}` writes a secret (`{mask(value)}`) into the Dockerfile: "
                    "the Dockerfile of a Space is public and the image's layers keep the "
                    "value; rotate it and pass it as a secret instead",
                    path=DOCKERFILE,
                    span=ins.raw_span(start, end) if end > start else ins.span,
                    notes=[_BUILD_SECRETS],
                )


def _findings(ins: Instruction) -> Iterator[tuple[int, int, str]]:
    """(start, end, value) of each secret value, offsets into `ins.text` ((0, 0) for the
    instruction as a whole: a heredoc body)."""
    covered: list[tuple[int, int]] = []  # DF013's ENV/ARG assignments
    if ins.keyword in ("ENV", "ARG"):
        for a in assignments(ins):
            if is_literal_secret(a.name, a.value):
                covered.append((a.name_start, a.value_end or len(ins.text)))
    for match in TOKEN_SHAPE.finditer(ins.text):
        if secret_value_kind(match.group()) != "token":
            continue
        if any(lo <= match.start() < hi for lo, hi in covered):
            continue
        yield match.start(), match.end(), match.group()
    for body in ins.heredocs:
        for match in TOKEN_SHAPE.finditer(body):
            if secret_value_kind(match.group()) == "token":
                yield 0, 0, match.group()
    if ins.keyword != "RUN":
        return
    words = ins.words()
    for number, word in enumerate(words):
        if word.operator:
            continue
        text = word.value
        name, eq, value = text.partition("=")
        if eq and name.lstrip("-") and (name.isidentifier() or name.startswith("--")):
            if name in _SECRET_FLAGS or (name.isidentifier() and looks_secret_name(name)):
                if secret_value_kind(value) in _REAL:
                    yield word.start, word.end, value
            continue
        following = words[number + 1] if number + 1 < len(words) else None
        if text in _SECRET_FLAGS and following is not None and not following.operator:
            if secret_value_kind(following.value) in _REAL:
                yield following.start, following.end, following.value
        if text in ("echo", "printf"):
            yield from _written_to_file(words[number + 1 :])


def _written_to_file(words: list[Word]) -> Iterator[tuple[int, int, str]]:
    """`echo <value> > file` (up to the next operator): a real-looking value written to a
    file whose name says it holds a secret."""
    content = []
    target = None
    for index, word in enumerate(words):
        if word.operator:
            break
        if word.value.startswith(">"):
            rest = word.value.lstrip(">")
            if rest:
                target = rest
            elif index + 1 < len(words) and not words[index + 1].operator:
                target = words[index + 1].value
            break
        content.append(word)
    if target is None or not _secret_file(target):
        return
    for word in content:
        if not word.value.startswith("-") and secret_value_kind(word.value) in _REAL:
            yield word.start, word.end, word.value
