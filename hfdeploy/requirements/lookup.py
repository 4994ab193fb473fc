"""The install set looked up on the index once per snapshot, shared by the RQ checks."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from packaging.markers import InvalidMarker, Marker, UndefinedComparison, UndefinedEnvironmentName
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from hfdeploy.redact import redact_url
from hfdeploy.requirements.declared import dependency_set
from hfdeploy.requirements.index import IndexClient, Lookup
from hfdeploy.requirements.model import Declared
from hfdeploy.requirements.pipconfig import (
    ENVIRONMENT,
    IndexSettings,
    config_files,
    index_settings,
)
from hfdeploy.requirements.releases import Release, Releases, chosen_release, releases
from hfdeploy.requirements.simple_api import DistFile
from hfdeploy.target import target_python

if TYPE_CHECKING:
    from hfdeploy.project import Project


def marker_environment(python: str) -> dict[str, str]:
    """PEP 508 marker values inside a python:X.Y-slim image on linux x86_64."""
    return {
        "implementation_name": "cpython",
        "implementation_version": python + ".0",
        "os_name": "posix",
        "platform_machine": "x86_64",
        "platform_python_implementation": "CPython",
        "platform_release": "",
        "platform_system": "Linux",
        "platform_version": "",
        "python_full_version": python + ".0",
        "python_version": python,
        "sys_platform": "linux",
        "extra": "",
    }


def applies(marker: Marker | None, python: str, extras: frozenset[str] = frozenset()) -> bool:
    if marker is None:
        return True
    env = marker_environment(python)
    try:
        return any(marker.evaluate({**env, "extra": e}) for e in (*sorted(extras), ""))
    except (UndefinedComparison, UndefinedEnvironmentName, InvalidMarker):
        return True  # when unsure, check it


@dataclass
class IndexView:
    settings: IndexSettings
    python: str
    client: IndexClient
    checked: list[Declared] = field(default_factory=list)  # requirements looked up
    lookups: dict[str, Lookup] = field(default_factory=dict)
    releases: dict[str, Releases] = field(default_factory=dict)

    @property
    def unavailable(self) -> list[Declared]:
        return [r for r in self.checked if self.lookups[r.key].error is not None]

    def lookup(self, req: Declared) -> Lookup:
        return self.lookups[req.key]

    def found(self, req: Declared) -> Releases | None:
        """The project's releases, or None when it is missing or could not be looked up."""
        return self.releases.get(req.key)

    def chosen(self, req: Declared) -> Release | None:
        found = self.found(req)
        return None if found is None else chosen_release(req, found, self.python)


def project_index_settings(project: Project) -> IndexSettings:
    # What pip's configuration says depends on these, outside the project: recorded so that
    # an offline result may be cached (`Check.cacheable_offline`).
    for name in ENVIRONMENT:
        project.note_environment(name)
    for path in config_files(os.environ):
        project.note_outside(path)
    deps = dependency_set(project)
    option = project.options.index_url or project.config.index_url
    source = "--index-url" if project.options.index_url else project.config.source
    return index_settings(
        option_url=option,
        option_source=source,
        file_url=deps.index_url,
        file_extra=deps.extra_index_urls,
        file_no_index=deps.no_index,
    )


def index_view(project: Project) -> IndexView:
    return project.memo("rq-index-view", lambda: _look_up(project))


def _look_up(project: Project) -> IndexView:
    python = target_python(project).version
    settings = project_index_settings(project)
    client = IndexClient(
        settings.urls, offline=project.options.offline, on_read=project.note_outside
    )
    view = IndexView(settings, python, client)
    view.checked = [
        r
        for r in dependency_set(project).requirements
        if r.checkable and r.name and applies(r.marker, python)
    ]
    if not view.checked:
        return view
    find_links = dependency_set(project).find_links
    if find_links:
        # pip also takes releases from `--find-links` pages (the PyTorch `+cpu` wheels), which
        # are not read: a pin found only there would read as never released, and be rewritten.
        reason = (
            f"`--find-links {redact_url(find_links[0])}` offers releases hfdeploy does not read"
        )
        view.lookups = {r.key: Lookup(r.key, error=reason) for r in view.checked}
        return view
    pins = {r.key: r.pin for r in view.checked if r.pin is not None}
    metadata: dict[str, str | None] = {}

    def fetch_metadata(lookup: Lookup) -> None:
        # The conflict check (RQ007) reads each pinned release's metadata: fetch it while
        # the other pages are still loading.
        pin = pins.get(canonicalize_name(lookup.name))
        release = releases(lookup.page).get(pin) if lookup.page is not None and pin else None
        wheel = _metadata_wheel(release, python) if release else None
        if wheel is not None:
            metadata[wheel.url] = view.client.core_metadata(wheel)

    view.lookups = view.client.lookup_many([r.name for r in view.checked], fetch_metadata)
    for key, lookup in view.lookups.items():
        if lookup.page is not None:
            view.releases[key] = releases(lookup.page)
    for url, text in metadata.items():
        project.memo(("rq-metadata", url), _constant(text))
    return view


def _metadata_wheel(release: Release, python: str) -> DistFile | None:
    return release.target_wheel(python) or next(iter(release.wheels()), None)


def dependencies_of(project: Project, req: Declared, release: Release) -> list[Requirement] | None:
    """Requires-Dist of `release` for the target, with `req`'s extras; None when the index
    has no metadata for it."""
    view = index_view(project)
    wheel = _metadata_wheel(release, view.python)
    if wheel is None:
        return None
    text = project.memo(("rq-metadata", wheel.url), lambda: view.client.core_metadata(wheel))
    if text is None:
        return None
    out = []
    from email.parser import HeaderParser  # deferred: read only for fetched metadata

    for line in HeaderParser().parsestr(text).get_all("Requires-Dist") or []:
        try:
            dep = Requirement(line)
        except InvalidRequirement:
            continue
        if applies(dep.marker, view.python, req.extras):
            out.append(dep)
    return out


def installed_modules(project: Project, reqs: list[Declared]) -> dict[str, frozenset[str]]:
    """Distribution key -> the top-level modules its chosen release's wheel installs, read from
    the wheel's file list on the index (cached on disk); distributions without an answer
    (offline, no wheel, not found) are left out."""

    def read() -> dict[str, frozenset[str]]:
        view = index_view(project)
        wheels: dict[str, DistFile] = {}
        for req in reqs:
            release = view.chosen(req) if req.checkable and req.key in view.lookups else None
            wheel = _metadata_wheel(release, view.python) if release is not None else None
            if wheel is not None:
                wheels[req.key] = wheel
        if not wheels:
            return {}
        with ThreadPoolExecutor(min(16, len(wheels))) as pool:
            found = dict(
                zip(wheels, pool.map(view.client.wheel_modules, wheels.values()), strict=True)
            )
        return {key: mods for key, mods in found.items() if mods is not None}

    return project.memo(("rq-installed-modules", tuple(r.key for r in reqs)), read)


def prefetch_metadata(project: Project, pairs: list[tuple[Declared, Release]]) -> None:
    """Fetch the metadata of many releases at once (the client caches it on disk)."""
    view = index_view(project)
    wheels = [w for _, rel in pairs if (w := _metadata_wheel(rel, view.python))]
    todo = list(dict.fromkeys(wheels))
    if len(todo) > 1:
        with ThreadPoolExecutor(min(16, len(todo))) as pool:
            for w, text in zip(todo, pool.map(view.client.core_metadata, todo), strict=False):
                project.memo(("rq-metadata", w.url), _constant(text))


def _constant(value: str | None) -> Callable[[], str | None]:
    return lambda: value
