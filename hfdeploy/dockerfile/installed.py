"""Which Python distributions an image installs (asked of the image model, hfdeploy/image),
and which distributions provide the servers a CMD starts.

Used to tell whether the server the CMD starts (and FastAPI itself) will be there. The answer
is a set of canonical names plus `name[extra]` forms, or None when the Dockerfile installs in
a way hfdeploy does not read (conda, wheels, variables), where guessing would be wrong.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hfdeploy.dockerfile.stage import Runtime

if TYPE_CHECKING:
    from hfdeploy.project import Project

_FASTAPI_CLI = frozenset(
    ["fastapi-cli", "fastapi[standard]", "fastapi[all]", "fastapi[standard-no-fastapi-cloud-cli]"]
)
# Frameworks that depend on uvicorn and FastAPI themselves: their users need not list them.
_BRINGS_BOTH = frozenset(
    [
        "gradio",
        "nicegui",
        "vllm",
        "ray[serve]",
        "prefect",
        "mlflow",
        "reflex",
        "open-webui",
        "langflow",
        "litserve",
    ]
)
# What the server needs -> the distributions (or `dist[extra]`) that install it.
# The distribution that installs each server the CMD can start (DF019, DF022).
SERVER_DISTRIBUTIONS = {
    "uvicorn": "uvicorn",
    "uvicorn.run": "uvicorn",
    "gunicorn": "gunicorn",
    "hypercorn": "hypercorn",
    "fastapi run": "fastapi[standard]",
    "fastapi dev": "fastapi[standard]",
}
PROVIDERS = {
    "uvicorn": frozenset(["uvicorn", "uvicorn-worker", "chainlit", "mcp", "fastmcp"])
    | _FASTAPI_CLI
    | _BRINGS_BOTH,
    "gunicorn": frozenset(["gunicorn"]),
    "hypercorn": frozenset(["hypercorn"]),
    "fastapi[standard]": _FASTAPI_CLI,
    "fastapi": frozenset(["fastapi", "fastapi-slim", "chainlit"]) | _BRINGS_BOTH,
}


def installed_names(project: Project, rt: Runtime | None = None) -> frozenset[str] | None:
    """Canonical names (and `name[extra]` forms) of what the image installs, from the image
    model; None when it installs something hfdeploy cannot name (conda, wheels, variables)."""
    from hfdeploy.image import image

    found = image(project).distributions()
    return found.names if found.readable else None
