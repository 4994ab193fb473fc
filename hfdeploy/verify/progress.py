"""How verify tells its caller what it is doing while it works (the CLI draws it)."""

from __future__ import annotations

from typing import Protocol

from hfdeploy.verify.buildlog import BuildEvent
from hfdeploy.verify.report import Probe


class Progress(Protocol):
    def stage(self, text: str) -> None: ...
    def build_event(self, event: BuildEvent) -> None: ...
    def probed(self, result: Probe) -> None: ...


class Silent:
    def stage(self, text: str) -> None:
        pass

    def build_event(self, event: BuildEvent) -> None:
        pass

    def probed(self, result: Probe) -> None:
        pass
