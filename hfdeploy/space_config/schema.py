"""The Spaces configuration reference as data: keys, their types, enums and limits.

Source: ../shared/reference/spaces.md §1.1
(https://huggingface.co/docs/hub/spaces-config-reference).
"""

from __future__ import annotations

import re

# fmt: off
SDK_DOCKER = "docker"
# `streamlit` left the docs in 2025-07 but the Hub clients still list it.
KNOWN_SDKS = ("gradio", "docker", "static", "streamlit")

COLORS = ("red", "yellow", "green", "blue", "indigo", "purple", "pink", "gray")
COLOR_KEYS = ("colorFrom", "colorTo")
# Nearest allowed colour for names people commonly try; anything else becomes `gray`.
NEAREST_COLOR = {
    "orange": "yellow", "amber": "yellow", "gold": "yellow", "brown": "yellow",
    "cyan": "blue", "teal": "blue", "sky": "blue", "navy": "blue", "lightblue": "blue",
    "lime": "green", "emerald": "green", "olive": "green", "mint": "green",
    "violet": "purple", "magenta": "purple", "lavender": "purple", "fuchsia": "pink",
    "rose": "pink", "crimson": "red", "maroon": "red",
    "grey": "gray", "slate": "gray", "silver": "gray", "black": "gray", "white": "gray",
    "zinc": "gray", "neutral": "gray", "stone": "gray",
}
FALLBACK_COLOR = "gray"

MIN_APP_PORT, MAX_APP_PORT = 1025, 65535
MAX_SHORT_DESCRIPTION = 60  # counted as JavaScript does: UTF-16 code units
MAX_OAUTH_EXPIRATION_MINUTES = 43200  # 30 days

HARDWARE = (
    "cpu-basic", "cpu-upgrade", "t4-small", "t4-medium", "l4x1", "l4x4", "l40sx1", "l40sx4",
    "l40sx8", "a10g-small", "a10g-large", "a10g-largex2", "a10g-largex4", "a100-large", "a100x4",
    "a100x8", "zero-a10g",
)
STORAGE = ("small", "medium", "large")
HEADERS = ("mini", "default")
OAUTH_SCOPES = (
    "openid", "profile", "email", "read-billing", "read-memberships", "read-repos", "gated-repos",
    "contribute-repos", "write-repos", "manage-repos", "read-collections", "write-collections",
    "inference-api", "read-endpoints", "write-endpoints", "jobs", "webhooks", "write-discussions",
)
CUSTOM_HEADERS = {
    "cross-origin-embedder-policy": ("unsafe-none", "require-corp", "credentialless"),
    "cross-origin-opener-policy": ("same-origin", "same-origin-allow-popups", "unsafe-none"),
    "cross-origin-resource-policy": ("same-site", "same-origin", "cross-origin"),
}
# Values with a closed set of choices, checked by invalid-front-matter-value.
ENUMS: dict[str, tuple[str, ...]] = {
    "suggested_hardware": HARDWARE,
    "suggested_storage": STORAGE,
    "header": HEADERS,
}

BOOLEAN_KEYS = ("pinned", "fullWidth", "hf_oauth", "disable_embedding")
LIST_KEYS = ("models", "datasets", "tags", "hf_oauth_scopes", "preload_from_hub")
INTEGER_KEYS = ("app_port", "hf_oauth_expiration_minutes")
STRING_KEYS = (
    "title", "emoji", "colorFrom", "colorTo", "sdk", "python_version", "sdk_version",
    "suggested_hardware", "suggested_storage", "app_file", "app_build_command", "base_path",
    "header", "short_description", "thumbnail", "startup_duration_timeout", "duplicated_from",
    "metaTitle", "description",
)
STRING_OR_LIST_KEYS = ("hf_oauth_authorized_org", "license")
MAPPING_KEYS = ("custom_headers",)

# Keys for SDK-managed images: a Docker Space builds the root Dockerfile and ignores them.
DOCKER_IRRELEVANT = {
    "sdk_version": "it pins the Gradio version of SDK-managed images",
    "app_file": "a Docker Space always builds and runs the root Dockerfile",
    "python_version": "a Docker Space gets Python from the Dockerfile's FROM image",
    "app_build_command": "it is a build step of static Spaces",
}
# Keys the Hub accepts but ignores, with what to do instead.
IGNORED_KEYS = {
    "hardware": "hardware is chosen in the Space settings, the API or the CLI "
    "(`suggested_hardware` is only a hint for people who duplicate the Space)",
}

KNOWN_KEYS = frozenset(
    BOOLEAN_KEYS + LIST_KEYS + INTEGER_KEYS + STRING_KEYS + STRING_OR_LIST_KEYS + MAPPING_KEYS
)

# fmt: on

# `30m`, `1h`, `1h30m`, `90s`: the docs give only examples, so a mismatch is a warning.
DURATION = re.compile(r"(?:\d+(?:\.\d+)?\s*(?:ms|s|m|h|d))+")
BOOLEAN_WORDS = {"true": True, "yes": True, "on": True, "false": False, "no": False, "off": False}


_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)")
_DURATION_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def duration_seconds(text: str) -> float | None:
    """`30m`, `1h30m`, `90s` in seconds; None when `text` is not a duration."""
    text = text.strip()
    if not DURATION.fullmatch(text):
        return None
    return sum(float(n) * _DURATION_UNITS[unit] for n, unit in _DURATION_PART.findall(text))
