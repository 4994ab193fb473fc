"""A tolerant, line-based Dockerfile parser that keeps exact text positions.

Handles parser directives (`# escape=`), line continuations (with comment and blank lines
inside them), heredocs (`RUN <<EOF`), flags (`COPY --chown=...`), JSON (exec) and shell form,
and multi-stage builds. It never raises: unknown or malformed lines become instructions with
whatever keyword they start with, which the checks simply ignore.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from hfdeploy.diagnostics import Span
from hfdeploy.dockerfile.assignments import arg_pairs
from hfdeploy.dockerfile.shell import Word, expand, split_words

_DIRECTIVE = re.compile(r"^#\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(.*?)\s*$")
_HEREDOC = re.compile(r"<<(-?)(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\2")
_FLAG_KEYWORDS = {"FROM", "COPY", "ADD", "RUN", "HEALTHCHECK"}


@dataclass(frozen=True)
class Flag:
    name: str  # "chown", "from", "mount", ...
    value: str | None


@dataclass(frozen=True)
class Instruction:
    keyword: str  # upper case: "RUN"
    text: str  # the logical instruction: continuations joined, inner comments dropped
    positions: tuple[int, ...]  # file offset of every character of `text`
    span: Span  # from the keyword to the end of its last line (heredoc bodies included)
    line: int  # 1-based line of the keyword
    args_start: int  # index into `text` where the arguments (after any flags) begin
    flags: tuple[Flag, ...] = ()
    heredocs: tuple[str, ...] = ()
    stage: int = -1  # index of the stage it belongs to; -1 before the first FROM

    @property
    def args(self) -> str:
        return self.text[self.args_start :]

    def flag(self, name: str) -> Flag | None:
        return next((f for f in self.flags if f.name == name), None)

    def raw(self, index: int) -> int:
        """File offset of logical index `index` (one past the end maps past the last char)."""
        if index >= len(self.positions):
            return self.positions[-1] + 1 if self.positions else self.span.start
        return self.positions[index]

    def raw_span(self, start: int, end: int) -> Span:
        if end <= start:
            offset = self.raw(start)
            return Span(offset, offset)
        return Span(self.raw(start), self.raw(end - 1) + 1)

    def exec_form(self) -> list[Word] | None:
        """The JSON array of strings, as words with logical positions; None for shell form."""
        return parse_json_array(self.text, self.args_start)

    def shell_words(self) -> list[Word]:
        return [_shift(w, self.args_start) for w in split_words(self.args)]

    def words(self) -> list[Word]:
        """Exec-form strings, or shell-form words (positions index into `text`)."""
        parsed = self.exec_form()
        return parsed if parsed is not None else self.shell_words()


def _shift(word: Word, by: int) -> Word:
    return Word(
        word.value,
        tuple(p + by for p in word.positions),
        word.start + by,
        word.end + by,
        word.operator,
    )


def parse_json_array(text: str, start: int) -> list[Word] | None:
    """Parse `["a", "b"]` at text[start:] into words; None unless it is exactly that."""
    body = text[start:].strip()
    if not body.startswith("["):
        return None
    try:
        value = json.loads(body)
    except ValueError:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None
    words: list[Word] = []
    i = text.index("[", start) + 1
    while True:
        q = text.find('"', i)
        if q == -1:
            break
        chars: list[str] = []
        pos: list[int] = []
        j = q + 1
        while j < len(text) and text[j] != '"':
            if text[j] == "\\" and j + 1 < len(text):
                escape = text[j + 1]
                if escape == "u":
                    chars.append(chr(int(text[j + 2 : j + 6], 16)))
                    pos.append(j)
                    j += 6
                    continue
                chars.append(json.loads(f'"\\{escape}"'))
                pos.append(j)
                j += 2
                continue
            chars.append(text[j])
            pos.append(j)
            j += 1
        words.append(Word("".join(chars), tuple(pos), q, j + 1))
        i = j + 1
    return words if [w.value for w in words] == value else None


@dataclass
class Stage:
    index: int
    name: str | None  # `AS name`
    base: str  # the image reference, ARGs expanded
    instructions: list[Instruction] = field(default_factory=list)  # FROM first


@dataclass
class Dockerfile:
    path: PurePosixPath
    text: str
    instructions: list[Instruction]
    directives: dict[str, str]
    global_args: dict[str, str]  # ARGs before the first FROM that have defaults
    stages: list[Stage]
    # What stops Docker's parser before any step runs: (1-based line, BuildKit's words).
    errors: tuple[tuple[int, str], ...] = ()

    @property
    def final_stage(self) -> Stage | None:
        return self.stages[-1] if self.stages else None

    def chain(self, stage: Stage | None = None) -> list[Stage]:
        """`stage` preceded by the stages it builds on (`FROM builder` naming an earlier one)."""
        stage = stage or self.final_stage
        out: list[Stage] = []
        while stage is not None and stage not in out:
            out.insert(0, stage)
            base = stage.base.lower()
            stage = next(
                (s for s in self.stages[: stage.index] if s.name and s.name.lower() == base), None
            )
        return out

    def external_images(self) -> list[str]:
        """The images the build needs from a registry, in order: each stage's base that names no
        earlier stage (`scratch` aside), and the images `COPY --from=` and `RUN --mount=from=`
        read files from. References that still hold an unexpanded `$` are left out."""
        found: list[str] = []

        def add(ref: str | None, before: int) -> None:
            if not ref or "$" in ref or ref.isdigit() or ref.lower() == "scratch":
                return
            names = {s.name.lower() for s in self.stages[:before] if s.name}
            if ref.lower() not in names and ref not in found:
                found.append(ref)

        for stage in self.stages:
            add(stage.base, stage.index)
            for ins in stage.instructions[1:]:
                if ins.keyword == "COPY":
                    flag = ins.flag("from")
                    add(flag.value if flag else None, stage.index)
                elif ins.keyword == "RUN":
                    for mount in (f for f in ins.flags if f.name == "mount" and f.value):
                        fields = dict(
                            part.partition("=")[::2] for part in (mount.value or "").split(",")
                        )
                        add(fields.get("from"), stage.index)
        return found


def _lines(text: str) -> list[tuple[int, str]]:
    """(offset, line without its newline) for every line."""
    out = []
    offset = 0
    for line in text.splitlines(keepends=True):
        out.append((offset, line.rstrip("\r\n")))
        offset += len(line)
    return out


def _read_directives(lines: list[tuple[int, str]]) -> tuple[dict[str, str], int]:
    directives: dict[str, str] = {}
    for index, (_, line) in enumerate(lines):
        m = _DIRECTIVE.match(line)
        if not m or m.group(1).lower() in directives:
            return directives, index
        directives[m.group(1).lower()] = m.group(2)
    return directives, len(lines)


def directive_lines(text: str) -> list[tuple[str, str]]:
    """The parser directives that open a Dockerfile (`# syntax=...`, `# escape=...`), one per
    line from the first, in order: (key as written, value)."""
    lines = _lines(text.removeprefix("\ufeff"))
    _, count = _read_directives(lines)
    found = (_DIRECTIVE.match(line) for _, line in lines[:count])
    return [(m.group(1), m.group(2)) for m in found if m]


def parse_dockerfile(path: PurePosixPath, text: str) -> Dockerfile:
    lines = _lines(text)
    directives, first = _read_directives(lines)
    escape = "`" if directives.get("escape") == "`" else "\\"
    continuation = re.compile(re.escape(escape) + r"[ \t]*$")
    instructions: list[Instruction] = []
    errors: list[tuple[int, str]] = []
    i = first
    while i < len(lines):
        offset, line = lines[i]
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            i += 1
            continue
        chars: list[str] = []
        positions: list[int] = []
        start_line = i
        end = offset + len(line)
        while True:
            offset, line = lines[i]
            m = continuation.search(line)
            piece = line[: m.start()] if m else line
            chars.extend(piece)
            positions.extend(range(offset, offset + len(piece)))
            end = offset + len(line)
            i += 1
            if not m:
                break
            # Comment and blank lines inside a continuation are skipped, as Docker does.
            while i < len(lines) and (
                not lines[i][1].strip() or lines[i][1].lstrip().startswith("#")
            ):
                i += 1
            if i >= len(lines):
                break
        logical = "".join(chars)
        lead = len(logical) - len(logical.lstrip())
        logical, positions = logical[lead:], positions[lead:]
        m = re.match(r"(\S+)\s*", logical)
        keyword = m.group(1).upper() if m else ""
        args_start = m.end() if m else len(logical)
        heredocs: list[str] = []
        if keyword in ("RUN", "COPY", "ADD"):
            for marker in _HEREDOC.finditer(logical, args_start):
                if not _starts_word(logical, marker.start()):
                    continue  # `$((1<<N))`, `"a <<b"`: no here-document
                strip_tabs, delimiter = marker.group(1) == "-", marker.group(3)
                body: list[str] = []
                terminated = False
                while i < len(lines):
                    offset, line = lines[i]
                    i += 1
                    end = offset + len(line)
                    if (line.lstrip("\t") if strip_tabs else line) == delimiter:
                        terminated = True
                        break
                    body.append(line)
                heredocs.append("\n".join(body))
                if not terminated:
                    errors.append((start_line + 1, "unterminated heredoc"))
        flags: list[Flag] = []
        if keyword in _FLAG_KEYWORDS:
            for word in split_words(logical[args_start:]):
                if not word.value.startswith("--"):
                    args_start += word.start
                    break
                name, eq, value = word.value[2:].partition("=")
                flags.append(Flag(name.lower(), value if eq else None))
            else:
                args_start = len(logical)
        instructions.append(
            Instruction(
                keyword=keyword,
                text=logical,
                positions=tuple(positions),
                span=Span(positions[0] if positions else offset, end),
                line=start_line + 1,
                args_start=args_start,
                flags=tuple(flags),
                heredocs=tuple(heredocs),
            )
        )
    parsed = _assign_stages(path, text, instructions, directives)
    parsed.errors = tuple(errors)
    return parsed


def _starts_word(logical: str, at: int) -> bool:
    """True when `<<` at `at` opens a shell word outside quotes, as BuildKit reads a heredoc
    (`$((1<<N))` or `echo "a <<b"` is none)."""
    if at and not logical[at - 1].isspace():
        return False
    before = logical[:at]
    return before.count('"') % 2 == 0 and before.count("'") % 2 == 0


def syntax_error(text: str) -> str | None:
    """BuildKit's parse error for this Dockerfile text (`line 3: unterminated heredoc`), or
    None when it parses."""
    errors = parse_dockerfile(PurePosixPath("Dockerfile"), text).errors
    return f"line {errors[0][0]}: {errors[0][1]}" if errors else None


def _assign_stages(
    path: PurePosixPath, text: str, instructions: list[Instruction], directives: dict[str, str]
) -> Dockerfile:
    global_args: dict[str, str] = {}
    stages: list[Stage] = []
    placed: list[Instruction] = []
    for ins in instructions:
        if ins.keyword == "ARG" and not stages:
            for name, value in arg_pairs(ins):
                if value is not None:
                    global_args[name] = expand(value, global_args)
        if ins.keyword == "FROM":
            words = [w.value for w in split_words(ins.args)]
            base = expand(words[0], global_args) if words else ""
            alias = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
            stages.append(Stage(len(stages), alias, base))
        ins = _with_stage(ins, len(stages) - 1)
        placed.append(ins)
        if stages:
            stages[-1].instructions.append(ins)
    return Dockerfile(path, text, placed, directives, global_args, stages)


def _with_stage(ins: Instruction, stage: int) -> Instruction:
    return Instruction(
        ins.keyword,
        ins.text,
        ins.positions,
        ins.span,
        ins.line,
        ins.args_start,
        ins.flags,
        ins.heredocs,
        stage,
    )
