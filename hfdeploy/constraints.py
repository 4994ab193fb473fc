"""Version constraints written in other tools' syntax, as PEP 440 specifier sets (core: the
target Python reads Poetry's `python = "^3.12"`, the requirements domain every Poetry pin)."""

from __future__ import annotations

import re

from packaging.specifiers import SpecifierSet


def poetry_specifier(constraint: str) -> SpecifierSet:
    """Poetry's `^1.2`, `~1.2.3`, `1.2.3`, `*`, `>=1,<2` as a PEP 440 specifier set."""
    parts = []
    for part in re.split(r"\s*,\s*|\s+(?=[<>=!~^])", constraint.strip()):
        if part in ("", "*"):
            continue
        if part[0] in "^~" and not part.startswith("~="):
            nums = [int(n) for n in re.findall(r"\d+", part.split("-")[0])[:3]] or [0]
            if part[0] == "^":
                first = next((i for i, n in enumerate(nums) if n != 0), len(nums) - 1)
            else:
                first = min(1, len(nums) - 1) if len(nums) > 1 else 0
            upper = nums[: first + 1]
            upper[-1] += 1
            parts += [f">={part[1:]}", f"<{'.'.join(map(str, upper))}"]
        elif part[0].isdigit():
            parts.append(f"=={part}")
        else:
            parts.append(part)
    return SpecifierSet(",".join(parts))
