from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import FastAPI

from app.helpers import *  # noqa: F403

if TYPE_CHECKING:
    from app.models import Note

try:
    import orjson as json_lib
except ImportError:
    import json as json_lib

try:
    BUILD_ID
except NameError:
    BUILD_ID = "dev"

app = FastAPI()
handlers = [make_handler(name) for name in ("a", "b")]  # from the star import


def serialize(note: Note) -> bytes:
    return json_lib.dumps(later_defined(note))


def later_defined(note: Note) -> dict[str, str]:
    return {"title": note.title}


on_demand = lambda: not_defined_until_called  # noqa: E731

if __name__ == "__main__":
    print(only_when_run_as_a_script)
