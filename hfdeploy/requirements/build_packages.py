"""System packages that let pip build a source-only requirement in a Debian-based Python image,
from a maintained mapping, and the Dockerfile edit that installs them before `pip install`."""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING

from hfdeploy.diagnostics import Edit
from hfdeploy.requirements.declared import dependency_set

if TYPE_CHECKING:
    from hfdeploy.project import Project

# Distribution (canonical name) -> Debian packages its source build needs (compiler, headers,
# pkg-config). The -dev packages pull in the runtime libraries, which stay installed. Only
# packages that publish no Linux wheel; keep it short and certain.
BUILD_PACKAGES: dict[str, tuple[str, ...]] = {
    "mysqlclient": ("default-libmysqlclient-dev", "build-essential", "pkg-config"),
    "psycopg2": ("libpq-dev", "gcc"),
    "python-ldap": ("libldap2-dev", "libsasl2-dev", "gcc"),
}
_PIP = ("pip", "pip3")
_APT = ("apt-get", "apt")


def build_packages_for(key: str) -> tuple[str, ...]:
    return BUILD_PACKAGES.get(key, ())


def needed_build_packages(project: Project, skip: frozenset[str] = frozenset()) -> list[str]:
    """Build packages for the declared source-only requirements (minus `skip`), in order."""
    wanted: list[str] = []
    for req in dependency_set(project).direct:
        if req.key in skip or req.url:
            continue
        wanted += [p for p in build_packages_for(req.key) if p not in wanted]
    return wanted


def apt_installed(project: Project) -> set[str]:
    """Packages some `apt-get install` of the image's final stage installs."""
    try:
        from hfdeploy.dockerfile.stage import run_commands, runtime
    except ImportError:
        return set()
    rt = runtime(project)
    found: set[str] = set()
    for step in rt.of("RUN") if rt is not None else []:
        for cmd in run_commands(step.ins):
            words = [w.value for w in cmd]
            if words and posixpath.basename(words[0]) in _APT and "install" in words:
                found |= {w for w in words[words.index("install") + 1 :] if not w.startswith("-")}
    return found


def _pip_install(words: list[str]) -> bool:
    if len(words) > 3 and words[0].startswith("python") and words[1:3] == ["-m", "pip"]:
        words = words[2:]
    return bool(words) and posixpath.basename(words[0]) in _PIP and "install" in words


def apt_edit(project: Project, packages: list[str]) -> Edit | None:
    """Insert a RUN that installs `packages` before the final stage's first `pip install`
    (switching to root for it when that step runs as another user)."""
    try:
        from hfdeploy.dockerfile.stage import is_root, run_commands, runtime
    except ImportError:
        return None
    rt = runtime(project)
    if rt is None or any("alpine" in s.ins.args for s in rt.of("FROM")):
        return None  # no Dockerfile (the generated one installs them), or no apt-get
    text = rt.dockerfile.text
    nl = "\r\n" if "\r\n" in text else "\n"
    for step in rt.of("RUN"):
        if not any(_pip_install([w.value for w in c]) for c in run_commands(step.ins)):
            continue
        run = (
            "RUN apt-get update \\"
            + nl
            + "    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \\"
            + nl
            + f"        {' '.join(packages)} \\"
            + nl
            + "    && rm -rf /var/lib/apt/lists/*"
            + nl
        )
        comment = "# Build packages for requirements that publish no Linux wheel." + nl
        block = comment + run
        if not is_root(step.user):
            block = comment + "USER root" + nl + run + f"USER {step.user}" + nl
        line_start = text.rfind("\n", 0, step.ins.span.start) + 1
        return Edit.insert(rt.dockerfile.path, line_start, block)
    return None
