"""Decoded file text: how bytes on disk become the `str` every check works on, and back."""

from __future__ import annotations

import codecs
import hashlib
import io
import tokenize
from dataclasses import dataclass, field
from pathlib import PurePosixPath


@dataclass
class SourceFile:
    path: PurePosixPath
    text: str  # decoded, newlines untranslated, without a BOM
    encoding: str = "utf-8"
    bom: bool = False
    digest: str = ""  # sha256 of the bytes on disk when read ("" for new files)
    _lines: list[str] = field(default_factory=list, init=False, repr=False, compare=False)
    _lines_of: str | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def newline(self) -> str:
        crlf = self.text.count("\r\n")
        return "\r\n" if crlf and crlf * 2 >= self.text.count("\n") else "\n"

    def encode(self, text: str | None = None) -> bytes:
        data = (self.text if text is None else text).encode(self.encoding)
        return (_BOMS.get(self.encoding, codecs.BOM_UTF8) + data) if self.bom else data

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column of a str offset."""
        offset = max(0, min(offset, len(self.text)))
        line = self.text.count("\n", 0, offset) + 1
        start = self.text.rfind("\n", 0, offset) + 1
        return line, offset - start + 1

    def line_text(self, line: int) -> str:
        # Split once per text: asked once per finding, a 12k-line README made this quadratic.
        if self._lines_of is not self.text:
            self._lines, self._lines_of = self.text.splitlines(), self.text
        lines = self._lines
        return lines[line - 1] if 0 < line <= len(lines) else ""

    def offset_of_line(self, line: int) -> int:
        """str offset where 1-based `line` starts (len(text) past the end)."""
        offset = 0
        for _ in range(line - 1):
            nl = self.text.find("\n", offset)
            if nl == -1:
                return len(self.text)
            offset = nl + 1
        return offset


class UnreadableFile(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# `pip freeze > requirements.txt` in Windows PowerShell writes UTF-16 with a BOM, which pip and
# uv read (requirements files only: Python, docker, the Hub and dotenv loaders do not).
_UTF16_SUFFIXES = (".txt", ".in")
_BOMS = {
    "utf-8": codecs.BOM_UTF8,
    "utf-16-le": codecs.BOM_UTF16_LE,
    "utf-16-be": codecs.BOM_UTF16_BE,
}


def decode(path: PurePosixPath, data: bytes) -> SourceFile:
    """Decode file bytes the way Python (for .py) or an editor (otherwise) would."""
    utf16 = next((e for e in ("utf-16-le", "utf-16-be") if data.startswith(_BOMS[e])), None)
    if utf16 is not None and path.suffix in _UTF16_SUFFIXES:
        try:
            text = data[2:].decode(utf16)
        except UnicodeDecodeError as exc:
            raise UnreadableFile(f"not valid {utf16} ({exc.reason})") from None
        if "\0" in text[:8192]:
            raise UnreadableFile("binary file (contains NUL bytes)")
        return SourceFile(path, text, utf16, True, hashlib.sha256(data).hexdigest())
    if b"\0" in data[:8192]:
        raise UnreadableFile("binary file (contains NUL bytes)")
    bom = data.startswith(codecs.BOM_UTF8)
    body = data[3:] if bom else data
    encoding = "utf-8"
    if path.suffix in (".py", ".pyi"):
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        except SyntaxError as exc:
            if b"coding" not in b"".join(data.splitlines(keepends=True)[:2]):
                raise UnreadableFile("not valid utf-8 (no encoding declaration)") from None
            raise UnreadableFile(f"bad encoding declaration ({exc.msg})") from None
        encoding = "utf-8" if encoding == "utf-8-sig" else encoding
    try:
        text = body.decode(encoding)
    except (
        UnicodeError,
        LookupError,
    ) as exc:  # `coding: undefined` / `punycode` raise UnicodeError
        reason = getattr(exc, "reason", None) or str(exc).split(" (")[0]
        raise UnreadableFile(f"not valid {encoding} ({reason})") from None
    return SourceFile(path, text, encoding, bom, hashlib.sha256(data).hexdigest())
