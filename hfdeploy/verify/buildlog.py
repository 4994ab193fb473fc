"""Build output as steps: which step ran or came from the cache, and which one failed.

Two dialects feed it: the legacy builder's JSON stream (`Step 2/5 : RUN ...`, ` ---> Using cache`)
and BuildKit's `--progress=plain` lines (`#6 [2/5] RUN ...`, `#6 CACHED`, `#6 ERROR: ...`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_LEGACY_STEP = re.compile(r"^Step (?P<index>\d+/\d+) : (?P<instruction>.*)$")
_LEGACY_NOISE = re.compile(
    r"^ ---> (?:[0-9a-f]{12}|Running in [0-9a-f]+)$|^Removing intermediate container |"
    r"^Successfully (?:built|tagged) |^ ---> \[Warning\]"
)
_KIT_LINE = re.compile(r"^#(?P<vertex>\d+) (?P<rest>.*)$")
_KIT_HEADER = re.compile(r"^\[(?P<stage>[^\]]+)\] (?P<instruction>.*)$")
_KIT_OUTPUT = re.compile(r"^\d+\.\d+ (?P<text>.*)$")
TAIL_LINES = 25


@dataclass
class Step:
    index: str  # "2/5" as the builder numbers it
    instruction: str  # "RUN pip install -r requirements.txt"
    output: list[str] = field(default_factory=list)
    cached: bool = False

    @property
    def title(self) -> str:
        return f"[{self.index}] {self.instruction}"


@dataclass(frozen=True)
class BuildEvent:
    kind: str  # "step" (a step began), "cached" (it came from the cache), "output" (a line of it)
    step: Step
    text: str = ""


Listener = Callable[[BuildEvent], None]


class BuildLog:
    """Accumulates build output; tells the listener as steps start and print."""

    def __init__(self, listener: Listener | None = None) -> None:
        self.steps: list[Step] = []
        self.error: str | None = None
        self.failed_step: Step | None = None
        self.trailer: list[str] = []  # lines outside any step (BuildKit's closing error block)
        self._listener = listener
        self._pending = ""
        self._vertices: dict[str, Step] = {}

    # -- legacy builder (docker SDK JSON stream) -------------------------------------------------
    def feed_legacy(self, chunk: dict[str, object]) -> None:
        if "error" in chunk:
            self.error = ANSI.sub("", str(chunk["error"])).strip()
            self.failed_step = self.steps[-1] if self.steps else None
            return
        text = chunk.get("stream")
        if not isinstance(text, str):
            return
        self._pending += ANSI.sub("", text)
        *lines, self._pending = self._pending.split("\n")
        for line in lines:
            self._legacy_line(line.rstrip("\r"))

    def finish(self) -> None:
        if self._pending:
            self._legacy_line(self._pending)
            self._pending = ""

    def _legacy_line(self, line: str) -> None:
        if match := _LEGACY_STEP.match(line):
            self._start(Step(match["index"], match["instruction"].strip()))
        elif line == " ---> Using cache" and self.steps:
            self._mark_cached(self.steps[-1])
        elif line.strip() and not _LEGACY_NOISE.match(line) and self.steps:
            self._output(self.steps[-1], line)

    # -- BuildKit plain progress ---------------------------------------------------------------
    def feed_buildkit(self, raw: str) -> None:
        line = ANSI.sub("", raw).rstrip("\r\n")
        match = _KIT_LINE.match(line)
        if match is None:
            if line.strip() and line.strip() != "------":
                self.trailer.append(line)
            return
        vertex, rest = match["vertex"], match["rest"]
        if (header := _KIT_HEADER.match(rest)) and vertex not in self._vertices:
            stage = header["stage"]  # "2/5", or "builder 2/5" in a multi-stage build
            begun = Step(stage, header["instruction"].strip())
            self._vertices[vertex] = begun
            if stage != "internal":  # context transfer and metadata loading are not steps
                self._start(begun)
            return
        step = self._vertices.get(vertex)
        if step is None:
            return
        if rest == "CACHED":
            self._mark_cached(step)
        elif rest.startswith("ERROR"):
            self.failed_step = step
            self.error = rest.partition(":")[2].strip() or rest
        elif output := _KIT_OUTPUT.match(rest):
            self._output(step, output["text"])

    def finish_buildkit(self, returncode: int) -> None:
        if returncode != 0 and self.error is None:
            self.error = (
                self.trailer[-1] if self.trailer else f"docker build exited with {returncode}"
            )

    # -- results ---------------------------------------------------------------------------------
    @property
    def cached_steps(self) -> int:
        return sum(1 for s in self.steps if s.cached)

    @property
    def layer_steps(self) -> list[Step]:
        """RUN, COPY and ADD: the steps whose cache hits decide how long a build takes."""
        return [s for s in self.steps if _creates_layer(s)]

    @property
    def fully_cached(self) -> bool:
        steps = self.layer_steps
        return bool(steps) and all(s.cached for s in steps)

    def failure_tail(self, lines: int = TAIL_LINES) -> list[str]:
        source = self.failed_step.output if self.failed_step else self.trailer
        return source[-lines:]

    # -- plumbing --------------------------------------------------------------------------------
    def _start(self, step: Step) -> None:
        self.steps.append(step)
        self._emit(BuildEvent("step", step))

    def _mark_cached(self, step: Step) -> None:
        if not step.cached:
            step.cached = True
            self._emit(BuildEvent("cached", step))

    def _output(self, step: Step, line: str) -> None:
        step.output.append(line)
        self._emit(BuildEvent("output", step, line))

    def _emit(self, event: BuildEvent) -> None:
        if self._listener is not None:
            self._listener(event)


def _creates_layer(step: Step) -> bool:
    # The legacy builder reports metadata steps (ENV, CMD, ...) as cached too; BuildKit does not
    # list them at all. Only RUN/COPY/ADD decide whether the build was served from the cache.
    return step.instruction.split(" ", 1)[0].upper() in {"RUN", "COPY", "ADD"}
