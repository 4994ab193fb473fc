"""Render hfdeploy's file templates (`templates/*.j2`) with jinja2.

The templates ship inside the wheel as `hfdeploy/templates/`; in a source checkout (an
editable install) they are the `templates/` directory next to the package.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

try:
    from importlib.resources.abc import Traversable
except ImportError:  # Python 3.10
    from importlib.abc import Traversable

if TYPE_CHECKING:
    import jinja2


def templates_dir() -> Traversable:
    packaged = files("hfdeploy") / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "templates"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    import jinja2  # deferred: only fixes render templates, and `check` should start fast

    root = templates_dir()

    def load(name: str) -> str | None:
        # Reads through Traversable, so templates inside a zipped wheel work too.
        path = root / name
        return path.read_text(encoding="utf-8") if path.is_file() else None

    return jinja2.Environment(
        loader=jinja2.FunctionLoader(load),
        undefined=jinja2.StrictUndefined,  # a missing value is an error, never an empty string
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # Dockerfiles, not HTML; values are validated before rendering
    )


def render(template: str, **values: object) -> str:
    return environment().get_template(template).render(**values)
