"""Stand-ins verify builds for images the engine cannot pull, from the package index.

A Space pulls every image its Dockerfile names. An engine that cannot reach a registry (an offline
CI runner, a company network that mirrors only the package index and Docker Hub) fails the build
before the app's first line, and verify then says nothing about the app. For one family of images
the content is also published on the package index, so verify can build the same thing locally:
Astral's uv images. `ghcr.io/astral-sh/uv:<version>` is a `scratch` image holding the `uv` and
`uvx` binaries, which the `uv` wheel of the same version carries too; the derived tags
(`<version>-python3.12-bookworm-slim`, `python3.12-bookworm`) are the official
`python:3.12-slim-bookworm` (or `python:3.12-bookworm`) with those binaries in `/usr/local/bin`.

Before the build, for each such image the Dockerfile needs (`FROM`, `COPY --from=`,
`RUN --mount=from=`; the Dockerfile domain lists them) that the engine does not have and cannot
pull, verify downloads the wheel from the index pip would use (the user's pip configuration),
builds the stand-in with the engine, tags it with the very reference the Dockerfile names and
labels it `hfdeploy.substitute`, and reports it (RT034). A later `docker pull` of that reference
replaces it. Tags naming no version take the index's newest release; `0.5` takes the newest 0.5.x.
Flavours with another C library (`alpine`, `musl`) or a base verify cannot name get no stand-in:
the build then fails as before, with the engine's message.
"""

from __future__ import annotations

import io
import re
import tarfile
import zipfile
from dataclasses import dataclass
from typing import Any

from packaging.utils import InvalidWheelFilename, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from hfdeploy.diagnostics import Diagnostic
from hfdeploy.project import Project
from hfdeploy.verify.docker_client import DockerClient, DockerFailure
from hfdeploy.verify.findings import finding

LABEL = "hfdeploy.substitute"
_UV_IMAGE = re.compile(
    r"(?:ghcr\.io/)astral-sh/uv(?::(?P<tag>[\w][\w.-]*))?(?:@sha256:[0-9a-f]{64})?", re.IGNORECASE
)
# `0.5.11`, `0.5`, then an optional flavour: `python3.12-bookworm-slim`, `bookworm-slim`, ...
_TAG = re.compile(r"(?P<version>\d+\.\d+(?:\.\d+)?)?-?(?P<flavour>.*)")
_PYTHON_FLAVOUR = re.compile(
    r"python(?P<python>3\.\d+)-(?P<debian>bookworm|trixie|bullseye)(?P<slim>-slim)?"
)
_DEBIAN_FLAVOUR = re.compile(r"(?P<debian>bookworm|trixie|bullseye|debian)(?P<slim>-slim)?")
# The engine's architecture (Go's names) -> the wheel platform tag's machine.
_MACHINE = {"amd64": "x86_64", "arm64": "aarch64", "": "x86_64"}


@dataclass(frozen=True)
class UvImage:
    reference: str  # as the Dockerfile writes it
    version: str  # "0.5.11", "0.5" or "" (the newest)
    base: str  # "scratch", or the image the binaries are added to
    bin_dir: str  # where the binaries go: "/" in the scratch image, else /usr/local/bin


def uv_image(reference: str) -> UvImage | None:
    """What `reference` holds, when it is one of Astral's uv images verify can rebuild."""
    match = _UV_IMAGE.fullmatch(reference)
    if not match:
        return None
    tag = _TAG.fullmatch(match.group("tag") or "latest")
    if tag is None:
        return None
    version, flavour = tag.group("version") or "", tag.group("flavour")
    if flavour in ("", "latest"):
        return UvImage(reference, version, "scratch", "/")
    python = _PYTHON_FLAVOUR.fullmatch(flavour)
    if python:
        variant = "slim-" + python["debian"] if python["slim"] else python["debian"]
        return UvImage(reference, version, f"python:{python['python']}-{variant}", "/usr/local/bin")
    debian = _DEBIAN_FLAVOUR.fullmatch(flavour)
    if debian:
        release = "bookworm" if debian["debian"] == "debian" else debian["debian"]
        suffix = "-slim" if debian["slim"] else ""
        return UvImage(reference, version, f"debian:{release}{suffix}", "/usr/local/bin")
    return None  # alpine, musl, or a flavour not known here


def substitute_images(project: Project, client: DockerClient) -> list[Diagnostic]:
    """Build the stand-ins the Dockerfile needs; one finding per image (built, reused, failed)."""
    from hfdeploy.dockerfile.stage import runtime

    rt = runtime(project)
    if rt is None:
        return []
    found: list[Diagnostic] = []
    for reference in rt.dockerfile.external_images():
        image = uv_image(reference)
        if image is None:
            continue
        if client.image_id(reference) is not None:
            if LABEL in client.image_labels(reference):
                found.append(_reused(image))
            continue
        pulled = client.pull(reference)
        if pulled is None:
            continue
        found.append(_substitute(project, client, image, pulled))
    return found


def _substitute(
    project: Project, client: DockerClient, image: UvImage, pulled: DockerFailure
) -> Diagnostic:
    why = f"`{image.reference}` could not be pulled ({pulled.message[:160]})"
    machine = _MACHINE.get(client.engine.arch, client.engine.arch)
    # The official scratch image holds static binaries (they run in any image, alpine too): the
    # musllinux wheel's are; a Debian-based image takes the manylinux (glibc) build.
    libcs = ("musllinux", "manylinux") if image.base == "scratch" else ("manylinux",)
    wheel = _uv_wheel(project, image.version, machine, libcs)
    if isinstance(wheel, str):
        return _told(f"{why}, and no stand-in could be built: {wheel}")
    version, data = wheel
    try:
        binaries = _binaries(data)
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        return _told(f"{why}, and the `uv` {version} wheel could not be read ({exc})")
    if image.base != "scratch" and client.image_id(image.base) is None:
        failed = client.pull(image.base)
        if failed is not None:
            return _told(f"{why}, and its base `{image.base}` cannot be pulled either")
    built = client.build_image(
        _context(image, binaries), image.reference, {LABEL: f"uv {version} from the package index"}
    )
    if built is not None:
        return _told(f"{why}, and building a stand-in failed: {built.message}")
    return finding(
        "RT034",
        f"{why}: verify built a stand-in from the `uv` {version} wheel on the package index "
        f"(the same `uv` and `uvx` binaries{'' if image.base == 'scratch' else ' on ' + image.base}) "
        "and tagged it so; a Space pulls the real image, and `docker pull` replaces the stand-in",
        path="Dockerfile",
    )


def _reused(image: UvImage) -> Diagnostic:
    return finding(
        "RT034",
        f"`{image.reference}` is a stand-in verify built earlier from the `uv` wheel on the "
        "package index (the engine could not pull it); `docker pull` replaces it",
        path="Dockerfile",
    )


def _told(message: str) -> Diagnostic:
    return finding("RT034", message, path="Dockerfile")


def _uv_wheel(
    project: Project, wanted: str, machine: str, libcs: tuple[str, ...]
) -> tuple[str, bytes] | str:
    """(version, wheel bytes) of the newest `uv` release matching `wanted`, or why none."""
    from hfdeploy.requirements.index import IndexClient, IndexError_
    from hfdeploy.requirements.lookup import project_index_settings

    settings = project_index_settings(project)
    client = IndexClient(settings.urls, offline=project.options.offline)
    lookup = client.lookup("uv")
    if lookup.page is None:
        return lookup.error or "the package index has no `uv` project"
    choices: list[tuple[Version, list[list[Any]]]] = []
    for text, rows in lookup.page.groups.items():
        try:
            version = Version(text)
        except InvalidVersion:
            continue
        if version.is_prerelease or not _matches(version, wanted):
            continue
        choices.append((version, rows))
    from hfdeploy.requirements.simple_api import DistFile

    for version, rows in sorted(choices, key=lambda c: c[0], reverse=True):
        files = [DistFile.from_list(row) for row in rows]
        usable = [f for f in files if f.yanked is None]
        wheel = next(
            (f for libc in libcs for f in usable if _fits(f.filename, machine, libc)), None
        )
        if wheel is None:
            continue
        try:
            return str(version), client.download(wheel)
        except IndexError_ as exc:
            return f"downloading {wheel.filename} failed: {exc}"
    shown = f"`uv` {wanted}" if wanted else "`uv`"
    return f"the package index has no {shown} wheel for linux {machine}"


def _matches(version: Version, wanted: str) -> bool:
    if not wanted:
        return True
    parts = [int(p) for p in wanted.split(".")]
    return list(version.release[: len(parts)]) == parts and (
        len(parts) < 3 or len(version.release) == 3
    )


def _fits(filename: str, machine: str, libc: str) -> bool:
    try:
        _, _, _, tags = parse_wheel_filename(filename)
    except InvalidWheelFilename:
        return False
    return any(t.platform.startswith(libc) and t.platform.endswith(machine) for t in tags)


def _binaries(wheel: bytes) -> dict[str, bytes]:
    """`uv` and `uvx` from the wheel's scripts folder."""
    with zipfile.ZipFile(io.BytesIO(wheel)) as archive:
        names = archive.namelist()
        found: dict[str, bytes] = {}
        for binary in ("uv", "uvx"):
            member = next(n for n in names if re.fullmatch(rf"[^/]+\.data/scripts/{binary}", n))
            found[binary] = archive.read(member)
    return found


def _context(image: UvImage, binaries: dict[str, bytes]) -> bytes:
    target = image.bin_dir.rstrip("/") + "/"
    lines = [f"FROM {image.base}", f"COPY uv uvx {target}"]
    if image.base == "scratch":
        lines += ["WORKDIR /io", 'ENTRYPOINT ["/uv"]']
    else:
        lines += ["ENTRYPOINT []", f'CMD ["{target}uv"]']
    files = {"Dockerfile": ("\n".join(lines) + "\n").encode(), **binaries}
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644 if name == "Dockerfile" else 0o755
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()
