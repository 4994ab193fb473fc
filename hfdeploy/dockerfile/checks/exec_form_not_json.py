"""DF040: a `CMD`/`ENTRYPOINT`/`RUN` written as an array that is not valid JSON."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

from hfdeploy.check import Check
from hfdeploy.diagnostics import Diagnostic, Edit, Fix, FixAvailability, Severity
from hfdeploy.dockerfile.parse import Instruction
from hfdeploy.dockerfile.shell import split_words
from hfdeploy.dockerfile.stage import DOCKERFILE, runtime

if TYPE_CHECKING:
    from hfdeploy.project import Project

_KEYWORDS = ("CMD", "ENTRYPOINT", "RUN")
# Typographic quotes pasted from documents and chat: Docker's JSON parser rejects them too.
_DOUBLE = ('"', "\u201c", "\u201d")
_SINGLE = ("'", "\u2018", "\u2019")


def read_loose_array(body: str) -> tuple[list[str] | None, str]:
    """The strings a not-quite-JSON array means (`[uvicorn, 'main:app']`), and what is wrong
    with it; None for the strings when its meaning is not certain."""
    items, problem, _ = read_loose_items(body)
    return items, problem


def read_loose_items(body: str) -> tuple[list[str] | None, str, set[int]]:
    """Like `read_loose_array`, with the indices of the items written without quotes."""
    inner = body.strip()[1:-1]
    bare: set[int] = set()
    items: list[str] = []
    problems: set[str] = set()
    i, n = 0, len(inner)
    while i <= n:
        while i < n and inner[i] in " \t\r\n":
            i += 1
        if i >= n:
            if items:
                problems.add("a trailing comma")
            break
        char = inner[i]
        if char in _DOUBLE or char in _SINGLE:
            closers = _DOUBLE if char in _DOUBLE else _SINGLE
            j = i + 1
            while j < n and inner[j] not in closers:
                j += 2 if inner[j] == "\\" and char == '"' else 1
            if j >= n:
                return None, "an unclosed quote", bare
            raw = inner[i : j + 1]
            if char == '"' and inner[j] == '"':
                try:
                    items.append(json.loads(raw))
                except ValueError:
                    return None, "a string JSON cannot read", bare
            else:
                if "\\" in raw:
                    return None, "a backslash inside single quotes", bare
                items.append(raw[1:-1])
                problems.add("single quotes" if char in _SINGLE else "typographic quotes")
            i = j + 1
        else:
            j = i
            while j < n and inner[j] != ",":
                j += 1
            word = inner[i:j].strip()
            if not word or any(c.isspace() for c in word) or any(c in word for c in "\"'[]{}"):
                return None, "a word that does not read as one argument", bare
            bare.add(len(items))
            items.append(word)
            i = j
        while i < n and inner[i] in " \t\r\n":
            i += 1
        if i < n and inner[i] != ",":
            return None, "items not separated by commas", bare
        i += 1
    if not items:
        return None, "an empty array", bare
    if bare:
        words = [f"`{items[k]}`" for k in sorted(bare)]
        shown = ", ".join(words[:3]) + (f" and {len(words) - 3} more" if len(words) > 3 else "")
        problems.add(f"{shown} without quotes")
    return items, ", ".join(sorted(problems)) or "not JSON", bare


def looks_like_array(args: str) -> bool:
    """Written as an exec-form array (not a shell command that starts with `[ -f x ]`)."""
    body = args.strip()
    if not (body.startswith("[") and body.endswith("]")):
        return False
    inner = body[1:-1].strip()
    return inner[:1] in _DOUBLE + _SINGLE or "," in inner


class ExecFormNotJson(Check):
    """## What it does
    Reports a `CMD`, `ENTRYPOINT` or `RUN` written as an array (`["uvicorn", ...]`) that is not
    valid JSON: a word without double quotes, single or typographic quotes, a trailing comma.

    ## Why is this bad?
    Docker takes the array form only when it is a JSON array of strings. Anything else is
    run as a shell command, `/bin/sh -c '[uvicorn, "main:app"]'`: the shell looks for a
    program called `[uvicorn,`, prints `/bin/sh: 1: [uvicorn,: not found` and exits with
    status 127. A `RUN` fails the build; a `CMD` or `ENTRYPOINT` stops the container at once.

    ## Example
    ```dockerfile
    CMD [uvicorn, "main:app", "--host", "0.0.0.0", "--port", "7860"]
    CMD ['uvicorn', 'main:app', '--host', '0.0.0.0', '--port', '7860']
    ```

    Use instead:
    ```dockerfile
    CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "7860"]
    ```

    ## Fix safety
    When every item reads as exactly one argument, the fix rewrites the array as JSON with
    the same arguments in the same order: what the author wrote is what then runs, so the
    fix is safe. An array whose meaning is not certain (an unclosed quote, a word with spaces)
    is reported without a fix.
    """

    code = "DF040"
    name = "exec-form-not-json"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES

    def run(self, project: Project) -> Iterator[Diagnostic]:
        rt = runtime(project)
        if rt is None:
            return
        for stage in rt.dockerfile.stages:
            for ins in stage.instructions:
                if ins.keyword in _KEYWORDS:
                    found = self._check(ins, rt.env)
                    if found is not None:
                        yield found

    def _check(self, ins: Instruction, env: dict[str, str]) -> Diagnostic | None:
        args = ins.args
        if ins.exec_form() is not None or ins.heredocs or not looks_like_array(args):
            return None
        lead = len(args) - len(args.lstrip())
        trail = len(args) - len(args.rstrip())
        start, end = ins.args_start + lead, len(ins.text) - trail
        span = ins.raw_span(start, end)
        items, problem, bare = read_loose_items(args)
        notes = []
        if items is not None:
            # A bare `PORT` means the variable: as `"$PORT"` it stays visibly a variable, which
            # the port checks then judge (in the JSON form no shell expands it: DF007).
            for index in sorted(bare):
                word = items[index]
                if word.isidentifier() and (word in env or word.isupper()):
                    items[index] = f"${word}"
                    notes.append(
                        f"`{word}` is written as the variable `${word}`; the JSON form never "
                        "expands variables, so give its value or use the shell form"
                    )
        effect = (
            "the build fails at this step"
            if ins.keyword == "RUN"
            else "the container exits with status 127 before the server starts"
        )
        words = split_words(args)
        first = words[0].value if words else args.strip()
        message = (
            f"`{ins.keyword} [...]` is not a JSON array ({problem}): Docker runs it through "
            f"`/bin/sh -c`, which fails with `{first}: not found`; {effect}"
        )
        fix = None
        if items is not None:
            text = "[" + ", ".join(json.dumps(item, ensure_ascii=False) for item in items) + "]"
            fix = Fix("Write the array as JSON", (Edit(DOCKERFILE, span, text),))
        return self.diagnostic(message, path=DOCKERFILE, span=span, fix=fix, notes=notes)
