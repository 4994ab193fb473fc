"""The image a Space builds, as one model shared by every domain (see model.py).

Public API:
  `image(project) -> Image`: computed once per snapshot.
  `Image.generated`: True when there is no usable root Dockerfile (the model is the image
      `fix` would generate).
  `Image.stages` / `final_stage` / `runtime`: the stages that are built, the final one's view.
  `Image.installs`: each `InstallStep` (tool, requirement files, packages, project, lock tool,
      location: "system" | "user:<home>" | "venv:<dir>" | "other:<dir>").
  `Image.sources(step)` / `all_sources()` -> `Source(kind, path)`; `installs_file(path)`;
      `declared_file()`; `tool_lock()`.
  `Image.distributions()` -> `Distributions(names, complete, readable)`;
      `install_distributions(step)`; `importable(module) -> bool | None`.
  `Image.visibility(step)` / `server_visibility(names)` -> `Visibility(importable, on_path, reason)`
      for the runtime user of the final stage.
  `Image.in_context(path)`, `context_matches(source)`, `copied(path)`, `can_write(directory)` (asks `dockerfile.writable`).
  `Image.user`, `env`, `workdir`, `home`.
  `installed(project) -> Installed`: what the image installs, closed over the known
      dependency table (RQ011's question).
"""

from hfdeploy.image.installs import InstallStep
from hfdeploy.image.model import (
    Distributions,
    Image,
    Installed,
    Source,
    Visibility,
    image,
    installed,
)

__all__ = [
    "Distributions",
    "Image",
    "InstallStep",
    "Installed",
    "Source",
    "Visibility",
    "image",
    "installed",
]
