"""`requirements.lock`'s header, read and computed as pure data: the file the lock was resolved
from, and the digest of the inputs it was resolved for. Shared by the lock view (`lock.py`) and
the image model, which must not depend on the dependency set that itself asks the image."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from hfdeploy.requirements.model import Declared
from hfdeploy.requirements.releases import MANYLINUX_GLIBC

_SOURCE_LINE = re.compile(
    r"^# Every package the Space image installs, resolved from (\S+) by ", re.MULTILINE
)
_HASH_LINE = re.compile(r"^# input-hash: sha256:([0-9a-f]{64})\s*$", re.MULTILINE)


@dataclass(frozen=True)
class LockInputs:
    requirements: tuple[str, ...]
    constraints: tuple[str, ...]
    python: str
    digest: str


def inputs_of(requirements: Iterable[Declared], python: str) -> LockInputs:
    """What a lock is resolved from: the normalised requirements and constraints, the target
    Python and platform, with the digest its header records."""
    items = list(requirements)
    reqs = tuple(sorted({r.requirement_text() for r in items if not r.constraint}))
    cons = tuple(sorted({r.requirement_text() for r in items if r.constraint}))
    glibc = ".".join(map(str, MANYLINUX_GLIBC))
    text = "\n".join([*reqs, *(f"-c {c}" for c in cons), f"python={python}", f"glibc={glibc}"])
    return LockInputs(reqs, cons, python, hashlib.sha256(text.encode()).hexdigest())


def recorded_source(text: str) -> PurePosixPath | None:
    """The file the lock was resolved from, as its header records it."""
    m = _SOURCE_LINE.search(text)
    return PurePosixPath(m.group(1)) if m else None


def recorded_digest(text: str) -> str | None:
    m = _HASH_LINE.search(text)
    return m.group(1) if m else None
