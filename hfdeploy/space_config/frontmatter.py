"""README.md front matter: find the YAML block, parse it with positions, and build the text that
fixes splice in. Existing front matter is never re-dumped: ruamel.yaml's round trip rewraps and
re-indents untouched lines, so fixes replace exact value spans instead."""

from __future__ import annotations

import enum
import json
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError

from hfdeploy.diagnostics import Span

if TYPE_CHECKING:
    from hfdeploy.project import Project
from hfdeploy.source import SourceFile

README = PurePosixPath("README.md")

# The opening `---` may follow blank lines, as huggingface_hub's REGEX_YAML_BLOCK allows.
_OPENING = re.compile(r"\A(?:[ \t]*\r?\n)*---[ \t]*(?:\r?\n|\Z)")
_CLOSING = re.compile(r"^---[ \t]*(?:\r?\n|\Z)", re.MULTILINE)


class Status(enum.Enum):
    NO_README = "no README.md"
    NO_BLOCK = "no front matter block"
    EMPTY = "empty front matter block"
    UNCLOSED = "front matter block not closed"
    INVALID_YAML = "front matter is not valid YAML"
    NOT_MAPPING = "front matter is not a mapping"
    OK = "ok"


@dataclass(frozen=True)
class Entry:
    """One top-level key of the front matter; spans are offsets into the README text."""

    key: str
    value: Any  # as ruamel's round-trip loader gives it (YAML 1.2: `yes` is a string)
    key_span: Span
    value_span: Span  # the value's exact text, quotes included; empty right after `:` for null
    line_span: Span | None  # the entry's own whole lines, when nothing else shares them
    style: str | None  # '"', "'", '|', '>' for such scalars; None for plain ones and collections
    text: str  # the value as written
    # Where the keys of a mapping value, or the items of a list value, are: (text, span).
    parts: tuple[tuple[str, Span], ...] = ()

    def span_of(self, part: str) -> Span:
        """Where the mapping key or list item `part` is written (the whole value if unknown)."""
        return next((span for text, span in self.parts if text == part), self.value_span)

    @property
    def shown(self) -> str:
        """The value as written, on one line and cut short, for messages."""
        flat = " ".join(self.text.split()) or "empty"
        return flat if len(flat) <= 40 else flat[:39] + "…"


@dataclass(frozen=True)
class FrontMatter:
    status: Status
    source: SourceFile | None = None
    block: Span | None = None  # opening `---` through the closing `---` line
    body: Span | None = None  # the YAML between the delimiter lines
    entries: Mapping[str, Entry] = field(default_factory=dict)
    indent: str = ""  # indentation of top-level keys, for inserted lines
    block_style: bool = True  # False for a `{...}` mapping: no lines can be inserted
    error: str | None = None
    error_offset: int | None = None
    path: PurePosixPath = README

    def get(self, key: str) -> Entry | None:
        return self.entries.get(key)

    @property
    def newline(self) -> str:
        return self.source.newline if self.source is not None else "\n"

    def insertion_offset(self) -> int | None:
        """Where a new `key: value` line can go (end of the body), if lines can be inserted."""
        if self.status is not Status.OK or not self.block_style or self.body is None:
            return None
        return self.body.end


def front_matter(project: Project) -> FrontMatter:
    """The root README.md's front matter, parsed once per project snapshot."""
    return project.memo(
        ("space_config", "front_matter"), lambda: parse_front_matter(project.source(README))
    )


def split_front_matter(text: str) -> tuple[Span, Span] | Span | None:
    """(block, body) spans; only the opening line's span when the block is not closed; None
    when the text does not start with `---`."""
    opening = _OPENING.match(text)
    if opening is None:
        return None
    closing = _CLOSING.search(text, opening.end())
    if closing is None or not opening.group().endswith("\n"):
        return Span(opening.start(), opening.end())
    return Span(0, closing.end()), Span(opening.end(), closing.start())


def parse_front_matter(source: SourceFile | None) -> FrontMatter:
    if source is None:
        return FrontMatter(Status.NO_README)
    split = split_front_matter(source.text)
    if split is None:
        return FrontMatter(Status.NO_BLOCK, source)
    if isinstance(split, Span):
        opening = source.text.index("---", split.start)
        return FrontMatter(Status.UNCLOSED, source, block=split, error_offset=opening)
    block, body = split
    yaml_text = source.text[body.start : body.end]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yaml = YAML(typ="rt")
            root = yaml.compose(yaml_text)  # parsed once: the nodes give spans, then the data
            data = None if root is None else yaml.constructor.construct_document(root)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        # An error found at the end of the block (an unclosed bracket or quote) is reported
        # where the unclosed construct starts, not on the closing `---`.
        if (
            mark is not None
            and exc.context_mark is not None
            and mark.index >= len(yaml_text.rstrip())
        ):
            mark = exc.context_mark
        offset = body.start + (mark.index if mark is not None else 0)
        return _invalid(source, block, body, _yaml_message(exc), offset)
    except ReaderError as exc:
        return _invalid(source, block, body, str(exc).splitlines()[-1], body.start + exc.position)
    except (YAMLError, ValueError, RecursionError) as exc:
        return _invalid(source, block, body, str(exc) or type(exc).__name__, body.start)
    if data is None:
        return FrontMatter(Status.EMPTY, source, block=block, body=body)
    if not isinstance(data, Mapping) or not isinstance(root, MappingNode):
        kind = "a list" if isinstance(data, list) else f"a single {type(data).__name__} value"
        return FrontMatter(
            Status.NOT_MAPPING, source, block, body, error=f"it is {kind}", error_offset=body.start
        )
    entries: dict[str, Entry] = {}
    for key_node, value_node in root.value:
        key = str(key_node.value) if isinstance(key_node, ScalarNode) else str(key_node.tag)
        if key in entries or key not in data:
            continue
        entries[key] = _entry(source.text, body.start, key, data[key], key_node, value_node)
    first = root.value[0][0].start_mark.column if root.value else 0
    return FrontMatter(
        Status.OK, source, block, body, entries, indent=" " * first, block_style=not root.flow_style
    )


def _invalid(source: SourceFile, block: Span, body: Span, message: str, offset: int) -> FrontMatter:
    return FrontMatter(
        Status.INVALID_YAML, source, block, body, error=message, error_offset=min(offset, body.end)
    )


def _yaml_message(exc: MarkedYAMLError) -> str:
    parts = [exc.context, exc.problem]
    message = "; ".join(p for p in parts if p) or type(exc).__name__
    return message.replace("'<stream end>'", "the end of the block").replace(
        "end of stream", "end of the block"
    )


def _alias_entry(text: str, key: str, value: Any, key_span: Span) -> Entry:
    colon = text.find(":", key_span.end)
    start = colon + 1 if colon != -1 else key_span.end
    line_end = text.find("\n", start)
    line_end = len(text) if line_end == -1 else line_end
    while start < line_end and text[start] in " \t":
        start += 1
    end = start
    while end < line_end and text[end] not in " \t#":
        end += 1
    own_lines = _own_lines(text, key_span.start, end)
    return Entry(key, value, key_span, Span(start, end), own_lines, None, text[start:end], ())


def _entry(text: str, base: int, key: str, value: Any, key_node: Node, value_node: Node) -> Entry:
    key_span = Span(base + key_node.start_mark.index, base + key_node.end_mark.index)
    if value_node.start_mark.index < key_node.end_mark.index:
        # An alias (`key: *name`): the composed node is the anchored one, written earlier, so
        # its marks point there. The value's own text is the `*name` right after the colon.
        return _alias_entry(text, key, value, key_span)
    start = base + value_node.start_mark.index
    end = base + _node_end(text[base:], value_node)
    style = getattr(value_node, "style", None) if isinstance(value_node, ScalarNode) else None
    if start >= end:  # `key:` with nothing after it: point just past the colon
        colon = text.find(":", key_span.end)
        start = end = colon + 1 if colon != -1 else key_span.end
    own_lines = _own_lines(text, key_span.start, end)
    children = (
        [k for k, _ in value_node.value]
        if isinstance(value_node, MappingNode)
        else (value_node.value if isinstance(value_node, SequenceNode) else [])
    )
    parts = tuple(
        (str(c.value), Span(base + c.start_mark.index, base + c.end_mark.index))
        for c in children
        if isinstance(c, ScalarNode)
    )
    return Entry(key, value, key_span, Span(start, end), own_lines, style, text[start:end], parts)


def _node_end(text: str, node: Node) -> int:
    """End of a node's own text: ruamel's end mark for a block collection or block scalar runs on
    over trailing comments and blank lines."""
    if isinstance(node, (SequenceNode, MappingNode)) and not node.flow_style and node.value:
        last = node.value[-1]
        return _node_end(text, last[1] if isinstance(last, tuple) else last)
    end: int = node.end_mark.index
    if isinstance(node, ScalarNode) and node.style in ("|", ">"):
        start = node.start_mark.index
        end = start + len(text[start:end].rstrip())
    return end


def _own_lines(text: str, start: int, end: int) -> Span | None:
    """The whole lines from `start` to `end` (newline included) if nothing else is on them."""
    line_start = text.rfind("\n", 0, start) + 1
    if text[line_start:start].strip():
        return None
    newline = text.find("\n", end)
    line_end = len(text) if newline == -1 else newline + 1
    rest = text[end:line_end].strip()
    if rest and not rest.startswith("#"):
        return None
    return Span(line_start, line_end)


# -- writing -------------------------------------------------------------------------------
_PLAIN_SAFE = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`][^\r\n]*")
_NOT_A_STRING = re.compile(
    r"(?i:y|n|yes|no|on|off|true|false|null|~)|[-+.]?\d.*|\.(?i:inf|nan)|<<|=", re.DOTALL
)


def yaml_scalar(text: str) -> str:
    """`text` as a YAML scalar that reads back as that same string: plain when it is safe,
    double-quoted otherwise (a JSON string is a valid YAML double-quoted scalar)."""
    plain = (
        _PLAIN_SAFE.fullmatch(text) is not None
        and text == text.strip()
        and ": " not in text
        and " #" not in text
        and not text.endswith(":")
        and _NOT_A_STRING.fullmatch(text) is None
        and text.isprintable()
    )
    return text if plain else double_quoted(text)


def double_quoted(text: str) -> str:
    """A YAML double-quoted scalar: JSON's escapes, plus escapes for the non-printable
    characters JSON leaves raw (DEL, NEL, ...) and YAML refuses."""
    quoted = json.dumps(text, ensure_ascii=False)
    return "".join(
        c if c.isprintable() else (f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}")
        for c in quoted
    )


def requote(entry: Entry, text: str) -> str:
    """`text` as the replacement for `entry`'s value, keeping its quote style when it can."""
    if entry.style == '"':
        return double_quoted(text)
    if entry.style == "'" and "\n" not in text:
        return "'" + text.replace("'", "''") + "'"
    return yaml_scalar(text)


def replacement_at(entry: Entry, value_text: str) -> str:
    """What to put at `entry.value_span`: a null value's empty span sits right after the colon."""
    return value_text if entry.value_span.start < entry.value_span.end else " " + value_text
