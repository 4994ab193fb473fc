"""Render hfdeploy's file templates (`templates/*.j2`) with jinja2.

The templates ship inside the wheel as `hfdeploy/templates/`; in a source checkout (an
editable install) they are the `templates/` directory next to the package.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from pathlib import Path

try:
    from importlib.resources.abc import Traversable
except ImportError:  # Python 3.10
    from importlib.abc import Traversable

import jinja2


def templates_dir() -> Traversable:
    packaged = files("hfdeploy") / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "templates"


class _TraversableLoader(jinja2.BaseLoader):
    """Loads from a Traversable, so templates inside a zipped wheel work too."""

    def __init__(self, root: Traversable):
        self.root = root

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, None]:
        path = self.root / template
        if not path.is_file():
            raise jinja2.TemplateNotFound(template)
        return path.read_text(encoding="utf-8"), None, None


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=_TraversableLoader(templates_dir()),
        undefined=jinja2.StrictUndefined,  # a missing value is an error, never an empty string
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # Dockerfiles, not HTML; values are validated before rendering
    )


def render(template: str, **values: object) -> str:
    return environment().get_template(template).render(**values)
