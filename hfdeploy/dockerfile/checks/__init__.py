"""Checks of the dockerfile domain, in code order."""

from __future__ import annotations

from hfdeploy.check import Check

CHECKS: tuple[type[Check], ...] = ()
