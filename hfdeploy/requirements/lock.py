"""`requirements.lock`: every package the image installs, pinned for the target Python and
platform and held to the era of the direct pins.

The cutoff is the upload time of the newest direct requirement's release (for a range, its
oldest allowed release) plus `CUTOFF_MARGIN`: long enough to take the bug-fix releases that
followed the pins, short enough that a transitive dependency cannot jump years ahead of them
(`fastapi==0.104.1` with pydantic 2.12 builds, then crashes at start). The header stores a hash
of the normalised direct requirements so `check` can tell a stale lock without the network."""

from __future__ import annotations

import hashlib
import json
import re
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from hfdeploy import __version__
from hfdeploy.cache import cache_root
from hfdeploy.requirements.declared import dependency_set
from hfdeploy.requirements.lock_header import LockInputs as LockInputs
from hfdeploy.requirements.lock_header import inputs_of
from hfdeploy.requirements.lock_header import recorded_digest as recorded_digest
from hfdeploy.requirements.lock_header import recorded_source as recorded_source
from hfdeploy.requirements.lookup import index_view
from hfdeploy.requirements.model import (
    LOCK_FILE as LOCK_FILE,  # its home before; importers keep working
)
from hfdeploy.requirements.releases import MANYLINUX_GLIBC
from hfdeploy.requirements.resolver import Resolution, resolve
from hfdeploy.target import target_python

if TYPE_CHECKING:
    from hfdeploy.project import Project

CUTOFF_MARGIN = timedelta(days=14)
RESOLUTION_TTL = 24 * 3600  # seconds a cached resolution is reused


def lock_inputs(project: Project) -> LockInputs:
    return inputs_of(dependency_set(project).requirements, target_python(project).version)


def lock_state(project: Project) -> str:
    """ "none" (nothing to lock), "missing", "stale" or "fresh"."""
    if not dependency_set(project).direct:
        return "none"
    text = project.text(LOCK_FILE)
    if text is None:
        return "missing"
    return "fresh" if recorded_digest(text) == lock_inputs(project).digest else "stale"


def locked_version(project: Project, name: str) -> str | None:
    """The version a fresh lock pins `name` to (`name==X` line), or None."""
    if lock_state(project) != "fresh":
        return None
    key = re.sub(r"[-_.]+", "-", name).lower()
    for m in re.finditer(
        r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*===?\s*([^\s;\\#]+)",
        project.text(LOCK_FILE) or "",
        re.MULTILINE,
    ):
        if re.sub(r"[-_.]+", "-", m.group(1)).lower() == key:
            return m.group(2)
    return None


TOOL_LOCKS = (PurePosixPath("poetry.lock"), PurePosixPath("uv.lock"), PurePosixPath("pdm.lock"))


def tool_locked_version(project: Project, name: str) -> tuple[PurePosixPath, str] | None:
    """The version a Poetry, uv or PDM lock at the root pins `name` to (`[[package]]` tables)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    key = re.sub(r"[-_.]+", "-", name).lower()
    for path in TOOL_LOCKS:
        text = project.text(path)
        if text is None:
            continue
        try:
            packages = tomllib.loads(text).get("package", [])
        except tomllib.TOMLDecodeError:
            continue
        for package in packages if isinstance(packages, list) else []:
            if (
                isinstance(package, dict)
                and re.sub(r"[-_.]+", "-", str(package.get("name", ""))).lower() == key
                and package.get("version")
            ):
                return path, str(package["version"])
    return None


@dataclass(frozen=True)
class Cutoff:
    when: datetime | None
    why: str
    chosen: bool = False  # set by the user (`--lock-date`, `lock-date`): no fallback


def _parse_time(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(timezone.utc)


def lock_date_choice(project: Project) -> tuple[str, str]:
    """(`era`, `today` or `YYYY-MM-DD`, where the choice came from)."""
    if project.options.lock_date:
        return project.options.lock_date, "--lock-date"
    if project.config.lock_date:
        return project.config.lock_date, "[tool.hfdeploy] lock-date"
    return "era", "default"


def era_cutoff(project: Project) -> Cutoff:
    """The date the lock is resolved as of. By default the era of the code: the newest direct
    pin's upload (+ `CUTOFF_MARGIN`); without any version bound, the date of the last commit
    that touched the dependency declaration (code written then ran with the releases of then).
    `--lock-date` / `[tool.hfdeploy] lock-date` choose `today` or a date instead."""
    choice, source = lock_date_choice(project)
    if choice == "today":
        return Cutoff(None, f"{source} today: the newest releases", chosen=True)
    if choice != "era":
        when = datetime.fromisoformat(choice).replace(tzinfo=timezone.utc)
        return Cutoff(when, f"{source} {choice}", chosen=True)
    view = index_view(project)
    newest: tuple[datetime, str] | None = None
    untimed = []
    for req in view.checked:
        found = view.found(req)
        if req.constraint or found is None:
            continue
        if not req.specifier:
            latest = [r for r in found.values() if not r.yanked and not r.version.is_prerelease]
            if latest and latest[-1].upload_time is None:
                untimed.append(req.key)
            continue
        if req.pin is not None:
            release = found.get(req.pin)
        else:
            allowed = [r for v, r in found.items() if req.specifier.contains(v) and not r.yanked]
            release = allowed[0] if allowed else None
        if release is None:
            continue
        if release.upload_time is None:
            untimed.append(req.key)
            continue
        uploaded = _parse_time(release.upload_time)
        if newest is None or uploaded > newest[0]:
            newest = (uploaded, f"{req.key} {release.version}")
    if untimed:
        return Cutoff(
            None,
            "the index does not publish upload times (PEP 700) for "
            f"{', '.join(untimed[:3])}, so no cutoff was applied",
        )
    if newest is not None:
        when = (newest[0] + CUTOFF_MARGIN).replace(microsecond=0)
        return Cutoff(
            when, f"{newest[1]} uploaded {newest[0]:%Y-%m-%d} + {CUTOFF_MARGIN.days} days"
        )
    return _commit_era(project)


def _last_change(
    project: Project, files: Iterable[PurePosixPath]
) -> tuple[datetime, str, str, bool] | None:
    """(when, commit, what, recent) of the last commit that changed `files`, None outside git;
    `recent`: within CUTOFF_MARGIN of now, too new to date anything by."""
    found = project.last_commit(files)
    if found is None:
        return None
    stamp, commit, what = found
    when = _parse_time(stamp).replace(microsecond=0)
    return when, commit, what, when >= datetime.now(timezone.utc) - CUTOFF_MARGIN


def _commit_era(project: Project) -> Cutoff:
    """No direct requirement has a version bound: the code's era is when its dependency
    declaration last changed in git."""
    deps = dependency_set(project)
    files = {r.path for r in deps.requirements}
    if deps.install_file is not None:
        files.add(deps.install_file)
    found = _last_change(project, files)
    if found is None:
        return Cutoff(
            None,
            "no direct requirement has a version bound and the project is not in git (file "
            "times are no record of when the code was written), so no cutoff was applied; "
            "set `[tool.hfdeploy] lock-date` to hold the lock to a date",
        )
    when, commit, what, recent = found
    if recent:
        return Cutoff(
            None,
            f"no direct requirement has a version bound and {what} changed in the last "
            f"{CUTOFF_MARGIN.days} days (commit {commit}), so no cutoff was applied",
        )
    return Cutoff(
        when,
        f"no direct requirement has a version bound; {what} last changed in commit {commit} "
        f"on {when:%Y-%m-%d}",
    )


def _cached_resolution(
    inputs: LockInputs, urls: tuple[str, ...], cutoff: datetime | None
) -> Resolution:
    key = json.dumps([inputs.digest, urls, cutoff.isoformat() if cutoff else None]).encode()
    path = cache_root() / "locks" / (hashlib.sha256(key).hexdigest() + ".json")
    try:
        entry = json.loads(path.read_text())
        if entry["time"] + RESOLUTION_TTL > time.time():
            return Resolution(entry["body"], entry["tool"])
    except (OSError, ValueError, KeyError):
        pass
    result = resolve(
        list(inputs.requirements), list(inputs.constraints), inputs.python, urls, cutoff
    )
    if result.error is None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(
                json.dumps({"time": time.time(), "body": result.body, "tool": result.tool})
            )
        except OSError:
            pass
    return result


@dataclass(frozen=True)
class LockResult:
    text: str | None
    error: str | None
    cutoff: Cutoff


def build_lock(project: Project) -> LockResult:
    return project.memo("rq-lock", lambda: _build(project))


def _build(project: Project) -> LockResult:
    inputs = lock_inputs(project)
    view = index_view(project)
    cutoff = era_cutoff(project)
    result = _cached_resolution(inputs, view.settings.urls, cutoff.when)
    if result.error and cutoff.when is not None and not cutoff.chosen:
        # Old releases may have no wheel for the image's Python (or be gone): a later date.
        first = cutoff
        for later in (cutoff.when + timedelta(days=365), None):
            if later is not None and later >= datetime.now(timezone.utc):
                continue
            result = _cached_resolution(inputs, view.settings.urls, later)
            if result.error is None:
                cutoff = Cutoff(
                    later,
                    f"the era's cutoff {first.when:%Y-%m-%d} ({first.why}) has no installable "
                    f"set for CPython {inputs.python}, so "
                    + (
                        f"a year later, {later:%Y-%m-%d}, was used"
                        if later
                        else "today's releases were used"
                    ),
                )
                break
    if result.error:
        return LockResult(None, result.error, cutoff)
    source = dependency_set(project).install_file
    body = result.body.replace("-r requirements", f"-r {source}")
    glibc = "_".join(map(str, MANYLINUX_GLIBC))
    when = (
        f"{cutoff.when:%Y-%m-%dT%H:%M:%SZ} ({cutoff.why}); releases uploaded later were not considered"
        if cutoff.when
        else f"none ({cutoff.why})"
    )
    header = [
        f"# This file was generated by hfdeploy {__version__} (`hfdeploy fix --write`); do not edit it.",
        f"# Every package the Space image installs, resolved from {source} by {result.tool}",
        f"# for CPython {inputs.python} on manylinux_{glibc}_x86_64, wheels only.",
        f"# Cutoff: {when}.",
        f"# input-hash: sha256:{inputs.digest}",
        "",
    ]
    source_file = project.source(source) if source else None
    nl = source_file.newline if source_file else "\n"
    return LockResult(nl.join(header) + body.replace("\n", nl), None, cutoff)


def era_hold(
    project: Project, distribution: str, installed: str, *, fallback: bool = True
) -> str | None:
    """A requirement that holds `distribution` to the era of the project's pins: its newest
    release before the era cutoff (`name==X`), else below the installed release series
    (`name<MAJOR.MINOR`, with `fallback`), since the installed one is what broke; None when
    neither is known or the installed release is already of that era."""
    from packaging.version import InvalidVersion, Version

    from hfdeploy.requirements.releases import releases

    try:
        current = Version(installed)
    except InvalidVersion:
        return None
    cutoff = era_cutoff(project).when
    if cutoff is not None:
        found = index_view(project).client.lookup(distribution)
        if found.page is not None:
            older = [
                r.version
                for r in releases(found.page).values()
                if r.version < current
                and not r.version.is_prerelease
                and not r.yanked
                and r.upload_time is not None
                and _parse_time(r.upload_time) <= cutoff
            ]
            if older:
                return f"{distribution}=={max(older)}"
    if not fallback or current.release[:2] == (0, 0) or len(current.release) < 2:
        return None
    return f"{distribution}<{current.major}.{current.minor}"


_WRITTEN_BY = re.compile(r"@generated by (Poetry|PDM) ([0-9][0-9A-Za-z.+-]*)")


@dataclass(frozen=True)
class ToolEra:
    """What a tool's lock says about the tool that wrote it, and when."""

    tool: str  # "poetry" | "pdm"
    lock: PurePosixPath
    version: str | None  # the version its header records (Poetry does, PDM does not)
    when: datetime | None  # the last commit that changed the lock
    commit: str | None


def tool_era(project: Project, tool: str) -> ToolEra | None:
    """The lock of `tool` at the project root: the version that wrote it, and its last commit."""
    path = dict(zip(("poetry", "uv", "pdm"), TOOL_LOCKS, strict=True)).get(tool)
    text = project.text(path) if path is not None else None
    if path is None or text is None:
        return None
    m = _WRITTEN_BY.search(text[:500])
    version = m.group(2) if m and m.group(1).lower() == tool else None
    found = project.last_commit([path])
    when = _parse_time(found[0]).replace(microsecond=0) if found else None
    return ToolEra(tool, path, version, when, found[1] if found else None)


def tool_set_of_era(project: Project, requirement: str, era: ToolEra) -> tuple[list[str], str]:
    """The tool (`requirement`, as the Dockerfile asks for it, held to the version that wrote
    the lock when known, else to at least the newest release of the lock's era: an older tool
    may not read the lock) and every package it needs, pinned, as of the lock's last commit;
    a year or two later when nothing installs for the image's Python then (old releases of a
    compiled dependency have no wheel for a newer Python). ([], why) when it cannot be
    resolved."""
    from packaging.requirements import InvalidRequirement, Requirement

    from hfdeploy.requirements.releases import releases

    try:
        wanted = Requirement(requirement)
    except InvalidRequirement:
        return [], f"`{requirement}` is not a requirement"
    if era.when is None:
        return [], f"{era.lock} is not in git, so its era is unknown"
    if era.version is not None:
        wanted = Requirement(f"{wanted.name}=={era.version}")
    else:
        page = index_view(project).client.lookup(wanted.name).page
        of_era = [
            r.version
            for r in (releases(page).values() if page is not None else ())
            if not r.version.is_prerelease
            and not r.yanked
            and r.upload_time is not None
            and _parse_time(r.upload_time) <= era.when
            and wanted.specifier.contains(r.version)
        ]
        if of_era:
            spec = str(wanted.specifier)
            floor = f">={max(of_era)}"
            wanted = Requirement(f"{wanted.name}{spec + ',' + floor if spec else floor}")
    python = target_python(project).version
    urls = index_view(project).settings.urls
    inputs = LockInputs((str(wanted),), (), python, f"tool:{wanted}:{python}")
    now = datetime.now(timezone.utc)
    for years in range(3):
        when = era.when + timedelta(days=365 * years)
        if years and when >= now:
            break
        result = _cached_resolution(inputs, urls, when)
        if result.error is None:
            pins = re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*==[^\s;#]+)", result.body, re.MULTILINE)
            return pins, f"as of {when:%Y-%m-%d}"
    return [], f"no set of `{wanted}` installs for CPython {python} as of {era.when:%Y-%m-%d}"


def named_set_cutoff(project: Project, path: PurePosixPath) -> Cutoff:
    """The date requirements named in `path` (a Dockerfile's `pip install a b`) are resolved
    as of: the lock's date choice; for the default (`era`), the last commit that changed
    `path`, since the names carry no version that would date them."""
    choice, _ = lock_date_choice(project)
    if choice != "era":
        return era_cutoff(project)  # `today` or a date: the index is not asked
    found = _last_change(project, [path])
    if found is None:
        return Cutoff(
            None,
            f"the project is not in git, so the era of {path} is unknown and no cutoff was "
            "applied; set `[tool.hfdeploy] lock-date` to hold the names to a date",
        )
    when, commit, what, recent = found
    if recent:
        return Cutoff(
            None,
            f"{what} changed in the last {CUTOFF_MARGIN.days} days (commit {commit}), so no "
            "cutoff was applied",
        )
    return Cutoff(when, f"{what} last changed in commit {commit} on {when:%Y-%m-%d}")


@dataclass(frozen=True)
class NamedPins:
    pins: dict[str, str]  # canonical name -> version
    error: str | None
    cutoff: Cutoff


def pins_of_named(project: Project, requirements: list[str], path: PurePosixPath) -> NamedPins:
    """`requirements` (named together on one install command of `path`) resolved with the
    lock's resolver for the image's Python, as of `named_set_cutoff`; a year later, then
    today, when nothing installs then (unless the date was chosen), as the lock does."""
    from packaging.utils import canonicalize_name

    python = target_python(project).version
    urls = index_view(project).settings.urls
    cutoff = named_set_cutoff(project, path)
    key = hashlib.sha256(
        "\n".join(["named", *sorted(requirements), f"python={python}"]).encode()
    ).hexdigest()
    inputs = LockInputs(tuple(sorted(requirements)), (), python, key)
    result = _cached_resolution(inputs, urls, cutoff.when)
    if result.error and cutoff.when is not None and not cutoff.chosen:
        first = cutoff
        for later in (cutoff.when + timedelta(days=365), None):
            if later is not None and later >= datetime.now(timezone.utc):
                continue
            result = _cached_resolution(inputs, urls, later)
            if result.error is None:
                cutoff = Cutoff(
                    later,
                    f"the era's cutoff {first.when:%Y-%m-%d} ({first.why}) has no installable "
                    f"set for CPython {python}, so "
                    + (
                        f"a year later, {later:%Y-%m-%d}, was used"
                        if later
                        else "today's releases were used"
                    ),
                )
                break
    if result.error:
        return NamedPins({}, result.error, cutoff)
    pins = {
        str(canonicalize_name(m.group(1))): m.group(2)
        for m in re.finditer(
            r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;#\\]+)", result.body, re.MULTILINE
        )
    }
    return NamedPins(pins, None, cutoff)
